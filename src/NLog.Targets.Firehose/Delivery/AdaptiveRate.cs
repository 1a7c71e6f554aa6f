using System;

namespace NLog.Targets.Firehose.Delivery
{
    /// <summary>
    /// The pace of calls to one delivery stream: a minimum gap between calls that follows the share of each call's
    /// records the service throttled — it doubles when a whole call is throttled, holds steady when a fifth of the
    /// records are, and shrinks by a quarter when none are, back to no gap at all (up to a ceiling). Every call to the
    /// stream waits for its turn, so a throttle seen by one call slows them all; the rate recovers by itself once
    /// throttling stops. Thread-safe.
    /// </summary>
    internal sealed class AdaptiveRate
    {
        /// <summary>The first gap after a throttle.</summary>
        public static readonly TimeSpan InitialGap = TimeSpan.FromMilliseconds(50);
        private static readonly TimeSpan NoGapBelow = TimeSpan.FromMilliseconds(5);

        private readonly TimeSpan _maxGap;
        private readonly object _lock = new object();
        private TimeSpan _gap = TimeSpan.Zero;
        private DateTime _nextCallUtc = DateTime.MinValue;

        /// <summary>Creates the pace with <paramref name="maxGap"/> as the longest gap between calls.</summary>
        public AdaptiveRate(TimeSpan maxGap)
        {
            _maxGap = maxGap;
        }

        /// <summary>The current gap between calls (zero when not throttled).</summary>
        public TimeSpan Gap
        {
            get
            {
                lock (_lock)
                    return _gap;
            }
        }

        /// <summary>How long to wait before the next call may start; reserves that slot.</summary>
        public TimeSpan Reserve(DateTime utcNow)
        {
            lock (_lock)
            {
                DateTime start = _nextCallUtc > utcNow ? _nextCallUtc : utcNow;
                _nextCallUtc = start + _gap;
                return start - utcNow;
            }
        }

        /// <summary>The share of a call's records throttled at which the gap holds steady.</summary>
        public const double SteadyShare = 0.2;

        /// <summary>The service throttled a whole call: double the gap.</summary>
        public void OnThrottled() => OnResult(1.0);

        /// <summary>A call went through without throttling: narrow the gap.</summary>
        public void OnAccepted() => OnResult(0.0);

        /// <summary>
        /// A call's outcome: <paramref name="throttledShare"/> of its records (0 to 1) were throttled. The gap is
        /// multiplied by 0.75 + 1.25 × share: × 0.75 for none, × 1 at <see cref="SteadyShare"/>, × 2 for all.
        /// </summary>
        public void OnResult(double throttledShare)
        {
            double share = throttledShare < 0 ? 0 : throttledShare > 1 ? 1 : throttledShare;
            lock (_lock)
            {
                if (share > SteadyShare && _gap < InitialGap)
                {
                    _gap = InitialGap;
                    return;
                }
                long ticks = (long)(_gap.Ticks * (0.75 + 1.25 * share));
                _gap = ticks > _maxGap.Ticks ? _maxGap : TimeSpan.FromTicks(ticks);
                if (_gap < NoGapBelow)
                    _gap = TimeSpan.Zero;
            }
        }
    }
}
