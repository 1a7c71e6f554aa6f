namespace Firehose.Local.Destinations
{
    /// <summary>The validated settings of an OpenSearch/Elasticsearch destination, with the defaults applied.</summary>
    internal sealed record OpenSearchDestinationSettings(
        string StreamName,
        string VersionId,
        string IndexName,
        string? TypeName,
        string RotationPeriod,
        int SizeInMBs,
        int IntervalInSeconds,
        int RetryDurationInSeconds,
        bool BackupAllDocuments,
        string? BackupPrefix,
        string FailedFolder,
        string ErrorCodePrefix);
}
