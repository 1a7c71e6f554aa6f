using System;

namespace NLog.Targets.Firehose.Delivery
{
    /// <summary>
    /// Exponential backoff with full jitter: the delay before retry <c>n</c> (from 1) is uniform in
    /// <c>[0, min(max, base × 2^(n-1))]</c>, so many instances retrying at once spread out instead of colliding.
    /// </summary>
    internal sealed class Backoff
    {
        private readonly TimeSpan _base;
        private readonly TimeSpan _max;
        private readonly Random _random;

        /// <summary>Creates the policy.</summary>
        public Backoff(TimeSpan baseDelay, TimeSpan maxDelay, Random? random = null)
        {
            _base = baseDelay;
            _max = maxDelay < baseDelay ? baseDelay : maxDelay;
            _random = random ?? new Random();
        }

        /// <summary>The upper bound of the delay before retry <paramref name="retry"/> (1 for the first retry).</summary>
        public TimeSpan Ceiling(int retry)
        {
            double factor = Math.Pow(2, Math.Min(Math.Max(retry, 1) - 1, 30));
            double ms = Math.Min(_max.TotalMilliseconds, _base.TotalMilliseconds * factor);
            return TimeSpan.FromMilliseconds(ms);
        }

        /// <summary>The delay before retry <paramref name="retry"/> (1 for the first retry): full jitter under <see cref="Ceiling"/>.</summary>
        public TimeSpan Next(int retry)
        {
            double sample;
            lock (_random)
                sample = _random.NextDouble();
            return TimeSpan.FromMilliseconds(Ceiling(retry).TotalMilliseconds * sample);
        }
    }
}
