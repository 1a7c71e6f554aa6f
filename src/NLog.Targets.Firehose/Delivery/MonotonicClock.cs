using System;
using System.Diagnostics;

namespace NLog.Targets.Firehose.Delivery
{
    /// <summary>
    /// A clock for deadlines, pacing and the breaker that never jumps when the wall clock is set back or forward: the
    /// UTC time at start-up plus the monotonic time elapsed since.
    /// </summary>
    internal static class MonotonicClock
    {
        private static readonly DateTime StartUtc = DateTime.UtcNow;
        private static readonly long StartTimestamp = Stopwatch.GetTimestamp();

        /// <summary>Now, on the monotonic clock.</summary>
        public static DateTime UtcNow => StartUtc + Stopwatch.GetElapsedTime(StartTimestamp);
    }
}
