namespace NLog.Targets.Firehose.Delivery
{
    /// <summary>What a failure means for delivery.</summary>
    internal enum FailureKind
    {
        /// <summary>The service is throttling: retry later, and slow every call to the stream.</summary>
        Throttled,

        /// <summary>A passing fault (5xx, timeout, connection reset, transient DNS): retry with backoff.</summary>
        Transient,

        /// <summary>Retrying cannot fix it (access denied, unknown stream, bad credentials, KMS): open the breaker.</summary>
        Fatal,
    }
}
