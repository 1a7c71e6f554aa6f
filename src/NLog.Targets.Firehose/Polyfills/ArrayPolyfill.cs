#if NETSTANDARD2_0
using System;

namespace NLog.Targets.Firehose.Polyfills
{
    /// <summary>netstandard2.0 stand-in for <c>Array.MaxLength</c> (.NET 6+).</summary>
    internal static class ArrayPolyfill
    {
        extension(Array)
        {
            /// <summary>The largest length an array may have: the value .NET 6+ reports (0x7FFFFFC7).</summary>
            public static int MaxLength => 0x7FFFFFC7;
        }
    }
}
#endif
