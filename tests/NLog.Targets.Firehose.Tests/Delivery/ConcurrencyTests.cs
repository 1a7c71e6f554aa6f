using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.VisualStudio.TestTools.UnitTesting;
using NLog.Targets.Firehose.Client;
using NLog.Targets.Firehose.Tests.Infrastructure;
using NSubstitute;
using static NLog.Targets.Firehose.Tests.Infrastructure.Waiting;

namespace NLog.Targets.Firehose.Tests.Delivery
{
    /// <summary>Requests in flight: a write sends up to MaxRequestsInFlight calls at once, without weakening the delivery guarantees.</summary>
    [TestClass]
    public class ConcurrencyTests
    {
        /// <summary>A client whose calls wait on a gate, counting how many are in flight at once.</summary>
        private sealed class GatedClient
        {
            private int _inFlight;
            private int _maxInFlight;
            private int _calls;

            public TaskCompletionSource Gate { get; } = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

            public List<string> Sent { get; } = new List<string>();

            public int MaxInFlight => Volatile.Read(ref _maxInFlight);

            public int InFlight => Volatile.Read(ref _inFlight);

            public int Calls => Volatile.Read(ref _calls);

            /// <summary>Which record of which call (numbered from 1) fails with an error code; null for success.</summary>
            public Func<int, int, string?>? FailRecord { get; set; }

            /// <summary>The call (numbered from 1) answered with one entry too few.</summary>
            public int DropEntriesOfCall { get; set; }

            /// <summary>Every call fails with ServiceUnavailableException (HTTP 503) while set.</summary>
            public volatile bool FailAll;

            public async Task<PutRecordBatchResponse> Answer(IReadOnlyList<ReadOnlyMemory<byte>> records)
            {
                var copies = records.Select(r => System.Text.Encoding.UTF8.GetString(r.Span).TrimEnd('\n')).ToList();
                int call = Interlocked.Increment(ref _calls);
                int now = Interlocked.Increment(ref _inFlight);
                int seen;
                while ((seen = Volatile.Read(ref _maxInFlight)) < now && Interlocked.CompareExchange(ref _maxInFlight, now, seen) != seen)
                {
                }
                try
                {
                    await Gate.Task.ConfigureAwait(false);
                }
                finally
                {
                    Interlocked.Decrement(ref _inFlight);
                }
                if (FailAll)
                    throw new FirehoseServiceException("ServiceUnavailableException", "Slow down.", 503, null);
                var entries = new List<PutRecordBatchResponseEntry>();
                int failed = 0;
                if (call == DropEntriesOfCall)
                    return new PutRecordBatchResponse(0, false, entries);
                for (int i = 0; i < copies.Count; i++)
                {
                    string? error = FailRecord?.Invoke(call, i);
                    if (error is null)
                    {
                        lock (Sent)
                            Sent.Add(copies[i]);
                        entries.Add(new PutRecordBatchResponseEntry("id", null, null));
                    }
                    else
                    {
                        failed++;
                        entries.Add(new PutRecordBatchResponseEntry(null, error, "injected"));
                    }
                }
                return new PutRecordBatchResponse(failed, false, entries);
            }
        }

        private static (FirehoseTarget Target, LogFactory Factory, GatedClient Client) Create(Action<FirehoseTarget> configure)
        {
            var gated = new GatedClient();
            var client = Substitute.For<IFirehoseClient>();
            client.PutRecordBatchAsync(default!, default!, default).ReturnsForAnyArgs(ci => gated.Answer(ci.ArgAt<IReadOnlyList<ReadOnlyMemory<byte>>>(1)));
            var target = TargetHarness.NewTarget(_ => client);
            target.Layout = "${message}";
            target.TaskDelayMilliseconds = 1000;   // the events gather into one write, even on a slow machine
            configure(target);
            var factory = TargetHarness.Configure(new LogFactory { ThrowConfigExceptions = true }, target);
            return (target, factory, gated);
        }

        [TestMethod]
        public void Write_MoreCallsThanMaxRequestsInFlight_AtMostThatManyAtOnceAndAllDelivered()
        {
            var (_, factory, client) = Create(t =>
            {
                t.MaxRequestsInFlight = 3;
                t.BatchSize = 2500;   // one write of five calls
            });
            using (factory)
            {
                var logger = factory.GetLogger("C");
                for (int i = 0; i < 2500; i++)
                    logger.Info("e" + i);
                WaitFor(() => client.InFlight == 3, "three calls in flight at once");
                Thread.Sleep(200);
                Assert.AreEqual(3, client.Calls, "the fourth call waits for one of the three to end");
                client.Gate.SetResult();
                factory.Flush(TimeSpan.FromSeconds(30));
                Assert.AreEqual(3, client.MaxInFlight);
                Assert.AreEqual(5, client.Calls);
                CollectionAssert.AreEquivalent(Enumerable.Range(0, 2500).Select(i => "e" + i).ToList(), client.Sent);
            }
        }

        [TestMethod]
        public void Write_OneRequestInFlight_CallsOneAtATimeInOrder()
        {
            var (_, factory, client) = Create(t => t.MaxRequestsInFlight = 1);
            using (factory)
            {
                client.Gate.SetResult();
                var logger = factory.GetLogger("C");
                for (int i = 0; i < 1600; i++)
                    logger.Info("e" + i);
                factory.Flush(TimeSpan.FromSeconds(30));
                Assert.AreEqual(1, client.MaxInFlight);
                CollectionAssert.AreEqual(Enumerable.Range(0, 1600).Select(i => "e" + i).ToList(), client.Sent);
            }
        }

