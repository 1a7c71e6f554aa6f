using System;
using System.Collections.Generic;

namespace NLog.Targets.Firehose.Diagnostics
{
    /// <summary>
    /// Lets a message that could repeat through to InternalLogger at most once per interval per key, and counts what
    /// it held back so the next message can say how many were suppressed. Keys are few (stream × error code); the
    /// table is capped so it can never grow without bound.
    /// </summary>
    internal sealed class LogRateLimiter
    {
        private const int MaxKeys = 256;
        private readonly TimeSpan _interval;
        private readonly Func<DateTime> _utcNow;
        private readonly Dictionary<string, (DateTime Last, int Suppressed)> _keys = new Dictionary<string, (DateTime, int)>(StringComparer.Ordinal);

        /// <summary>Creates a limiter letting one message per <paramref name="interval"/> per key.</summary>
        public LogRateLimiter(TimeSpan interval, Func<DateTime>? utcNow = null)
        {
            _interval = interval;
            _utcNow = utcNow ?? (() => NLog.Targets.Firehose.Delivery.MonotonicClock.UtcNow);
        }

        /// <summary>The tail of a message that says how many like it were held back, or empty.</summary>
        public static string Suppressed(int count) => count > 0 ? $" ({count} more like this not logged)" : string.Empty;

        /// <summary>
        /// Whether to log a message for <paramref name="key"/> now; when true, <paramref name="suppressed"/> is how
        /// many were held back since the last one.
        /// </summary>
        public bool ShouldLog(string key, out int suppressed)
        {
            DateTime now = _utcNow();
            lock (_keys)
            {
                if (_keys.TryGetValue(key, out var state) && now - state.Last < _interval)
                {
                    _keys[key] = (state.Last, state.Suppressed + 1);
                    suppressed = 0;
                    return false;
                }
                if (_keys.Count >= MaxKeys && !_keys.ContainsKey(key))
                    _keys.Clear();
                suppressed = state.Suppressed;
                _keys[key] = (now, 0);
                return true;
            }
        }
    }
}
