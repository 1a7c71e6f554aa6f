using System;
using System.Collections.Generic;

namespace NLog.Targets.Firehose.Delivery
{
    /// <summary>What became of one call's records after every retry: which were not delivered, and why.</summary>
    internal sealed class SendResult
    {
        /// <summary>Creates the result.</summary>
        public SendResult(IReadOnlyList<int> undelivered, string? lastError, string? reason)
        {
            Undelivered = undelivered;
            LastError = lastError;
            Reason = reason;
        }

        /// <summary>Indexes (into the records given) that were not delivered; empty when all were.</summary>
        public IReadOnlyList<int> Undelivered { get; }

        /// <summary>The last error code seen, if any.</summary>
        public string? LastError { get; }

        /// <summary>The records (of those given to the send) that were not delivered, in order.</summary>
        public List<ReadOnlyMemory<byte>> UndeliveredRecords(IReadOnlyList<ReadOnlyMemory<byte>> records)
        {
            var undelivered = new List<ReadOnlyMemory<byte>>(Undelivered.Count);
            foreach (int index in Undelivered)
                undelivered.Add(records[index]);
            return undelivered;
        }

        /// <summary>Why the remaining records were given up: deadline, breaker, shutdown; null when all were delivered.</summary>
        public string? Reason { get; }
    }
}
