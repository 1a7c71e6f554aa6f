namespace Firehose.Local
{
    /// <summary>
    /// Firehose's <c>S3DestinationConfiguration</c> / <c>ExtendedS3DestinationConfiguration</c> (the members Firehose
    /// Local uses). Objects are written under the data directory, in a subdirectory named after the bucket of
    /// <see cref="BucketARN"/>.
    /// </summary>
    public sealed class S3DestinationConfiguration
    {
        /// <summary>The IAM role ARN (required by the API; only its format is checked).</summary>
        public string? RoleARN { get; set; }

        /// <summary>The bucket ARN, <c>arn:aws:s3:::bucket-name</c> (required).</summary>
        public string? BucketARN { get; set; }

        /// <summary>The key prefix put before Firehose's <c>YYYY/MM/dd/HH/</c> time prefix.</summary>
        public string? Prefix { get; set; }

        /// <summary>The error output prefix (kept and described; Firehose Local writes no processing errors).</summary>
        public string? ErrorOutputPrefix { get; set; }

        /// <summary>When to deliver the buffer.</summary>
        public BufferingHints? BufferingHints { get; set; }

        /// <summary>The compression format; only <c>UNCOMPRESSED</c> (the default) is supported.</summary>
        public string? CompressionFormat { get; set; }
    }
}
