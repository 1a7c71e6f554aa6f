#if NETSTANDARD2_0
using System;
using System.Diagnostics;

namespace NLog.Targets.Firehose.Polyfills
{
    /// <summary>netstandard2.0 stand-ins for <c>Stopwatch.GetElapsedTime</c> (.NET 7+), with the runtime's arithmetic.</summary>
    internal static class StopwatchPolyfill
    {
        private static readonly double TickFrequency = (double)TimeSpan.TicksPerSecond / Stopwatch.Frequency;

        extension(Stopwatch)
        {
            /// <summary>The time elapsed since <paramref name="startingTimestamp"/> (a <see cref="Stopwatch.GetTimestamp"/> value).</summary>
            public static TimeSpan GetElapsedTime(long startingTimestamp) => GetElapsedTime(startingTimestamp, Stopwatch.GetTimestamp());

            /// <summary>The time elapsed between two <see cref="Stopwatch.GetTimestamp"/> values.</summary>
            public static TimeSpan GetElapsedTime(long startingTimestamp, long endingTimestamp)
                => new TimeSpan((long)((endingTimestamp - startingTimestamp) * TickFrequency));
        }
    }
}
#endif
