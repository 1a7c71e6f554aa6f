using System;
using System.Collections.Generic;
using System.IO;
using Firehose.Local.Destinations;
using Firehose.Local.Protocol;

namespace Firehose.Local.Streams
{
    /// <summary>Checks a stream definition as CreateDeliveryStream does and builds the stream and its destination.</summary>
    internal static class StreamFactory
    {
        public static DeliveryStream Create(DeliveryStreamDefinition definition, LocalContext context)
        {
            Validate.StreamName(definition.DeliveryStreamName);
            string name = definition.DeliveryStreamName!;
            string type = definition.DeliveryStreamType ?? "DirectPut";
            if (type is not ("DirectPut" or "KinesisStreamAsSource" or "MSKAsSource" or "DatabaseAsSource"))
                throw ServiceException.Validation(type, "deliveryStreamType", "Member must satisfy enum value set: [DirectPut, KinesisStreamAsSource, MSKAsSource, DatabaseAsSource]");
            if (type != "DirectPut")
                throw ServiceException.InvalidArgument($"Firehose Local supports DeliveryStreamType DirectPut only, not {type}.");

            var configured = new List<DestinationKind>();
            if (definition.S3DestinationConfiguration != null) configured.Add(DestinationKind.S3);
            if (definition.ExtendedS3DestinationConfiguration != null) configured.Add(DestinationKind.ExtendedS3);
            if (definition.AmazonopensearchserviceDestinationConfiguration != null) configured.Add(DestinationKind.AmazonOpenSearchService);
            if (definition.ElasticsearchDestinationConfiguration != null) configured.Add(DestinationKind.Elasticsearch);
            if (configured.Count != 1)
                throw ServiceException.InvalidArgument(configured.Count == 0
                    ? "Exactly one destination configuration must be specified (Firehose Local supports S3, ExtendedS3, Amazonopensearchservice and Elasticsearch)."
                    : "Only one destination configuration can be specified.");

            DestinationKind kind = configured[0];
            string arn = $"arn:aws:firehose:{context.Options.Region}:{context.Options.AccountId}:deliverystream/{name}";
            DateTimeOffset now = context.Clock.GetUtcNow();
            switch (kind)
            {
                case DestinationKind.S3:
                case DestinationKind.ExtendedS3:
                {
                    string member = kind == DestinationKind.S3 ? "s3DestinationConfiguration" : "extendedS3DestinationConfiguration";
                    S3DestinationConfiguration s3 = (kind == DestinationKind.S3 ? definition.S3DestinationConfiguration : definition.ExtendedS3DestinationConfiguration)!;
                    (int size, int interval) = CheckS3(s3, member);
                    var destination = new S3Destination(new LocalBucket(context.DataDirectory, s3.BucketARN!), s3.Prefix, name, "1", size, interval, context.ReportLoss);
                    return new DeliveryStream(name, arn, definition, kind, destination, now, null);
                }
                default:
                {
                    bool openSearch = kind == DestinationKind.AmazonOpenSearchService;
                    string member = openSearch ? "amazonopensearchserviceDestinationConfiguration" : "elasticsearchDestinationConfiguration";
                    OpenSearchDestinationConfiguration os = (openSearch ? definition.AmazonopensearchserviceDestinationConfiguration : definition.ElasticsearchDestinationConfiguration)!;
                    Validate.Pattern(os.RoleARN, member + ".roleARN", Validate.RoleArn(), @"arn:.*:iam::\d{12}:role/[a-zA-Z_0-9+=,.@\-_/]+", 1, 512, required: true);
                    Validate.Pattern(os.DomainARN, member + ".domainARN", Validate.DomainArn(), @"arn:.*:es:[a-zA-Z0-9\-]+:\d{12}:domain/[a-z][-0-9a-z]{2,27}", 1, 512, required: false);
                    Validate.Pattern(os.ClusterEndpoint, member + ".clusterEndpoint", Validate.ClusterEndpoint(), "https:.* (the model's pattern; Firehose Local accepts http:// too)", 1, 512, required: false);
                    if ((os.DomainARN is null) == (os.ClusterEndpoint is null))
                        throw ServiceException.InvalidArgument("Exactly one of DomainARN and ClusterEndpoint must be specified.");
                    Validate.Pattern(os.IndexName, member + ".indexName", Validate.Anything(), ".*", 1, 80, required: true);
                    Validate.Pattern(os.TypeName, member + ".typeName", Validate.Anything(), ".*", 0, 100, required: false);
                    string rotation = os.IndexRotationPeriod ?? IndexRotation.OneDay;
                    if (!IndexRotation.IsValid(rotation))
                        throw ServiceException.Validation(rotation, member + ".indexRotationPeriod", "Member must satisfy enum value set: [NoRotation, OneHour, OneDay, OneWeek, OneMonth]");
                    int size = Validate.Range(os.BufferingHints?.SizeInMBs, member + ".bufferingHints.sizeInMBs", 1, 100, 5);
                    int interval = Validate.Range(os.BufferingHints?.IntervalInSeconds, member + ".bufferingHints.intervalInSeconds", 0, 900, 300);
                    int retry = Validate.Range(os.RetryOptions?.DurationInSeconds, member + ".retryOptions.durationInSeconds", 0, 7200, 300);
                    string backupMode = os.S3BackupMode ?? "FailedDocumentsOnly";
                    if (backupMode is not ("FailedDocumentsOnly" or "AllDocuments"))
                        throw ServiceException.Validation(backupMode, member + ".s3BackupMode", "Member must satisfy enum value set: [FailedDocumentsOnly, AllDocuments]");
                    if (os.S3Configuration is null)
                        throw ServiceException.Validation("null", member + ".s3Configuration", "Member must not be null");
                    CheckS3(os.S3Configuration, member + ".s3Configuration");

                    string indexUrl = ResolveIndexUrl(os, name, context);
                    IBulkSink sink = CreateSink(indexUrl, context);
                    var settings = new OpenSearchDestinationSettings(
                        name, "1", os.IndexName!, string.IsNullOrEmpty(os.TypeName) ? null : os.TypeName, rotation, size, interval, retry,
                        backupMode == "AllDocuments", os.S3Configuration.Prefix,
                        openSearch ? "AmazonOpenSearchService-failed/" : "elasticsearch-failed/",
                        openSearch ? "OS" : "ES");
                    var destination = new OpenSearchDestination(settings, sink, new LocalBucket(context.DataDirectory, os.S3Configuration.BucketARN!), context.Clock,
                        context.StopRequested.Token, context.AbortSends.Token, context.ReportLoss);
                    return new DeliveryStream(name, arn, definition, kind, destination, now, indexUrl);
                }
            }
        }

