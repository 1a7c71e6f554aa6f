using System;

namespace NLog.Targets.Firehose.Delivery
{
    /// <summary>
    /// Stops calls to a stream after an error that retrying cannot fix. While open, no call is made until the next
    /// probe time; a probe that fails again doubles the wait (up to a ceiling); a call that succeeds closes it.
    /// Thread-safe.
    /// </summary>
    internal sealed class CircuitBreaker
    {
        private readonly TimeSpan _firstProbe;
        private readonly TimeSpan _maxProbe;
        private readonly object _lock = new object();
        private DateTime _probeAtUtc;
        private TimeSpan _wait;

        /// <summary>Creates a closed breaker.</summary>
        public CircuitBreaker(TimeSpan firstProbe, TimeSpan maxProbe)
        {
            _firstProbe = firstProbe;
            _maxProbe = maxProbe < firstProbe ? firstProbe : maxProbe;
        }

        /// <summary>Whether the breaker is open (calls held back).</summary>
        public bool IsOpen
        {
            get
            {
                lock (_lock)
                    return OpenCode != null;
            }
        }

        /// <summary>The error code that opened the breaker, or null when closed.</summary>
        public string? OpenCode { get; private set; }

        /// <summary>How long until a call may be made: zero when closed or when a probe is due.</summary>
        public TimeSpan TimeUntilCall(DateTime utcNow)
        {
            lock (_lock)
            {
                if (OpenCode is null || utcNow >= _probeAtUtc)
                    return TimeSpan.Zero;
                return _probeAtUtc - utcNow;
            }
        }

        /// <summary>
        /// A call failed with an error retrying cannot fix. Returns true when this opened a closed breaker (the caller
        /// logs that once); the next probe is scheduled either way.
        /// </summary>
        public bool Trip(string code, DateTime utcNow, out TimeSpan nextProbe)
        {
            lock (_lock)
            {
                bool opened = OpenCode is null;
                _wait = opened ? _firstProbe : TimeSpan.FromTicks(Math.Min(_wait.Ticks * 2, _maxProbe.Ticks));
                _probeAtUtc = utcNow + _wait;
                OpenCode = code;
                nextProbe = _wait;
                return opened;
            }
        }

        /// <summary>A call succeeded. Returns true when this closed an open breaker (the caller logs that).</summary>
        public bool OnSuccess()
        {
            lock (_lock)
            {
                bool wasOpen = OpenCode != null;
                OpenCode = null;
                _wait = TimeSpan.Zero;
                return wasOpen;
            }
        }
    }
}
