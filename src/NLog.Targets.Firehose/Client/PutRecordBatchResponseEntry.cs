namespace NLog.Targets.Firehose.Client
{
    /// <summary>One <c>PutRecordBatchResponseEntry</c>: a record id on success, an error code and message on failure.</summary>
    internal sealed class PutRecordBatchResponseEntry
    {
        /// <summary>Creates an entry.</summary>
        public PutRecordBatchResponseEntry(string? recordId, string? errorCode, string? errorMessage)
        {
            RecordId = recordId;
            ErrorCode = errorCode;
            ErrorMessage = errorMessage;
        }

        /// <summary><c>RecordId</c>, set when the record was accepted.</summary>
        public string? RecordId { get; }

        /// <summary><c>ErrorCode</c>, set when the record failed (for example <c>ServiceUnavailableException</c>).</summary>
        public string? ErrorCode { get; }

        /// <summary><c>ErrorMessage</c>, set when the record failed.</summary>
        public string? ErrorMessage { get; }

        /// <summary>Whether the record failed.</summary>
        public bool Failed => !string.IsNullOrEmpty(ErrorCode);
    }
}
