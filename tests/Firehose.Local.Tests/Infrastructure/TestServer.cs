using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading.Tasks;

namespace Firehose.Local.Tests.Infrastructure
{
    /// <summary>Starts Firehose Local for a test: 127.0.0.1, port 0, the test credentials, a fast buffer check.</summary>
    internal static class TestServer
    {
        public const string AccessKey = "AKIDLOCALTEST";
        public const string SecretKey = "local/test+secret";
        public const string RoleArn = "arn:aws:iam::123456789012:role/firehose";

        public static Task<FirehoseLocalServer> StartAsync(string dataDirectory, Action<FirehoseLocalOptions>? configure = null)
        {
            var options = new FirehoseLocalOptions
            {
                Host = "127.0.0.1",
                Port = 0,
                AccessKey = AccessKey,
                SecretKey = SecretKey,
                DataDirectory = dataDirectory,
                BufferCheckIntervalMilliseconds = 25,
            };
            configure?.Invoke(options);
            return FirehoseLocalServer.StartAsync(options);
        }

        public static DeliveryStreamDefinition S3Stream(string name, string bucket = "bucket", string? prefix = null, int sizeInMBs = 5, int intervalInSeconds = 300) => new()
        {
            DeliveryStreamName = name,
            DeliveryStreamType = "DirectPut",
            ExtendedS3DestinationConfiguration = new S3DestinationConfiguration
            {
                RoleARN = RoleArn,
                BucketARN = "arn:aws:s3:::" + bucket,
                Prefix = prefix,
                BufferingHints = new BufferingHints { SizeInMBs = sizeInMBs, IntervalInSeconds = intervalInSeconds },
            },
        };

        /// <summary>Every file under the directory, as paths relative to it with '/' separators.</summary>
        public static IReadOnlyList<string> Files(string directory)
            => !Directory.Exists(directory) ? Array.Empty<string>()
                : Directory.GetFiles(directory, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(directory, f).Replace('\\', '/')).OrderBy(f => f, StringComparer.Ordinal).ToList();

        /// <summary>Waits (up to 10 s) until <paramref name="condition"/> holds.</summary>
        public static async Task<bool> EventuallyAsync(Func<bool> condition, int timeoutMilliseconds = 10_000)
        {
            var deadline = DateTime.UtcNow.AddMilliseconds(timeoutMilliseconds);
            while (!condition())
            {
                if (DateTime.UtcNow > deadline)
                    return false;
                await Task.Delay(20).ConfigureAwait(false);
            }
            return true;
        }
    }
}
