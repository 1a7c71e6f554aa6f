#if NETSTANDARD2_0
using System.Threading.Tasks;

namespace NLog.Targets.Firehose.Polyfills
{
    /// <summary>
    /// netstandard2.0 stand-in for the non-generic <c>TaskCompletionSource</c> (.NET 5+): a
    /// <see cref="TaskCompletionSource{TResult}"/> whose result carries nothing.
    /// </summary>
    internal sealed class TaskCompletionSource : TaskCompletionSource<object?>
    {
        /// <summary>A source whose task is created with <paramref name="creationOptions"/>.</summary>
        public TaskCompletionSource(TaskCreationOptions creationOptions)
            : base(creationOptions)
        {
        }

        /// <summary>Completes the task successfully.</summary>
        public void SetResult() => SetResult(null);

        /// <summary>Completes the task successfully unless it already completed.</summary>
        public bool TrySetResult() => TrySetResult(null);
    }
}
#endif
