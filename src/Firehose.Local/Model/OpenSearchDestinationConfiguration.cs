namespace Firehose.Local
{
    /// <summary>
    /// Firehose's <c>AmazonopensearchserviceDestinationConfiguration</c> and <c>ElasticsearchDestinationConfiguration</c>
    /// (both have these members).
    /// </summary>
    public sealed class OpenSearchDestinationConfiguration
    {
        /// <summary>The IAM role ARN (required by the API; only its format is checked).</summary>
        public string? RoleARN { get; set; }

        /// <summary>The domain ARN (<c>arn:aws:es:region:123456789012:domain/name</c>); give this or <see cref="ClusterEndpoint"/>.</summary>
        public string? DomainARN { get; set; }

        /// <summary>The cluster endpoint URL; give this or <see cref="DomainARN"/>. An http(s):// endpoint with no mapping in <see cref="FirehoseLocalOptions.IndexUrls"/> is used directly.</summary>
        public string? ClusterEndpoint { get; set; }

        /// <summary>The index name (required, 1–80 characters).</summary>
        public string? IndexName { get; set; }

        /// <summary>The document type name (Elasticsearch 6 and earlier); empty or absent for none.</summary>
        public string? TypeName { get; set; }

        /// <summary><c>NoRotation</c>, <c>OneHour</c>, <c>OneDay</c> (default), <c>OneWeek</c> or <c>OneMonth</c>.</summary>
        public string? IndexRotationPeriod { get; set; }

        /// <summary>When to deliver the buffer.</summary>
        public BufferingHints? BufferingHints { get; set; }

        /// <summary>How long failed documents are retried.</summary>
        public RetryOptions? RetryOptions { get; set; }

        /// <summary><c>FailedDocumentsOnly</c> (default) or <c>AllDocuments</c>.</summary>
        public string? S3BackupMode { get; set; }

        /// <summary>The S3 backup destination (required).</summary>
        public S3DestinationConfiguration? S3Configuration { get; set; }
    }
}
