namespace Firehose.Local.Streams
{
    /// <summary>Which destination configuration a stream was created with.</summary>
    internal enum DestinationKind
    {
        S3,
        ExtendedS3,
        AmazonOpenSearchService,
        Elasticsearch,
    }
}
