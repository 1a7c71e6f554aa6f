#if NETSTANDARD2_0
using System.Collections.Generic;

namespace NLog.Targets.Firehose.Polyfills
{
    /// <summary>netstandard2.0 stand-in for <c>KeyValuePair&lt;TKey, TValue&gt;.Deconstruct</c> (.NET Core 2.0+).</summary>
    internal static class KeyValuePairPolyfill
    {
        /// <summary>Splits <paramref name="pair"/> into its key and value.</summary>
        public static void Deconstruct<TKey, TValue>(this KeyValuePair<TKey, TValue> pair, out TKey key, out TValue value)
        {
            key = pair.Key;
            value = pair.Value;
        }
    }
}
#endif
