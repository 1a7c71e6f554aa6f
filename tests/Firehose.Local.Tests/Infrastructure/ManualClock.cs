using System;

namespace Firehose.Local.Tests.Infrastructure
{
    /// <summary>A clock that stands still until the test moves it (timers are not needed: Firehose Local only reads the time).</summary>
    /// <remarks>
    /// With a non-zero <c>offset</c> the clock lives in a time zone of that offset (<see cref="LocalTimeZone"/>) and
    /// hands out its instants expressed in that offset, as a local-time clock would: the same instant, other wall-clock
    /// fields. Code that reads the wall-clock fields instead of the UTC ones (or the local time) then gets them wrong.
    /// </remarks>
    internal sealed class ManualClock : TimeProvider
    {
        private readonly object _lock = new();
        private readonly TimeSpan _offset;
        private readonly TimeZoneInfo _zone;
        private DateTimeOffset _now;

        public ManualClock(DateTimeOffset start)
            : this(start, TimeSpan.Zero)
        {
        }

        public ManualClock(DateTimeOffset start, TimeSpan offset)
        {
            _now = start;
            _offset = offset;
            _zone = offset == TimeSpan.Zero ? TimeZoneInfo.Utc : TimeZoneInfo.CreateCustomTimeZone("Test" + offset.ToString(), offset, "Test " + offset, "Test " + offset);
        }

        public override TimeZoneInfo LocalTimeZone => _zone;

        public override DateTimeOffset GetUtcNow()
        {
            lock (_lock)
                return _now.ToOffset(_offset);
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
