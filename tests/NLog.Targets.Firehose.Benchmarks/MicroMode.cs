using System;
using System.Buffers;
using System.Collections.Generic;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using Amazon.Runtime;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using NLog.Layouts;
using NLog.Targets.Firehose.Batching;
using NLog.Targets.Firehose.Client;

namespace NLog.Targets.Firehose.Benchmarks
{
    /// <summary>The <c>micro</c> mode: BenchmarkDotNet with a short job; arguments pass through (--filter, --job, …).</summary>
    internal static class MicroMode
    {
        public static int Run(string[] args)
        {
            IConfig config = DefaultConfig.Instance
                .AddJob(Job.ShortRun.WithWarmupCount(2).WithIterationCount(5).WithLaunchCount(1).WithId("Short"))
                .AddDiagnoser(MemoryDiagnoser.Default)
                .WithOptions(ConfigOptions.DisableOptimizationsValidator);
            var summaries = BenchmarkSwitcher.FromTypes(new[] { typeof(CallerBenchmarks), typeof(TargetPathBenchmarks) }).Run(args, config);
            foreach (var summary in summaries)
            {
                if (summary.HasCriticalValidationErrors || summary.Reports.Length == 0)
                    return 1;
            }
            return 0;
        }
    }

    /// <summary>
    /// What one Logger.Info costs the calling thread: into the Firehose target (its client answers at once, no HTTP) vs
    /// into a bare AsyncTaskTarget that discards. Each iteration logs <see cref="Calls"/> events, fewer than the queue
    /// holds; the queue is flushed between iterations (not measured). Note: BenchmarkDotNet's allocation column counts
    /// every thread (the background write included); the throughput mode reports the calling thread alone.
    /// </summary>
    [MemoryDiagnoser]
    public class CallerBenchmarks
    {
        private const int Calls = 4000;
        private LogFactory _factory = null!;
        private Logger _logger = null!;
        private int _i;

        /// <summary>
        /// Firehose: the target (instant client). Bare: a discarding AsyncTaskTarget with NLog's default layout.
        /// BareJsonLayout: the same with the target's default layout. BarePlainJson: with the same document as a plain NLog
        /// JsonLayout (IncludeScopeProperties, rendered on the logging thread). BareJsonNoEventId / BareJsonNoScope: that
        /// plain layout without the event.id attribute / with IncludeScopeProperties=false, to attribute the caller-thread cost.
        /// </summary>
        [Params("Firehose", "Bare", "BareJsonLayout", "BarePlainJson", "BareJsonNoEventId", "BareJsonNoScope")]
        public string Target { get; set; } = "Firehose";

        [GlobalSetup]
        public void Setup()
        {
            Target target = Target switch
            {
                "Firehose" => new FirehoseTarget(_ => new InstantClient())
                {
                    Name = "firehose",
                    DeliveryStreamName = BenchEvent.StreamName,
                    Region = "us-east-1",
                    AccessKey = "AKIDBENCH",
                    SecretKey = "bench-secret",
                    ServiceName = BenchEvent.ServiceName,
                    QueueLimit = 20000,
                },
                "Bare" => new DiscardTarget("bare") { BatchSize = 2000, TaskDelayMilliseconds = 100, QueueLimit = 20000 },
                "BareJsonLayout" => new DiscardTarget("bare-json") { BatchSize = 2000, TaskDelayMilliseconds = 100, QueueLimit = 20000, Layout = BenchEvent.JsonLayout() },
                "BarePlainJson" => new DiscardTarget("bare-json") { BatchSize = 2000, TaskDelayMilliseconds = 100, QueueLimit = 20000, Layout = BenchEvent.PlainJsonLayout() },
                "BareJsonNoEventId" => new DiscardTarget("bare-json") { BatchSize = 2000, TaskDelayMilliseconds = 100, QueueLimit = 20000, Layout = BenchEvent.PlainJsonLayout(eventId: false) },
                _ => new DiscardTarget("bare-json") { BatchSize = 2000, TaskDelayMilliseconds = 100, QueueLimit = 20000, Layout = BenchEvent.PlainJsonLayout(scopeProperties: false) },
            };
            _factory = BenchEvent.Factory(target);
            _logger = _factory.GetLogger(BenchEvent.LoggerName);
        }

        [IterationCleanup]
        public void Drain() => _factory.Flush(TimeSpan.FromSeconds(30));

        [GlobalCleanup]
        public void Cleanup() => _factory.Dispose();

        [Benchmark(OperationsPerInvoke = Calls)]
        public void LoggerInfo()
        {
            for (int i = 0; i < Calls; i++)
                BenchEvent.Log(_logger, _i++);
        }
    }

    /// <summary>
    /// The target's own per-event path, without a socket: rendering one event, encoding it into a record, a whole
    /// 500-record request body (base64 JSON), signing it, parsing a 500-entry answer, and one whole write of 2,000 events
    /// through the target (with a client that answers at once, and with the real HTTP client on a canned handler).
    /// Results are per event.
    /// </summary>
    [MemoryDiagnoser]
    public class TargetPathBenchmarks
    {
        private const int Batch = 500;
        private const int Write = 2000;
        private Layout _layout = null!;
        private LogEventInfo _event = null!;
        private readonly StringBuilder _sb = new StringBuilder(1024);
        private readonly RecordBuffer _records = new RecordBuffer();
        private readonly byte[] _delimiter = { (byte)'\n' };
        private List<ReadOnlyMemory<byte>> _recordList = null!;
        private readonly ArrayBufferWriter<byte> _body = new ArrayBufferWriter<byte>(256 * 1024);
        private byte[] _answer = null!;
        private SigV4Signer _signer = null!;
        private ImmutableCredentials _credentials = null!;
        private LogFactory _instantFactory = null!;
        private WritableFirehoseTarget _instantTarget = null!;
        private LogFactory _httpFactory = null!;
        private WritableFirehoseTarget _httpTarget = null!;
        private List<LogEventInfo> _events = null!;

