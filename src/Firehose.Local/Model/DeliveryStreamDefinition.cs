namespace Firehose.Local
{
    /// <summary>
    /// A delivery stream, as in the CreateDeliveryStream input: its name, its type (DirectPut) and exactly one of the
    /// supported destination configurations. Streams in <see cref="FirehoseLocalOptions.Streams"/> are created at
    /// start-up with the same validation as CreateDeliveryStream.
    /// </summary>
    public sealed class DeliveryStreamDefinition
    {
        /// <summary>The stream name: 1–64 characters of <c>[a-zA-Z0-9_.-]</c>.</summary>
        public string? DeliveryStreamName { get; set; }

        /// <summary>The stream type; only <c>DirectPut</c> (the default) is supported.</summary>
        public string? DeliveryStreamType { get; set; }

        /// <summary>An S3 destination.</summary>
        public S3DestinationConfiguration? S3DestinationConfiguration { get; set; }

        /// <summary>An extended S3 destination (delivered like <see cref="S3DestinationConfiguration"/>).</summary>
        public S3DestinationConfiguration? ExtendedS3DestinationConfiguration { get; set; }

        /// <summary>An Amazon OpenSearch Service destination.</summary>
        public OpenSearchDestinationConfiguration? AmazonopensearchserviceDestinationConfiguration { get; set; }

        /// <summary>An Elasticsearch destination.</summary>
        public OpenSearchDestinationConfiguration? ElasticsearchDestinationConfiguration { get; set; }
    }
}
