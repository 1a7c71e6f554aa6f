using System;
using System.Collections.Generic;
using System.IO;
using System.Net;
using System.Net.Http;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using Amazon.Runtime;
using Firehose.Local;
using NLog.Config;
using NLog.Layouts;
using NLog.Targets.Firehose.Client;
using NLog.Targets.Firehose.Layouts;

namespace NLog.Targets.Firehose.Benchmarks
{
    /// <summary>The one event every pipeline logs, and the helpers both modes share.</summary>
    internal static class BenchEvent
    {
        public const string StreamName = "bench-logs";
        public const string ServiceName = "checkout-api";
        public const string LoggerName = "Shop.Checkout.OrderService";

        /// <summary>
        /// Logs the benchmark event: a message template with three structured properties, which the default layout
        /// renders as about 330-byte JSON line (timestamp, event.id, level, logger, message, host, process, service, properties).
        /// </summary>
        public static void Log(Logger logger, int i) => logger.Info("Order {OrderId} shipped to {Customer} in {ElapsedMs} ms", i, "customer-4711", 42);

        /// <summary>The target's default layout (the same kind of object FirehoseTarget builds: JSON rendered on the background thread unless the event needs the logging thread), for the pipelines that are not FirehoseTarget.</summary>
        public static Layout JsonLayout() => FirehoseJsonLayout.Create(Layout.FromString(ServiceName));

        /// <summary>
        /// The same document as a plain NLog <see cref="NLog.Layouts.JsonLayout"/> (what a FileTarget user writes to get it: with
        /// IncludeScopeProperties, which NLog renders on the logging thread), optionally with parts removed to attribute costs.
        /// </summary>
        public static Layout PlainJsonLayout(bool eventId = true, bool scopeProperties = true)
        {
            JsonLayout layout = FirehoseJsonLayout.CreateJson(Layout.FromString(ServiceName));
            if (!eventId)
            {
                for (int i = layout.Attributes.Count - 1; i >= 0; i--)
                {
                    if (layout.Attributes[i].Name == "event.id")
                        layout.Attributes.RemoveAt(i);
                }
            }
            layout.IncludeScopeProperties = scopeProperties;
            return layout;
        }

        /// <summary>A LogFactory whose only rule sends every level to <paramref name="target"/>.</summary>
        public static LogFactory Factory(Target target)
        {
            var factory = new LogFactory { ThrowConfigExceptions = true };
            var config = new LoggingConfiguration(factory);
            config.AddRuleForAllLevels(target);
            factory.Configuration = config;
            return factory;
        }

        /// <summary>Starts Firehose Local on a loopback port with one S3 (local directory) stream.</summary>
        public static Task<FirehoseLocalServer> StartServerAsync(string dataDirectory, int latencyMs = 0) => FirehoseLocalServer.StartAsync(new FirehoseLocalOptions
        {
            Host = "127.0.0.1",
            Port = 0,
            DataDirectory = dataDirectory,
            Faults = new FaultSettings { LatencyMilliseconds = latencyMs },
            Streams =
            {
                new DeliveryStreamDefinition
                {
                    DeliveryStreamName = StreamName,
                    ExtendedS3DestinationConfiguration = new S3DestinationConfiguration
                    {
                        RoleARN = "arn:aws:iam::123456789012:role/firehose",
                        BucketARN = "arn:aws:s3:::bench-bucket",
                        BufferingHints = new BufferingHints { SizeInMBs = 5, IntervalInSeconds = 900 },
                    },
                },
            },
        });

        /// <summary>A Firehose target pointed at <paramref name="server"/>, as a user would configure it (only endpoint, region and keys set).</summary>
        public static FirehoseTarget FirehoseTarget(FirehoseLocalServer server, FirehoseLocalOptions? defaults = null)
        {
            defaults ??= new FirehoseLocalOptions();
            return new FirehoseTarget("firehose")
            {
                DeliveryStreamName = StreamName,
                ServiceUrl = server.Url.ToString(),
                Region = server.Region,
                AccessKey = defaults.AccessKey,
                SecretKey = defaults.SecretKey,
                ServiceName = ServiceName,
            };
        }

        /// <summary>Counts '\n' bytes of every file under <paramref name="directory"/>.</summary>
        public static long CountLines(string directory)
        {
            long lines = 0;
            if (!Directory.Exists(directory))
                return 0;
            foreach (string file in Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories))
                lines += CountLines(file, 0, out _);
            return lines;
        }

