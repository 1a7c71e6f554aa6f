using System.Collections.Generic;

namespace NLog.Targets.Firehose.Batching
{
    /// <summary>
    /// Splits a run of records, given by their sizes, into consecutive PutRecordBatch calls that each stay within
    /// the record count and byte limits. Records larger than one record may hold are not its concern: the caller
    /// removes them first.
    /// </summary>
    internal sealed class BatchPlanner
    {
        private readonly int _maxRecords;
        private readonly int _maxBytes;

        /// <summary>Creates a planner with the service limits.</summary>
        public BatchPlanner()
            : this(FirehoseLimits.MaxRecordsPerBatch, FirehoseLimits.MaxBatchBytes)
        {
        }

        /// <summary>Creates a planner with the given limits (tests use smaller ones).</summary>
        public BatchPlanner(int maxRecords, int maxBytes)
        {
            _maxRecords = maxRecords;
            _maxBytes = maxBytes;
        }

        /// <summary>
        /// Plans calls over <paramref name="recordSizes"/>, appending (first index, count) pairs to
        /// <paramref name="calls"/> in order. Every record is in exactly one call; no call is empty.
        /// </summary>
        public void Plan(IReadOnlyList<int> recordSizes, List<(int Start, int Count)> calls)
        {
            int start = 0;
            int count = 0;
            long bytes = 0;
            for (int i = 0; i < recordSizes.Count; i++)
            {
                int size = recordSizes[i];
                if (count > 0 && (count == _maxRecords || bytes + size > _maxBytes))
                {
                    calls.Add((start, count));
                    start = i;
                    count = 0;
                    bytes = 0;
                }
                count++;
                bytes += size;
            }
            if (count > 0)
                calls.Add((start, count));
        }
    }
}
