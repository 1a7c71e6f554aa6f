using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Threading.Tasks;
using Firehose.Local;

namespace NLog.Targets.Firehose.Tests.Infrastructure
{
    /// <summary>
    /// Firehose Local (src/Firehose.Local) in-process on 127.0.0.1 with a port the OS picks, with S3 delivery streams into
    /// a temporary directory: end-to-end tests send to it as to the service (signed, validated) and read what it delivered.
    /// Tests that need transport faults (connection resets, refused connections) or to look at each request's headers use
    /// <see cref="LoopbackFirehose"/> instead.
    /// </summary>
    internal sealed class LocalFirehose : IAsyncDisposable
    {
        private const string Bucket = "delivered";

        private LocalFirehose(FirehoseLocalServer server, FirehoseLocalOptions options)
        {
            Server = server;
            Options = options;
        }

        public FirehoseLocalServer Server { get; }

        public FirehoseLocalOptions Options { get; }

        public Uri Url => Server.Url;

        public string Region => Server.Region;

        public string AccessKey => Options.AccessKey;

        public string SecretKey => Options.SecretKey;

        /// <summary>Starts Firehose Local in <paramref name="region"/> with one S3 stream per name in <paramref name="streams"/>.</summary>
        public static async Task<LocalFirehose> StartAsync(string region, params string[] streams)
        {
            var options = new FirehoseLocalOptions
            {
                Port = 0,
                Region = region,
                DataDirectory = Path.Combine(Path.GetTempPath(), "firehose-local-test-" + Guid.NewGuid().ToString("N")),
            };
            foreach (string stream in streams)
                options.Streams.Add(S3Stream(stream));
            return new LocalFirehose(await FirehoseLocalServer.StartAsync(options).ConfigureAwait(false), options);
        }

        /// <summary>A DirectPut stream to the local S3 bucket, its objects under the stream's name (delivered only when flushed).</summary>
        public static DeliveryStreamDefinition S3Stream(string stream) => new DeliveryStreamDefinition
        {
            DeliveryStreamName = stream,
            DeliveryStreamType = "DirectPut",
            ExtendedS3DestinationConfiguration = new S3DestinationConfiguration
            {
                RoleARN = "arn:aws:iam::000000000000:role/firehose",
                BucketARN = "arn:aws:s3:::" + Bucket,
                Prefix = stream + "/",
                BufferingHints = new BufferingHints { IntervalInSeconds = 900, SizeInMBs = 128 },
            },
        };

        public FirehoseTarget NewTarget(string stream) => new FirehoseTarget("firehose")
        {
            DeliveryStreamName = stream,
            Region = Region,
            ServiceUrl = Url.ToString(),
            AccessKey = AccessKey,
            SecretKey = SecretKey,
        };

        /// <summary>Delivers every buffer now and returns the records <paramref name="stream"/> delivered to S3, one per line, in object order.</summary>
        public async Task<List<string>> DeliveredAsync(string stream)
        {
            await Server.FlushAsync().ConfigureAwait(false);
            string directory = Path.Combine(Server.DataDirectory, Bucket, stream);
            if (!Directory.Exists(directory))
                return new List<string>();
            return Directory.GetFiles(directory, "*", SearchOption.AllDirectories)
                .OrderBy(f => f, StringComparer.Ordinal)
                .SelectMany(f => Encoding.UTF8.GetString(File.ReadAllBytes(f)).Split('\n'))
                .Where(line => line.Length > 0)
                .ToList();
        }

        public async ValueTask DisposeAsync()
        {
            await Server.DisposeAsync().ConfigureAwait(false);
            try
            {
                Directory.Delete(Server.DataDirectory, recursive: true);
            }
            catch (IOException)
            {
                // best effort
            }
        }
    }
}