        /// <summary>Counts '\n' bytes of <paramref name="file"/> from <paramref name="offset"/> on; <paramref name="end"/> is its length.</summary>
        public static long CountLines(string file, long offset, out long end)
        {
            using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1 << 16);
            stream.Seek(offset, SeekOrigin.Begin);
            byte[] buffer = new byte[1 << 16];
            long lines = 0;
            int read;
            while ((read = stream.Read(buffer, 0, buffer.Length)) > 0)
                lines += buffer.AsSpan(0, read).Count((byte)'\n');
            end = stream.Position;
            return lines;
        }
    }

    /// <summary>The baseline: an AsyncTaskTarget whose writes discard the events.</summary>
    internal sealed class DiscardTarget : AsyncTaskTarget
    {
        public DiscardTarget(string name)
        {
            Name = name;
        }

        protected override Task WriteAsyncTask(LogEventInfo logEvent, CancellationToken cancellationToken) => Task.CompletedTask;

        protected override Task WriteAsyncTask(IList<LogEventInfo> logEvents, CancellationToken cancellationToken) => Task.CompletedTask;
    }

    /// <summary>
    /// The real client, wrapped to count what a PutRecordBatch call bills: every record accepted, rounded up to 5 KB.
    /// Used only for the billing runs (the throughput runs use the target exactly as users do).
    /// </summary>
    internal sealed class BillingClient : IFirehoseClient
    {
        public const int BillingUnit = 5 * 1024;
        private readonly IFirehoseClient _inner;
        private long _units;
        private long _bytes;
        private long _records;

        public BillingClient(IFirehoseClient inner)
        {
            _inner = inner;
        }

        public long Units => Interlocked.Read(ref _units);

        public long Bytes => Interlocked.Read(ref _bytes);

        public long Records => Interlocked.Read(ref _records);

        public async Task<PutRecordBatchResponse> PutRecordBatchAsync(string deliveryStreamName, IReadOnlyList<ReadOnlyMemory<byte>> records, CancellationToken cancellationToken)
        {
            PutRecordBatchResponse response = await _inner.PutRecordBatchAsync(deliveryStreamName, records, cancellationToken).ConfigureAwait(false);
            long units = 0, bytes = 0, count = 0;
            for (int i = 0; i < records.Count; i++)
            {
                if (response.RequestResponses[i].Failed)
                    continue;
                int size = records[i].Length;
                units += (size + BillingUnit - 1) / BillingUnit;
                bytes += size;
                count++;
            }
            Interlocked.Add(ref _units, units);
            Interlocked.Add(ref _bytes, bytes);
            Interlocked.Add(ref _records, count);
            return response;
        }

        public void Dispose() => _inner.Dispose();

        /// <summary>A target whose client is the real HTTP client behind a <see cref="BillingClient"/>.</summary>
        public static FirehoseTarget Target(FirehoseLocalServer server, out Func<BillingClient?> client)
        {
            BillingClient? made = null;
            var target = new FirehoseTarget(settings => made = new BillingClient(new FirehoseHttpClient(settings.Endpoint, settings.Region, settings.Credentials, settings.RequestTimeout)))
            {
                Name = "firehose-billing",
                DeliveryStreamName = BenchEvent.StreamName,
                ServiceUrl = server.Url.ToString(),
                Region = server.Region,
                AccessKey = new FirehoseLocalOptions().AccessKey,
                SecretKey = new FirehoseLocalOptions().SecretKey,
                ServiceName = BenchEvent.ServiceName,
            };
            client = () => made;
            return target;
        }
    }

    /// <summary>Answers every PutRecordBatch at once with success for every record (no HTTP).</summary>
    internal sealed class InstantClient : IFirehoseClient
    {
        private readonly Dictionary<int, PutRecordBatchResponse> _answers = new Dictionary<int, PutRecordBatchResponse>();

        public Task<PutRecordBatchResponse> PutRecordBatchAsync(string deliveryStreamName, IReadOnlyList<ReadOnlyMemory<byte>> records, CancellationToken cancellationToken)
        {
            PutRecordBatchResponse? answer;
            lock (_answers)
            {
                if (!_answers.TryGetValue(records.Count, out answer))
                {
                    var entries = new List<PutRecordBatchResponseEntry>(records.Count);
                    for (int i = 0; i < records.Count; i++)
                        entries.Add(new PutRecordBatchResponseEntry("id-" + i, null, null));
                    answer = new PutRecordBatchResponse(0, false, entries);
                    _answers[records.Count] = answer;
                }
            }
            return Task.FromResult(answer);
        }

        public void Dispose()
        {
        }
    }

    /// <summary>
    /// An HTTP handler that answers every PutRecordBatch with a canned success body for 500 records, so the real
    /// <see cref="FirehoseHttpClient"/> (body encoding, base64, SigV4, HttpClient pipeline, response parsing) runs without a socket.
    /// </summary>
    internal sealed class CannedHandler : HttpMessageHandler
    {
        private readonly Dictionary<int, byte[]> _bodies = new Dictionary<int, byte[]>();
        private readonly bool _countRecords;

        /// <summary>Answers <paramref name="records"/> entries; with 0, as many entries as the request has records (counted in its body).</summary>
        public CannedHandler(int records)
        {
            _countRecords = records == 0;
            if (records > 0)
                Body = BodyFor(records);
            else
                Body = Array.Empty<byte>();
        }

        public byte[] Body { get; }

        private byte[] BodyFor(int records)
        {
            lock (_bodies)
            {
                if (_bodies.TryGetValue(records, out byte[]? cached))
                    return cached;
                var sb = new StringBuilder("{\"FailedPutCount\":0,\"Encrypted\":false,\"RequestResponses\":[");
                for (int i = 0; i < records; i++)
                {
                    if (i > 0)
                        sb.Append(',');
                    sb.Append("{\"RecordId\":\"49543463076548007577105092703039560359975228518395019266000000000000000000000000000").Append(i.ToString("D6", System.Globalization.CultureInfo.InvariantCulture)).Append("\"}");
                }
                sb.Append("]}");
                byte[] body = Encoding.UTF8.GetBytes(sb.ToString());
                _bodies[records] = body;
                return body;
            }
        }

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            byte[] body = Body;
            if (_countRecords)
            {
                byte[] sent = await request.Content!.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
                body = BodyFor(sent.AsSpan().Count("{\"Data\":"u8));
            }
            var response = new HttpResponseMessage(HttpStatusCode.OK) { Content = new ByteArrayContent(body), RequestMessage = request };
            response.Headers.TryAddWithoutValidation("x-amzn-RequestId", "bench");
            return response;
        }

        public static FirehoseHttpClient Client(int records) => new FirehoseHttpClient(new Uri("http://127.0.0.1:1/"), "us-east-1",
            new BasicAWSCredentials("AKIDBENCH", "bench-secret"), TimeSpan.FromSeconds(30), new CannedHandler(records));
    }
}
