using System.Text.Json.Nodes;
using Firehose.Local.Destinations;
using Firehose.Local.Streams;

namespace Firehose.Local.Api
{
    /// <summary>Builds the DescribeDeliveryStream answer (<c>DeliveryStreamDescription</c>) of a stream, with the defaults the service fills in.</summary>
    internal static class StreamDescriptions
    {
        public const string DestinationId = "destinationId-000000000001";

        public static JsonObject Describe(DeliveryStream stream)
        {
            var destination = new JsonObject { ["DestinationId"] = DestinationId };
            DeliveryStreamDefinition d = stream.Definition;
            switch (stream.Kind)
            {
                case DestinationKind.S3:
                    destination["S3DestinationDescription"] = S3(d.S3DestinationConfiguration!);
                    break;
                case DestinationKind.ExtendedS3:
                    destination["S3DestinationDescription"] = S3(d.ExtendedS3DestinationConfiguration!);
                    JsonObject extended = S3(d.ExtendedS3DestinationConfiguration!);
                    extended["S3BackupMode"] = "Disabled";
                    destination["ExtendedS3DestinationDescription"] = extended;
                    break;
                case DestinationKind.AmazonOpenSearchService:
                    destination["AmazonopensearchserviceDestinationDescription"] = OpenSearch(d.AmazonopensearchserviceDestinationConfiguration!);
                    break;
                case DestinationKind.Elasticsearch:
                    destination["ElasticsearchDestinationDescription"] = OpenSearch(d.ElasticsearchDestinationConfiguration!);
                    break;
            }

            return new JsonObject
            {
                ["DeliveryStreamName"] = stream.Name,
                ["DeliveryStreamARN"] = stream.Arn,
                ["DeliveryStreamStatus"] = "ACTIVE",
                ["DeliveryStreamEncryptionConfiguration"] = new JsonObject { ["Status"] = "DISABLED" },
                ["DeliveryStreamType"] = stream.Type,
                ["VersionId"] = stream.VersionId,
                ["CreateTimestamp"] = stream.CreateTimestamp.ToUnixTimeMilliseconds() / 1000.0,
                ["Destinations"] = new JsonArray { destination },
                ["HasMoreDestinations"] = false,
            };
        }

        private static JsonObject S3(S3DestinationConfiguration s3)
        {
            var description = new JsonObject
            {
                ["RoleARN"] = s3.RoleARN,
                ["BucketARN"] = s3.BucketARN,
                ["BufferingHints"] = Buffering(s3.BufferingHints),
                ["CompressionFormat"] = s3.CompressionFormat ?? "UNCOMPRESSED",
                ["EncryptionConfiguration"] = new JsonObject { ["NoEncryptionConfig"] = "NoEncryption" },
            };
            if (s3.Prefix != null)
                description["Prefix"] = s3.Prefix;
            if (s3.ErrorOutputPrefix != null)
                description["ErrorOutputPrefix"] = s3.ErrorOutputPrefix;
            return description;
        }

        private static JsonObject OpenSearch(OpenSearchDestinationConfiguration os)
        {
            var description = new JsonObject { ["RoleARN"] = os.RoleARN };
            if (os.DomainARN != null)
                description["DomainARN"] = os.DomainARN;
            if (os.ClusterEndpoint != null)
                description["ClusterEndpoint"] = os.ClusterEndpoint;
            description["IndexName"] = os.IndexName;
            if (!string.IsNullOrEmpty(os.TypeName))
                description["TypeName"] = os.TypeName;
            description["IndexRotationPeriod"] = os.IndexRotationPeriod ?? IndexRotation.OneDay;
            description["BufferingHints"] = Buffering(os.BufferingHints);
            description["RetryOptions"] = new JsonObject { ["DurationInSeconds"] = os.RetryOptions?.DurationInSeconds ?? 300 };
            description["S3BackupMode"] = os.S3BackupMode ?? "FailedDocumentsOnly";
            description["S3DestinationDescription"] = S3(os.S3Configuration!);
            return description;
        }

        private static JsonObject Buffering(BufferingHints? hints) => new()
        {
            ["SizeInMBs"] = hints?.SizeInMBs ?? 5,
            ["IntervalInSeconds"] = hints?.IntervalInSeconds ?? 300,
        };
    }
}
