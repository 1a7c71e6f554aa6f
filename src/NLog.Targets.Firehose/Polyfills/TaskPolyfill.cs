#if NETSTANDARD2_0
using System;
using System.Threading;
using System.Threading.Tasks;

namespace NLog.Targets.Firehose.Polyfills
{
    /// <summary>
    /// netstandard2.0 stand-ins for <c>Task&lt;T&gt;.WaitAsync</c> (.NET 6+): the task's own outcome if it ends first,
    /// else a <see cref="TimeoutException"/> when the timeout passes or a <see cref="TaskCanceledException"/> for the
    /// token when it is cancelled. The task itself goes on either way.
    /// </summary>
    internal static class TaskPolyfill
    {
        extension<TResult>(Task<TResult> task)
        {
            /// <summary>Waits for the task until <paramref name="cancellationToken"/> is cancelled.</summary>
            public Task<TResult> WaitAsync(CancellationToken cancellationToken) => task.WaitAsync(Timeout.InfiniteTimeSpan, cancellationToken);

            /// <summary>Waits for the task for at most <paramref name="timeout"/>, until <paramref name="cancellationToken"/> is cancelled.</summary>
            public Task<TResult> WaitAsync(TimeSpan timeout, CancellationToken cancellationToken)
            {
                if (task is null)
                    throw new ArgumentNullException(nameof(task));
                long milliseconds = (long)timeout.TotalMilliseconds;
                if (milliseconds < -1 || milliseconds > uint.MaxValue - 1)
                    throw new ArgumentOutOfRangeException(nameof(timeout));
                if (task.IsCompleted || (!cancellationToken.CanBeCanceled && timeout == Timeout.InfiniteTimeSpan))
                    return task;
                if (cancellationToken.IsCancellationRequested)
                    return Task.FromCanceled<TResult>(cancellationToken);
                if (timeout == TimeSpan.Zero)
                    return Task.FromException<TResult>(new TimeoutException());
                return WaitCoreAsync(task, timeout, cancellationToken);
            }
        }

        private static async Task<TResult> WaitCoreAsync<TResult>(Task<TResult> task, TimeSpan timeout, CancellationToken cancellationToken)
        {
            using (var stopDelay = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
            {
                Task delay = Task.Delay(timeout, stopDelay.Token);
                if (await Task.WhenAny(task, delay).ConfigureAwait(false) == task)
                {
                    stopDelay.Cancel();   // frees the timer
                    return await task.ConfigureAwait(false);
                }
                if (cancellationToken.IsCancellationRequested)
                    throw new TaskCanceledException(Task.FromCanceled<TResult>(cancellationToken));
                throw new TimeoutException();
            }
        }
    }
}
#endif
