namespace Firehose.Local
{
    /// <summary>Firehose's OpenSearch/Elasticsearch <c>RetryOptions</c>.</summary>
    public sealed class RetryOptions
    {
        /// <summary>How long, in seconds, delivery of failed documents is retried, first attempt included (0–7200; default 300; 0 means one attempt).</summary>
        public int? DurationInSeconds { get; set; }
    }
}
