using System;
using System.Collections.Generic;

namespace Firehose.Local
{
    /// <summary>
    /// The settings of Firehose Local, bindable from the configuration section <see cref="SectionName"/>
    /// (appsettings.json, environment, command line such as <c>--FirehoseLocal:Port=4573</c>).
    /// </summary>
    public sealed class FirehoseLocalOptions
    {
        /// <summary>The configuration section these options are bound from: <c>FirehoseLocal</c>.</summary>
        public const string SectionName = "FirehoseLocal";

        /// <summary>The address to listen on (default 127.0.0.1).</summary>
        public string Host { get; set; } = "127.0.0.1";

        /// <summary>The TCP port (default 4573; 0 lets the OS pick one, see <see cref="FirehoseLocalServer.Url"/>).</summary>
        public int Port { get; set; } = 4573;

        /// <summary>The region expected in signatures and used in ARNs (default us-east-1).</summary>
        public string Region { get; set; } = "us-east-1";

        /// <summary>The 12-digit account id used in ARNs and messages (default 000000000000).</summary>
        public string AccountId { get; set; } = "000000000000";

        /// <summary>The access key id clients must sign with (default <c>AKIAFIREHOSELOCAL</c>).</summary>
        public string AccessKey { get; set; } = "AKIAFIREHOSELOCAL";

        /// <summary>The secret access key clients must sign with (default <c>firehose-local-secret</c>).</summary>
        public string SecretKey { get; set; } = "firehose-local-secret";

        /// <summary>Whether SigV4 signatures are verified (default true). When false, any or no signature is accepted.</summary>
        public bool VerifySignatures { get; set; } = true;

        /// <summary>How far, in minutes, a request's X-Amz-Date may be from the system clock (default 15, as AWS).</summary>
        public int MaxClockSkewMinutes { get; set; } = 15;

        /// <summary>
        /// The directory that holds the local S3 buckets (one subdirectory per bucket name) and the default file
        /// indexes. Default: <c>firehose-local-data</c> in the current directory.
        /// </summary>
        public string? DataDirectory { get; set; }

        /// <summary>
        /// Where OpenSearch/Elasticsearch destinations deliver, keyed by the configuration's <c>ClusterEndpoint</c>,
        /// <c>DomainARN</c>, the domain name of the ARN or the host of the endpoint (configuration keys cannot contain
        /// ':', so settings files use the last two). A value is a cluster URL (http:// or https://, documents
        /// are POSTed to <c>{url}/_bulk</c>) or a <c>file://</c> directory URL (each index is appended to
        /// <c>{dir}/{index}.ndjson</c>). Unmapped http(s) cluster endpoints are used directly; anything else goes to
        /// <see cref="DefaultIndexUrl"/>.
        /// </summary>
        public Dictionary<string, string> IndexUrls { get; set; } = new Dictionary<string, string>(StringComparer.Ordinal);

        /// <summary>The index URL of destinations with no mapping and no http(s) cluster endpoint. Default: <c>file://{DataDirectory}/_indexes/{stream}</c>.</summary>
        public string? DefaultIndexUrl { get; set; }

        /// <summary>The streams created at start-up, each like a CreateDeliveryStream input.</summary>
        public List<DeliveryStreamDefinition> Streams { get; set; } = new List<DeliveryStreamDefinition>();

        /// <summary>The faults in force at start-up.</summary>
        public FaultSettings Faults { get; set; } = new FaultSettings();

        /// <summary>The most streams that can exist at once; CreateDeliveryStream beyond it fails with LimitExceededException (default 5000).</summary>
        public int MaxDeliveryStreams { get; set; } = 5000;

        /// <summary>How often, in milliseconds, buffers are checked against their interval (default 1000).</summary>
        public int BufferCheckIntervalMilliseconds { get; set; } = 1000;

        /// <summary>
        /// The clock for arrival times, S3 keys, index rotation and buffer intervals (default <see cref="System.TimeProvider.System"/>).
        /// Signature times and retry durations always use the system clock. Not bound from configuration.
        /// </summary>
        public TimeProvider? TimeProvider { get; set; }
    }
}
