namespace NLog.Targets.Firehose.Client
{
    /// <summary>One <c>PutRecordBatchResponseEntry</c>: a record id on success, an error code and message on failure.</summary>
    internal sealed class PutRecordBatchResponseEntry
    {
        /// <summary>
        /// The entry of an accepted record as the response parser gives it: the service's RecordId is seen but not kept
        /// (the target never needs it), so a 500-record answer makes no string per record.
        /// </summary>
        public static readonly PutRecordBatchResponseEntry Accepted = new PutRecordBatchResponseEntry(null, null, null, hasRecordId: true);

        /// <summary>An entry with neither a RecordId nor an error (counted as accepted, as the service's contract has it).</summary>
        public static readonly PutRecordBatchResponseEntry Empty = new PutRecordBatchResponseEntry(null, null, null);

        /// <summary>Creates an entry.</summary>
        public PutRecordBatchResponseEntry(string? recordId, string? errorCode, string? errorMessage)
            : this(recordId, errorCode, errorMessage, recordId != null)
        {
        }

        private PutRecordBatchResponseEntry(string? recordId, string? errorCode, string? errorMessage, bool hasRecordId)
        {
            RecordId = recordId;
            ErrorCode = errorCode;
            ErrorMessage = errorMessage;
            HasRecordId = hasRecordId;
        }

        /// <summary><c>RecordId</c>, when the entry was made with one (the response parser does not keep it: see <see cref="HasRecordId"/>).</summary>
        public string? RecordId { get; }

        /// <summary>Whether the entry carried a <c>RecordId</c> (the record was accepted).</summary>
        public bool HasRecordId { get; }

        /// <summary><c>ErrorCode</c>, set when the record failed (for example <c>ServiceUnavailableException</c>).</summary>
        public string? ErrorCode { get; }

        /// <summary><c>ErrorMessage</c>, set when the record failed.</summary>
        public string? ErrorMessage { get; }

        /// <summary>Whether the record failed.</summary>
        public bool Failed => !string.IsNullOrEmpty(ErrorCode);
    }
}