        private static (int Size, int Interval) CheckS3(S3DestinationConfiguration s3, string member)
        {
            Validate.Pattern(s3.RoleARN, member + ".roleARN", Validate.RoleArn(), @"arn:.*:iam::\d{12}:role/[a-zA-Z_0-9+=,.@\-_/]+", 1, 512, required: true);
            Validate.Pattern(s3.BucketARN, member + ".bucketARN", Validate.BucketArn(), @"arn:.*:s3:::[\w\.\-]{1,255}", 1, 2048, required: true);
            string bucket = LocalBucket.NameOf(s3.BucketARN!);
            if (!LocalBucket.IsValidName(bucket))
                throw ServiceException.InvalidArgument($"Firehose Local: '{bucket}' in {member}.bucketARN is not a valid S3 bucket name (3-63 characters of a-z, 0-9, '.' and '-', starting and ending with a letter or digit, no '..').");
            Validate.Pattern(s3.Prefix, member + ".prefix", Validate.Anything(), ".*", 0, 1024, required: false);
            Validate.Pattern(s3.ErrorOutputPrefix, member + ".errorOutputPrefix", Validate.Anything(), ".*", 0, 1024, required: false);
            if (s3.CompressionFormat is not (null or "UNCOMPRESSED"))
            {
                if (s3.CompressionFormat is not ("GZIP" or "ZIP" or "Snappy" or "HADOOP_SNAPPY"))
                    throw ServiceException.Validation(s3.CompressionFormat, member + ".compressionFormat", "Member must satisfy enum value set: [UNCOMPRESSED, GZIP, ZIP, Snappy, HADOOP_SNAPPY]");
                throw ServiceException.InvalidArgument($"Firehose Local supports CompressionFormat UNCOMPRESSED only, not {s3.CompressionFormat}.");
            }
            if (s3.Prefix != null && s3.Prefix.Contains("!{", StringComparison.Ordinal))
                throw ServiceException.InvalidArgument("Firehose Local does not evaluate !{...} expressions in Prefix; use a plain prefix.");
            int size = Validate.Range(s3.BufferingHints?.SizeInMBs, member + ".bufferingHints.sizeInMBs", 1, 128, 5);
            int interval = Validate.Range(s3.BufferingHints?.IntervalInSeconds, member + ".bufferingHints.intervalInSeconds", 0, 900, 300);
            return (size, interval);
        }

        /// <summary>The mapping for ClusterEndpoint / DomainARN / domain name; else an http(s) ClusterEndpoint; else the default.</summary>
        private static string ResolveIndexUrl(OpenSearchDestinationConfiguration os, string stream, LocalContext context)
        {
            IReadOnlyDictionary<string, string> map = context.Options.IndexUrls;
            string? domainName = os.DomainARN is { } domainArn && domainArn.LastIndexOf('/') is int slash and >= 0 ? domainArn.Substring(slash + 1) : null;
            string? endpointHost = os.ClusterEndpoint != null && Uri.TryCreate(os.ClusterEndpoint, UriKind.Absolute, out Uri? endpoint) ? endpoint.Host : null;
            // Configuration keys cannot hold ':', so settings files map by domain name or endpoint host; code may use the full ARN or URL.
            foreach (string? key in new[] { os.ClusterEndpoint, os.DomainARN, domainName, endpointHost })
            {
                if (key != null && map.TryGetValue(key, out string? url))
                    return url;
            }
            if (os.ClusterEndpoint != null && (os.ClusterEndpoint.StartsWith("http://", StringComparison.OrdinalIgnoreCase) || os.ClusterEndpoint.StartsWith("https://", StringComparison.OrdinalIgnoreCase)))
                return os.ClusterEndpoint;
            if (!string.IsNullOrEmpty(context.Options.DefaultIndexUrl))
                return context.Options.DefaultIndexUrl!;
            return new Uri(Path.Combine(context.DataDirectory, "_indexes", stream)).AbsoluteUri;
        }

        private static IBulkSink CreateSink(string indexUrl, LocalContext context)
        {
            if (!Uri.TryCreate(indexUrl, UriKind.Absolute, out Uri? uri))
                throw ServiceException.InvalidArgument($"The index URL '{indexUrl}' for this destination is not an absolute URL.");
            if (uri.IsFile)
                return new FileBulkSink(uri.LocalPath);
            if (uri.Scheme is "http" or "https")
                return new HttpBulkSink(context.Http, uri);
            throw ServiceException.InvalidArgument($"The index URL '{indexUrl}' must be http://, https:// or file://.");
        }
    }
}
