namespace NLog.Targets.Firehose.Batching
{
    /// <summary>
    /// Decides where one PutRecordBatch call ends and the next begins, so that no call exceeds the record count or
    /// byte limits. Records larger than one record may hold are not its concern: the caller removes them first.
    /// </summary>
    internal sealed class BatchPlanner
    {
        private readonly int _maxRecords;
        private readonly long _maxBytes;

        /// <summary>Creates a planner with the service limits.</summary>
        public BatchPlanner()
            : this(FirehoseLimits.MaxRecordsPerBatch, FirehoseLimits.MaxBatchBytes)
        {
        }

        /// <summary>Creates a planner with the given limits (tests use smaller ones).</summary>
        public BatchPlanner(int maxRecords, long maxBytes)
        {
            _maxRecords = maxRecords;
            _maxBytes = maxBytes;
        }

        /// <summary>
        /// Whether a record of <paramref name="nextSize"/> bytes must start a new call, given the call so far holds
        /// <paramref name="records"/> records of <paramref name="bytes"/> bytes. An empty call always takes it.
        /// </summary>
        public bool StartsNewCall(int records, long bytes, int nextSize)
            => records > 0 && (records >= _maxRecords || bytes + nextSize > _maxBytes);
    }
}