        [GlobalSetup]
        public void Setup()
        {
            _layout = BenchEvent.JsonLayout();
            _event = NewEvent(1);
            _sb.Clear();
            _layout.Render(_event, _sb);
            var records = new RecordBuffer();
            for (int i = 0; i < Batch; i++)
            {
                _sb.Clear();
                _layout.Render(NewEvent(i), _sb);
                records.TryAdd(_sb, _delimiter, FirehoseLimits.MaxRecordBytes, out _);
            }
            _recordList = new List<ReadOnlyMemory<byte>>();
            for (int i = 0; i < records.Count; i++)
                _recordList.Add(records[i].ToArray());
            _answer = new CannedHandler(Batch).Body;
            _signer = new SigV4Signer("us-east-1", FirehoseProtocol.SigningName);
            _credentials = new ImmutableCredentials("AKIDBENCH", "bench-secret", null);
            _events = new List<LogEventInfo>(Write);
            for (int i = 0; i < Write; i++)
                _events.Add(NewEvent(i));

            _instantTarget = new WritableFirehoseTarget(_ => new InstantClient());
            _instantFactory = BenchEvent.Factory(_instantTarget);
            _httpTarget = new WritableFirehoseTarget(s => CannedHandler.Client(Batch));
            _httpFactory = BenchEvent.Factory(_httpTarget);
        }

        [GlobalCleanup]
        public void Cleanup()
        {
            _instantFactory.Dispose();
            _httpFactory.Dispose();
        }

        private static LogEventInfo NewEvent(int i) => LogEventInfo.Create(LogLevel.Info, BenchEvent.LoggerName, null, "Order {OrderId} shipped to {Customer} in {ElapsedMs} ms", new object[] { i, "customer-4711", 42 });

        /// <summary>A new event rendered by the default layout (event.id created, as for every event once).</summary>
        [Benchmark]
        public int RenderNewEvent()
        {
            _sb.Clear();
            _layout.Render(NewEvent(7), _sb);
            return _sb.Length;
        }

        /// <summary>The same event rendered again (event.id looked up: a resend).</summary>
        [Benchmark]
        public int RenderSameEvent()
        {
            _sb.Clear();
            _layout.Render(_event, _sb);
            return _sb.Length;
        }

        /// <summary>Rendered text → UTF-8 record in the call's buffer.</summary>
        [Benchmark]
        public long EncodeRecord()
        {
            if (_records.Count >= Batch)
                _records.Clear();
            return _records.TryAdd(_sb, _delimiter, FirehoseLimits.MaxRecordBytes, out _);
        }

        /// <summary>The PutRecordBatch body of 500 records (JSON, base64), per record.</summary>
        [Benchmark(OperationsPerInvoke = Batch)]
        public int BuildBody()
        {
            _body.Clear();
            FirehoseProtocol.WritePutRecordBatchBody(_body, BenchEvent.StreamName, _recordList);
            return _body.WrittenCount;
        }

        /// <summary>SHA-256 of the 500-record body and the SigV4 signature, per record.</summary>
        [Benchmark(OperationsPerInvoke = Batch)]
        public object SignBody()
        {
            if (_body.WrittenCount == 0)
                FirehoseProtocol.WritePutRecordBatchBody(_body, BenchEvent.StreamName, _recordList);
            var request = new SigV4Request { Method = "POST", Path = "/", Query = string.Empty, PayloadSha256Hex = SigV4Signer.Sha256Hex(_body.WrittenSpan) };
            request.Headers.Add(new KeyValuePair<string, string>("host", "firehose.us-east-1.amazonaws.com"));
            request.Headers.Add(new KeyValuePair<string, string>("content-type", FirehoseProtocol.ContentType));
            request.Headers.Add(new KeyValuePair<string, string>("x-amz-target", FirehoseProtocol.PutRecordBatchTarget));
            return _signer.Sign(request, _credentials, DateTime.UtcNow);
        }

        /// <summary>Parsing a 500-entry PutRecordBatch answer, per record.</summary>
        [Benchmark(OperationsPerInvoke = Batch)]
        public int ParseAnswer() => FirehoseProtocol.ParsePutRecordBatchResponse(_answer, Batch).RequestResponses.Count;

        /// <summary>One write of 2,000 events through the target (render, plan, 4 calls in flight) with a client that answers at once, per event.</summary>
        [Benchmark(OperationsPerInvoke = Write)]
        public Task WriteInstantClient() => _instantTarget.WriteBatch(_events);

        /// <summary>The same with the real HTTP client (body, base64, SigV4, HttpClient, parsing) on a canned in-memory handler, per event.</summary>
        [Benchmark(OperationsPerInvoke = Write)]
        public Task WriteHttpClientCanned() => _httpTarget.WriteBatch(_events);
    }

    /// <summary>The Firehose target with its batch write reachable from a benchmark.</summary>
    internal sealed class WritableFirehoseTarget : FirehoseTarget
    {
        public WritableFirehoseTarget(Func<FirehoseClientSettings, IFirehoseClient> client)
            : base(client)
        {
            Name = "firehose-micro";
            DeliveryStreamName = BenchEvent.StreamName;
            Region = "us-east-1";
            AccessKey = "AKIDBENCH";
            SecretKey = "bench-secret";
            ServiceName = BenchEvent.ServiceName;
        }

        public Task WriteBatch(IList<LogEventInfo> events) => WriteAsyncTask(events, CancellationToken.None);
    }
}
