using System;
using System.Threading;

namespace NLog.Targets.Firehose.Delivery
{
    /// <summary>What the target knows about one delivery stream: its pace and its breaker.</summary>
    internal sealed class StreamState
    {
        /// <summary>Creates the state of <paramref name="name"/>.</summary>
        public StreamState(string name, TimeSpan maxGap, TimeSpan firstProbe, TimeSpan maxProbe)
        {
            Name = name;
            Rate = new AdaptiveRate(maxGap);
            Breaker = new CircuitBreaker(firstProbe, maxProbe);
        }

        /// <summary>The stream's name.</summary>
        public string Name { get; }

        /// <summary>The pace of calls to the stream.</summary>
        public AdaptiveRate Rate { get; }

        /// <summary>The stream's breaker.</summary>
        public CircuitBreaker Breaker { get; }

        /// <summary>
        /// Whether the last call to the stream was given up (delivery timeout or open breaker) and none has succeeded
        /// since: with a disk buffer, new records then go straight to disk instead of waiting out the timeout.
        /// </summary>
        public bool Degraded
        {
            get => Volatile.Read(ref _degraded);
            set => Volatile.Write(ref _degraded, value);
        }

        private bool _degraded;
    }
}
