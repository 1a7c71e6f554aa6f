#if NETSTANDARD2_0
using System;
using System.Reflection;

namespace NLog.Targets.Firehose.Polyfills
{
    /// <summary>netstandard2.0 stand-ins for the generic <c>MethodInfo.CreateDelegate&lt;T&gt;</c> (.NET 5+).</summary>
    internal static class MethodInfoPolyfill
    {
        extension(MethodInfo method)
        {
            /// <summary>A delegate of type <typeparamref name="T"/> for this static method.</summary>
            public T CreateDelegate<T>() where T : Delegate => (T)method.CreateDelegate(typeof(T));

            /// <summary>A delegate of type <typeparamref name="T"/> for this method, bound to <paramref name="target"/>.</summary>
            public T CreateDelegate<T>(object? target) where T : Delegate => (T)method.CreateDelegate(typeof(T), target);
        }
    }
}
#endif
