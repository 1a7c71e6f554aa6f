namespace Firehose.Local
{
    /// <summary>
    /// Firehose's <c>BufferingHints</c> (S3) and <c>AmazonopensearchserviceBufferingHints</c> /
    /// <c>ElasticsearchBufferingHints</c>: the buffer is delivered when it holds <see cref="SizeInMBs"/> MiB or
    /// its oldest record is <see cref="IntervalInSeconds"/> old, whichever comes first.
    /// </summary>
    public sealed class BufferingHints
    {
        /// <summary>The buffer size in MiB (S3: 1–128, OpenSearch: 1–100; default 5).</summary>
        public int? SizeInMBs { get; set; }

        /// <summary>The buffer interval in seconds (0–900; default 300).</summary>
        public int? IntervalInSeconds { get; set; }
    }
}