        [TestMethod]
        public void Write_OneOfConcurrentCallsPartlyFails_OnlyItsFailedRecordsResent()
        {
            var (target, factory, client) = Create(t => t.DeliveryTimeoutMilliseconds = 10_000);
            using (factory)
            {
                client.FailRecord = (call, record) => call == 2 && record % 100 == 7 ? "ServiceUnavailableException" : null;
                client.Gate.SetResult();
                var logger = factory.GetLogger("C");
                for (int i = 0; i < 2000; i++)
                    logger.Info("e" + i);
                factory.Flush(TimeSpan.FromSeconds(30));
                CollectionAssert.AreEquivalent(Enumerable.Range(0, 2000).Select(i => "e" + i).ToList(), client.Sent, "each event delivered exactly once");
                Assert.AreEqual(5, target.Statistics.RecordsRetried, "only the 5 failed records of the second call went round again");
                Assert.AreEqual(0, target.Statistics.EventsUndeliverable);
            }
        }

        [TestMethod]
        public void Reinitialised_WhileAnOldWriteIsStillInFlight_NewWritesUseTheNewClientOnly()
        {
            var first = new GatedClient();
            var second = new GatedClient();
            second.Gate.SetResult();
            int clients = 0;
            var target = TargetHarness.NewTarget(_ =>
            {
                var client = Substitute.For<IFirehoseClient>();
                GatedClient gated = Interlocked.Increment(ref clients) == 1 ? first : second;
                client.PutRecordBatchAsync(default!, default!, default).ReturnsForAnyArgs(ci => gated.Answer(ci.ArgAt<IReadOnlyList<ReadOnlyMemory<byte>>>(1)));
                return client;
            });
            target.Layout = "${message}";
            target.TaskDelayMilliseconds = 1000;
            var factory = TargetHarness.Configure(new LogFactory { ThrowConfigExceptions = true }, target);
            factory.GetLogger("Old").Info("old");
            WaitFor(() => first.InFlight == 1, "the old write is in flight");
            factory.Dispose();   // closes the target while the old write's call still waits

            using var again = TargetHarness.Configure(new LogFactory { ThrowConfigExceptions = true }, target);
            first.Gate.SetResult();   // the old write ends now, after the new initialisation
            WaitFor(() => first.InFlight == 0, "the old write ended");
            var logger = again.GetLogger("New");
            for (int i = 0; i < 1200; i++)
                logger.Info("e" + i);
            again.Flush(TimeSpan.FromSeconds(30));
            Assert.AreEqual(1, first.Calls, "the old client got no call after the new initialisation");
            CollectionAssert.AreEquivalent(Enumerable.Range(0, 1200).Select(i => "e" + i).ToList(), second.Sent);
            // The close left the old call behind (it ignores cancellation) and reported its event; the new writes lost nothing.
            Assert.AreEqual(1, target.Statistics.EventsUndeliverable);
        }

        [TestMethod]
        public void Call_AnswerWithTooFewEntries_RetriedLikeAMalformedAnswerAndLaterWritesWork()
        {
            var (target, factory, client) = Create(t =>
            {
                t.MaxRequestsInFlight = 1;
                t.DeliveryTimeoutMilliseconds = 10_000;
            });
            using (factory)
            {
                client.Gate.SetResult();
                client.DropEntriesOfCall = 1;
                var logger = factory.GetLogger("C");
                for (int i = 0; i < 600; i++)
                    logger.Info("a" + i);
                factory.Flush(TimeSpan.FromSeconds(30));
                for (int i = 0; i < 600; i++)
                    logger.Info("b" + i);
                factory.Flush(TimeSpan.FromSeconds(30));
                var expected = Enumerable.Range(0, 600).Select(i => "a" + i).Concat(Enumerable.Range(0, 600).Select(i => "b" + i)).ToList();
                CollectionAssert.AreEquivalent(expected, client.Sent);
                Assert.AreEqual(0, target.Statistics.EventsUndeliverable);
                Assert.AreEqual(500, target.Statistics.RecordsRetried, "the call answered wrongly was sent again");
            }
        }

        [TestMethod]
        public void Write_ConcurrentCallsDuringOutageWithDiskBuffer_AllKeptOnDiskThenReplayed()
        {
            using var temp = new Buffering.TempDirectory();
            var (target, factory, client) = Create(t =>
            {
                t.BufferDirectory = temp.Path;
                t.DeliveryTimeoutMilliseconds = 200;
                t.RetryBaseDelayMilliseconds = 10;
                t.RetryMaxDelayMilliseconds = 50;
            });
            using (factory)
            {
                client.FailAll = true;
                client.Gate.SetResult();
                var logger = factory.GetLogger("C");
                for (int i = 0; i < 2000; i++)
                    logger.Info("e" + i);
                factory.Flush(TimeSpan.FromSeconds(30));
                Assert.AreEqual(2000, target.Statistics.EventsBuffered);
                Assert.AreEqual(0, target.Statistics.EventsUndeliverable);

                client.FailAll = false;
                WaitFor(() => target.Statistics.EventsReplayed == 2000, "replayed once the service answers");
                CollectionAssert.AreEquivalent(Enumerable.Range(0, 2000).Select(i => "e" + i).ToList(), client.Sent.Distinct().ToList());
            }
        }

        [TestMethod]
        public void Init_MaxRequestsInFlightOutOfRange_ConfigurationError()
        {
            foreach (int value in new[] { 0, 17 })
            {
                var target = TargetHarness.NewTarget(_ => Substitute.For<IFirehoseClient>());
                target.MaxRequestsInFlight = value;
                using var factory = new LogFactory { ThrowConfigExceptions = true };
                var ex = Assert.ThrowsExactly<NLogConfigurationException>(() => TargetHarness.Configure(factory, target));
                StringAssert.Contains(ex.ToString(), $"MaxRequestsInFlight must be between 1 and 16, not {value}");
            }
        }
    }
}
