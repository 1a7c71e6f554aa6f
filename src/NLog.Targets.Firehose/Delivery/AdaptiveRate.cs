using System;

namespace NLog.Targets.Firehose.Delivery
{
    /// <summary>
    /// The pace of calls to one delivery stream: a minimum gap between calls that doubles when the service throttles
    /// (up to a ceiling) and shrinks by a quarter after each call that was not throttled, back to no gap at all. Every
    /// call to the stream waits for its turn, so one throttled call slows them all; the rate recovers by itself once
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

        /// <summary>The service throttled a call (or records in it): widen the gap.</summary>
        public void OnThrottled()
        {
            lock (_lock)
            {
                TimeSpan doubled = _gap < InitialGap ? InitialGap : TimeSpan.FromTicks(_gap.Ticks * 2);
                _gap = doubled > _maxGap ? _maxGap : doubled;
            }
        }

        /// <summary>A call went through without throttling: narrow the gap.</summary>
        public void OnAccepted()
        {
            lock (_lock)
            {
                _gap = TimeSpan.FromTicks(_gap.Ticks * 3 / 4);
                if (_gap < NoGapBelow)
                    _gap = TimeSpan.Zero;
            }
        }
    }
}
