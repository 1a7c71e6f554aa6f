using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using NLog.Config;
using NLog.Targets.Firehose.Client;
using NSubstitute;

namespace NLog.Targets.Firehose.Tests.Infrastructure
{
    /// <summary>
    /// The real <see cref="FirehoseTarget"/> in a real <see cref="LogFactory"/> and <see cref="LoggingConfiguration"/>,
    /// with an NSubstitute <see cref="IFirehoseClient"/> that records every call (copying the record bytes, since the
    /// target reuses its buffers) and answers success, or per-record failures chosen by <see cref="FailRecord"/>.
    /// </summary>
    internal sealed class TargetHarness : IDisposable
    {
        private TargetHarness(FirehoseTarget target, IFirehoseClient client, LogFactory factory)
        {
            Target = target;
            Client = client;
            LogFactory = factory;
            Logger = factory.GetLogger("Harness.Logger");
        }

        public FirehoseTarget Target { get; }

        public IFirehoseClient Client { get; }

        public LogFactory LogFactory { get; }

        public Logger Logger { get; }

        public ConcurrentQueue<(string Stream, List<byte[]> Records)> Calls { get; } = new ConcurrentQueue<(string, List<byte[]>)>();

        /// <summary>Which record (index within a call) fails, with which error code; null for success.</summary>
        public Func<int, string?>? FailRecord { get; set; }

        /// <summary>When set, a call throws what this returns (null: answer normally). Its argument is the call's number, from 1.</summary>
        public Func<int, Exception?>? FailCallWhen { get; set; }

        /// <summary>When set, every call throws this.</summary>
        public Exception? FailCall
        {
            get => null;
            set => FailCallWhen = value is null ? null : _ => value;
        }

        public static FirehoseTarget NewTarget(Func<FirehoseClientSettings, IFirehoseClient> factory) => new FirehoseTarget(factory)
        {
            Name = "firehose",
            DeliveryStreamName = "test-stream",
            Region = "us-east-1",
            AccessKey = "AKIDHARNESS",
            SecretKey = "harness-secret",
            // One attempt unless a test asks for retries; fast backoff when it does.
            DeliveryTimeoutMilliseconds = 0,
            RetryBaseDelayMilliseconds = 1,
            RetryMaxDelayMilliseconds = 20,
        };

        public static TargetHarness Create(Action<FirehoseTarget>? configure = null, Func<Target, Target>? wrap = null)
        {
            var client = Substitute.For<IFirehoseClient>();
            var target = NewTarget(_ => client);
            configure?.Invoke(target);
            var factory = new LogFactory { ThrowConfigExceptions = true };
            var harness = new TargetHarness(target, client, factory);
            client.PutRecordBatchAsync(default!, default!, default).ReturnsForAnyArgs(ci => harness.Answer(ci.ArgAt<string>(0), ci.ArgAt<IReadOnlyList<ReadOnlyMemory<byte>>>(1)));
            Configure(factory, wrap?.Invoke(target) ?? target);   // wrap: the rules write to a wrapper around the target
            return harness;
        }

        /// <summary>Gives <paramref name="factory"/> a configuration that sends every level to <paramref name="target"/> (initialising it).</summary>
        public static LogFactory Configure(LogFactory factory, Target target)
        {
            var config = new LoggingConfiguration(factory);
            config.AddRuleForAllLevels(target);
            factory.Configuration = config;
            return factory;
        }

        /// <summary>When set, every call is recorded at once but answered only when this task completes.</summary>
        public Task? Gate { get; set; }

        private Task<PutRecordBatchResponse> Answer(string stream, IReadOnlyList<ReadOnlyMemory<byte>> records)
        {
            List<byte[]> copy = records.Select(r => r.ToArray()).ToList();
            Calls.Enqueue((stream, copy));
            int call = Calls.Count;
            Task? gate = Gate;
            if (gate != null && !gate.IsCompleted)
                return gate.ContinueWith(_ => Respond(call, copy), TaskScheduler.Default).Unwrap();
            return Respond(call, copy);
        }

        private Task<PutRecordBatchResponse> Respond(int call, List<byte[]> records)
        {
            Exception? fail = FailCallWhen?.Invoke(call);
            if (fail != null)
                return Task.FromException<PutRecordBatchResponse>(fail);
            var entries = new List<PutRecordBatchResponseEntry>();
            int failed = 0;
            for (int i = 0; i < records.Count; i++)
            {
                string? error = FailRecord?.Invoke(i);
                if (error != null)
                    failed++;
                else
                    Delivered.Enqueue(records[i]);
                entries.Add(error != null ? new PutRecordBatchResponseEntry(null, error, "injected " + error) : new PutRecordBatchResponseEntry("id-" + i, null, null));
            }
            return Task.FromResult(new PutRecordBatchResponse(failed, false, entries));
        }

        /// <summary>The records the client answered as accepted, in the order it answered them (failed attempts are not here).</summary>
        public ConcurrentQueue<byte[]> Delivered { get; } = new ConcurrentQueue<byte[]>();

        /// <summary>The accepted records as text without the trailing delimiter.</summary>
        public List<string> DeliveredText => Delivered.Select(r => Encoding.UTF8.GetString(r).TrimEnd('\n')).ToList();

        /// <summary>All record bytes sent, in order, over every call.</summary>
        public List<byte[]> SentRecords => Calls.SelectMany(c => c.Records).ToList();

        /// <summary>All records sent as text without the trailing delimiter.</summary>
        public List<string> SentText => SentRecords.Select(r => Encoding.UTF8.GetString(r).TrimEnd('\n')).ToList();

        public void Flush() => LogFactory.Flush(TimeSpan.FromSeconds(30));

        /// <summary>Writes one event straight to the target (through NLog's async write path) and returns what its continuation reported.</summary>
        public Exception? WriteAndWait(LogEventInfo logEvent)
        {
            Exception? reported = null;
            using var done = new ManualResetEventSlim();
            Target.WriteAsyncLogEvent(new Common.AsyncLogEventInfo(logEvent, ex => { reported = ex; done.Set(); }));
            Flush();
            if (!done.Wait(TimeSpan.FromSeconds(30)))
                throw new TimeoutException("the continuation was not called");
            return reported;
        }

        public void Dispose() => LogFactory.Dispose();
    }
}
