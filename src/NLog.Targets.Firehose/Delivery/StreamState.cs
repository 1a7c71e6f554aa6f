using System;

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
    }
}
