namespace NLog.Targets.Firehose.Diagnostics
{
    /// <summary>The <c>outcome</c> tag of a PutRecordBatch call: how it ended.</summary>
    internal static class RequestOutcome
    {
        /// <summary>Every record was accepted.</summary>
        public const string Success = "success";

        /// <summary>The call was answered, but some records carry an ErrorCode (not all of them throttled).</summary>
        public const string Partial = "partial";

        /// <summary>The call was refused for throttling (ServiceUnavailableException, HTTP 429), or every record of it was throttled.</summary>
        public const string Throttled = "throttled";

        /// <summary>An error a retry may fix: HTTP 5xx, InternalFailure, a connection refused or reset, a DNS failure.</summary>
        public const string Error = "error";

        /// <summary>No answer within RequestTimeoutMilliseconds.</summary>
        public const string Timeout = "timeout";

        /// <summary>An answer that could not be read (or with the wrong number of entries).</summary>
        public const string Malformed = "malformed";

        /// <summary>An error no retry can fix (AccessDenied, ResourceNotFound, no credentials, …): it opens the stream's circuit breaker.</summary>
        public const string Refused = "refused";

        /// <summary>The call was cancelled because the target closed (or NLog's TaskTimeoutSeconds passed).</summary>
        public const string Cancelled = "cancelled";
    }
}
