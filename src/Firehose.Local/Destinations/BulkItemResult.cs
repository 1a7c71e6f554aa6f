namespace Firehose.Local.Destinations
{
    /// <summary>The outcome of one bulk document: success, or the error code and message to retry or back up with.</summary>
    internal sealed record BulkItemResult(bool Succeeded, string? ErrorCode, string? ErrorMessage, bool Retryable)
    {
        public static readonly BulkItemResult Success = new(true, null, null, false);
    }
}
