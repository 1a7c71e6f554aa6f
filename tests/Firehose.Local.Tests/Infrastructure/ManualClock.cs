using System;

namespace Firehose.Local.Tests.Infrastructure
{
    /// <summary>A clock that stands still until the test moves it (timers are not needed: Firehose Local only reads the time).</summary>
    internal sealed class ManualClock : TimeProvider
    {
        private readonly object _lock = new();
        private DateTimeOffset _now;

        public ManualClock(DateTimeOffset start) => _now = start;

        public override DateTimeOffset GetUtcNow()
        {
            lock (_lock)
                return _now;
        }

        public void Set(DateTimeOffset now)
        {
            lock (_lock)
                _now = now;
        }

        public void Advance(TimeSpan by)
        {
            lock (_lock)
                _now += by;
        }
    }
}
