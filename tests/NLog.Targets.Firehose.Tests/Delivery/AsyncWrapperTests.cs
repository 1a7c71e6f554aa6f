using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.VisualStudio.TestTools.UnitTesting;
using NLog.Targets.Firehose.Client;
using NLog.Targets.Firehose.Tests.Infrastructure;
using NLog.Targets.Wrappers;
using NSubstitute;

namespace NLog.Targets.Firehose.Tests.Delivery
{
    /// <summary>
    /// The target inside NLog's AsyncWrapper, for every combination of the wrapper's and the target's overflow actions:
    /// no deadlock (a target that blocks would deadlock with NLog 6.2 without the stall pump), no hang at shutdown, and
    /// nothing lost when the wrapper blocks (a target that would discard blocks too). What a discarding wrapper drops is
    /// NLog's (its LogEventDropped event); what the target drops is counted.
    /// </summary>
    [TestClass]
    public class AsyncWrapperTests
    {
        public static IEnumerable<object[]> Combinations()
        {
            foreach (AsyncTargetWrapperOverflowAction wrapper in Enum.GetValues<AsyncTargetWrapperOverflowAction>())
            {
                foreach (AsyncTargetWrapperOverflowAction target in Enum.GetValues<AsyncTargetWrapperOverflowAction>())
                    yield return new object[] { wrapper, target };
            }
        }

        [TestMethod]
        [DynamicData(nameof(Combinations))]
        public void AsyncWrapper_EveryOverflowCombination_NoHangAndNothingLostWhenNeitherDiscards(AsyncTargetWrapperOverflowAction wrapperAction, AsyncTargetWrapperOverflowAction targetAction)
        {
            var received = new ConcurrentDictionary<string, int>();
            var client = Substitute.For<IFirehoseClient>();
            client.PutRecordBatchAsync(default!, default!, default).ReturnsForAnyArgs(async ci =>
            {
                var records = ci.ArgAt<IReadOnlyList<ReadOnlyMemory<byte>>>(1);
                foreach (var record in records)
                    received.AddOrUpdate(System.Text.Encoding.UTF8.GetString(record.Span).TrimEnd('\n'), 1, (_, n) => n + 1);
                await Task.Delay(2).ConfigureAwait(false);   // a slow service: the queues fill
                return new PutRecordBatchResponse(0, false, records.Select(_ => new PutRecordBatchResponseEntry("id", null, null)).ToList());
            });
            var target = TargetHarness.NewTarget(_ => client);
            target.Layout = "${message}";
            target.OverflowAction = targetAction;
            target.QueueLimit = 200;
            target.BatchSize = 100;
            target.MaxRequestsInFlight = 1;
            var wrapper = new AsyncTargetWrapper("async", target) { OverflowAction = wrapperAction, QueueLimit = 200, BatchSize = 50 };
            long wrapperDrops = 0;
            wrapper.LogEventDropped += (_, _) => Interlocked.Increment(ref wrapperDrops);
            var factory = TargetHarness.Configure(new LogFactory { ThrowConfigExceptions = true }, wrapper);
            if (wrapperAction == AsyncTargetWrapperOverflowAction.Block && targetAction == AsyncTargetWrapperOverflowAction.Discard)
                Assert.AreEqual(AsyncTargetWrapperOverflowAction.Block, target.OverflowActionInEffect, "inside a blocking wrapper the target blocks too");
            else
                Assert.AreEqual(targetAction, target.OverflowActionInEffect);

            const int perThread = 3000;
            var logging = Task.WhenAll(Enumerable.Range(0, 2).Select(t => Task.Run(() =>
            {
                var logger = factory.GetLogger("W" + t);
                for (int i = 0; i < perThread; i++)
                    logger.Info($"t{t}-{i}");
            })));
            Assert.IsTrue(logging.Wait(TimeSpan.FromSeconds(60)), $"logging threads stuck ({wrapperAction}/{targetAction})");
            var shutdown = Task.Run(() => factory.Shutdown());   // flushes, then closes
            Assert.IsTrue(shutdown.Wait(TimeSpan.FromSeconds(60)), $"shutdown hung ({wrapperAction}/{targetAction})");

            int total = 2 * perThread;
            long targetDrops = target.Statistics.EventsDroppedOverflow;
            Assert.IsTrue(received.Values.All(n => n == 1), $"no event written twice ({wrapperAction}/{targetAction})");
            Assert.AreEqual(total, received.Count + targetDrops + Interlocked.Read(ref wrapperDrops),
                $"every event delivered or counted as dropped, by the target or by the wrapper ({wrapperAction}/{targetAction})");
            if (wrapperAction == AsyncTargetWrapperOverflowAction.Block)
                Assert.AreEqual(total, received.Count, $"nothing lost when the wrapper blocks ({wrapperAction}/{targetAction})");
        }

        private static IFirehoseClient SlowClient(ConcurrentDictionary<string, int> received, int delayMilliseconds, bool honourCancellation = false)
        {
            var client = Substitute.For<IFirehoseClient>();
            client.PutRecordBatchAsync(default!, default!, default).ReturnsForAnyArgs(async ci =>
            {
                var records = ci.ArgAt<IReadOnlyList<ReadOnlyMemory<byte>>>(1);
                var texts = records.Select(r => System.Text.Encoding.UTF8.GetString(r.Span).TrimEnd('\n').Split('|')[0]).ToList();
                await Task.Delay(delayMilliseconds, honourCancellation ? ci.ArgAt<CancellationToken>(2) : CancellationToken.None).ConfigureAwait(false);
                foreach (string text in texts)
                    received.AddOrUpdate(text, 1, (_, n) => n + 1);   // counted once answered
                return new PutRecordBatchResponse(0, false, records.Select(_ => new PutRecordBatchResponseEntry("id", null, null)).ToList());
            });
            return client;
        }

        [TestMethod]
        public void AsyncWrapperBlock_QueueLimitMovedByMaxQueueBytes_NoDeadlock()
        {
            // Large events of changing sizes make MaxQueueBytes move the target's queue limit up and down while the
            // wrapper's writer is blocked in the full queue.
            var received = new ConcurrentDictionary<string, int>();
            var target = TargetHarness.NewTarget(_ => SlowClient(received, 20));
            target.Layout = "${message}";
            target.OverflowAction = AsyncTargetWrapperOverflowAction.Block;
            target.QueueLimit = 3000;
            target.MaxQueueBytes = 40L * 1024 * 1024;
            target.BatchSize = 1000;
            target.MaxRequestsInFlight = 1;
            var wrapper = new AsyncTargetWrapper("async", target) { OverflowAction = AsyncTargetWrapperOverflowAction.Block, QueueLimit = 200, BatchSize = 50 };
            var factory = TargetHarness.Configure(new LogFactory { ThrowConfigExceptions = true }, wrapper);
            int expected = 0;
            for (int phase = 0; phase < 3; phase++)
            {
                int size = phase % 2 == 0 ? 30000 : 12000;
                var logging = Task.WhenAll(Enumerable.Range(0, 2).Select(t => Task.Run(() =>
                {
                    var logger = factory.GetLogger("W" + t);
                    var random = new Random(phase * 10 + t);
                    for (int i = 0; i < 1500; i++)
                    {
                        logger.Info($"p{phase}t{t}-{i}|" + new string('x', size + random.Next(-2000, 2000)));
                        if (i % 60 == 59)
                            Thread.Sleep(10);
                    }
                })));
                expected += 3000;
                Assert.IsTrue(logging.Wait(TimeSpan.FromSeconds(60)), $"logging stuck in phase {phase} (QueueLimit {target.QueueLimit}, received {received.Count})");
                factory.Flush(TimeSpan.FromSeconds(30));
                Assert.AreEqual(expected, received.Count, $"phase {phase}: every event delivered by the flush");
            }
            Assert.IsTrue(Task.Run(() => factory.Shutdown()).Wait(TimeSpan.FromSeconds(60)), "shutdown hung");
            Assert.IsTrue(received.Values.All(n => n == 1));
        }

        [TestMethod]
        [DataRow(false)]
        [DataRow(true)]
        public void AsyncWrapperBlock_FlushWhileThePumpWrites_ReturnsOnlyAfterEarlierEventsAreWritten(bool shutdownAfterFlush)
        {
            var received = new ConcurrentDictionary<string, int>();
            var target = TargetHarness.NewTarget(_ => SlowClient(received, 300, honourCancellation: true));
            target.Layout = "${message}";
            target.OverflowAction = AsyncTargetWrapperOverflowAction.Block;
            target.QueueLimit = 50;
            target.BatchSize = 50;
            target.MaxRequestsInFlight = 1;
            var wrapper = new AsyncTargetWrapper("async", target) { OverflowAction = AsyncTargetWrapperOverflowAction.Block, QueueLimit = 50, BatchSize = 25 };
            var factory = TargetHarness.Configure(new LogFactory { ThrowConfigExceptions = true }, wrapper);
            var logger = factory.GetLogger("L");
            for (int i = 0; i < 200; i++)
                logger.Info($"a{i}");
            Assert.IsTrue(SpinWait.SpinUntil(() => received.Count == 200, 30_000), "the first 200 delivered");
            for (int i = 0; i < 5; i++)
                logger.Info($"b{i}");
            Thread.Sleep(60);   // the pump (still running) may take them now
            factory.Flush(TimeSpan.FromSeconds(30));
            if (shutdownAfterFlush)
                factory.Shutdown();
            Assert.AreEqual(205, received.Count, "Flush returns only after the events logged before it are written");
            if (!shutdownAfterFlush)
                factory.Shutdown();
        }

        /// <summary>
        /// Bursts into AsyncWrapper(Block) → target (Block too), each followed by a Flush: every event logged before a Flush
        /// is written when it returns. A Flush request the stall pump takes is handed back to NLog's flush; done outside the
        /// target's lock, it could fall between NLog's writer dequeuing the events before the request and recording their
        /// write, and return while that whole batch was still being written. The hook widens that window (a short sleep
        /// where NLog's writer has dequeued but not recorded), so the race comes up in most rounds.
        /// </summary>
        /// <remarks>
        /// A Flush may also fail with NLog's "failed to flush after lock timeout": the wrapper waits at most 1.5 s for its
        /// writer, which stays blocked in the target's full queue while the thread pool is short of threads (mostly in the
        /// first round: NLog's threads blocked in the two queues and on the target's lock take the pool's few threads, and
        /// the target's writes wait for the pool to add more). That is NLog's documented timeout, not an early return: such
        /// a round is told apart by the Flush's error, waited out, and not checked. The test needs at least one round
        /// checked.
        /// </remarks>
        [TestMethod]
        public void AsyncWrapperBlock_FlushAfterBurst_EveryEarlierEventWritten()
        {
            long received = 0;
            var client = Substitute.For<IFirehoseClient>();
            client.PutRecordBatchAsync(default!, default!, default).ReturnsForAnyArgs(async ci =>
            {
                var records = ci.ArgAt<IReadOnlyList<ReadOnlyMemory<byte>>>(1);
                await Task.Delay(1).ConfigureAwait(false);
                Interlocked.Add(ref received, records.Count);   // counted once answered
                return new PutRecordBatchResponse(0, false, records.Select(_ => new PutRecordBatchResponseEntry("id", null, null)).ToList());
            });
            var target = TargetHarness.NewTarget(_ => client);
            target.NLogWriteStarting = () => Thread.Sleep(2);
            var wrapper = new AsyncTargetWrapper("async", target) { OverflowAction = AsyncTargetWrapperOverflowAction.Block };
            var factory = TargetHarness.Configure(new LogFactory { ThrowConfigExceptions = true }, wrapper);
            Assert.AreEqual(AsyncTargetWrapperOverflowAction.Block, target.OverflowAction);
            var logger = factory.GetLogger("L");
            var early = new List<string>();
            var lockTimeouts = new List<int>();
            long expected = 0;
            const int rounds = 12, perRound = 20000;
            for (int round = 0; round < rounds; round++)
            {
                for (int i = 0; i < perRound; i++)
                    logger.Info("Order {OrderId} shipped to {Customer} in {ElapsedMs} ms", i, "customer-4711", 42);
                expected += perRound;
                Exception? flushError = null;
                using var flushed = new ManualResetEventSlim();
                factory.Flush(ex => { flushError = ex; flushed.Set(); }, TimeSpan.FromSeconds(30));
                Assert.IsTrue(flushed.Wait(TimeSpan.FromSeconds(40)), $"round {round}: Flush did not return");
                long got = Interlocked.Read(ref received);
                if (flushError != null)
                {
                    string all = flushError.ToString();
                    Assert.IsTrue(all.Contains("lock timeout", StringComparison.Ordinal), $"round {round}: Flush failed otherwise: {all}");
                    lockTimeouts.Add(round);
                    long want = expected;
                    Assert.IsTrue(SpinWait.SpinUntil(() => Interlocked.Read(ref received) == want, 30_000), $"round {round}: delivery did not catch up after the lock timeout");
                    continue;
                }
                if (got != expected)
                {
                    Thread.Sleep(500);
                    early.Add($"round {round}: {got} of {expected} written when Flush returned ({Interlocked.Read(ref received)} 500 ms later)");
                }
            }
            Assert.IsTrue(Task.Run(() => factory.Shutdown()).Wait(TimeSpan.FromSeconds(30)), "shutdown hung");
            Assert.AreEqual(0, early.Count, "Flush returned before events logged before it were written: " + string.Join("; ", early));
            if (lockTimeouts.Count == rounds)
                Assert.Inconclusive($"every round's Flush hit NLog's AsyncWrapper lock timeout: nothing checked");
            if (lockTimeouts.Count > 0)
                Console.WriteLine($"rounds with NLog's AsyncWrapper lock timeout (not checked): {string.Join(", ", lockTimeouts)}");
        }
            [TestMethod]
        [DataRow(AsyncTargetWrapperOverflowAction.Block, AsyncTargetWrapperOverflowAction.Discard, 1000)]
        [DataRow(AsyncTargetWrapperOverflowAction.Block, AsyncTargetWrapperOverflowAction.Block, 1000)]
        [DataRow(AsyncTargetWrapperOverflowAction.Block, AsyncTargetWrapperOverflowAction.Grow, 10000)]
        [DataRow(AsyncTargetWrapperOverflowAction.Discard, AsyncTargetWrapperOverflowAction.Block, 10000)]
        [DataRow(AsyncTargetWrapperOverflowAction.Grow, AsyncTargetWrapperOverflowAction.Block, 10000)]
        public void QueueLimit_BehindBlockingWrapper_TwoBatchesWhileOpenAndConfiguredAfterClose(AsyncTargetWrapperOverflowAction wrapperAction, AsyncTargetWrapperOverflowAction targetAction, int expectedLimit)
        {
            var target = TargetHarness.NewTarget(_ => SlowClient(new ConcurrentDictionary<string, int>(), 0));
            target.OverflowAction = targetAction;
            target.QueueLimit = 10000;
            target.BatchSize = 500;
            var wrapper = new AsyncTargetWrapper("async", target) { OverflowAction = wrapperAction };
            var factory = TargetHarness.Configure(new LogFactory { ThrowConfigExceptions = true }, wrapper);

            Assert.AreEqual(expectedLimit, target.QueueLimit, "the wrapper's queue holds what waits: the target's own keeps two batches");
            Assert.IsTrue(Task.Run(() => factory.Shutdown()).Wait(TimeSpan.FromSeconds(30)), "shutdown hung");
            Assert.AreEqual(10000, target.QueueLimit, "the configured limit is back after close");
        }

        [TestMethod]
        public void QueueLimit_BehindBlockingWrapperAndWrittenByARule_Configured()
        {
            var target = TargetHarness.NewTarget(_ => SlowClient(new ConcurrentDictionary<string, int>(), 0));
            target.OverflowAction = AsyncTargetWrapperOverflowAction.Block;
            target.QueueLimit = 10000;
            target.BatchSize = 500;
            var wrapper = new AsyncTargetWrapper("async", target) { OverflowAction = AsyncTargetWrapperOverflowAction.Block };
            var config = new NLog.Config.LoggingConfiguration(new LogFactory { ThrowConfigExceptions = true });
            config.AddRuleForAllLevels(wrapper);
            config.AddRuleForAllLevels(target);
            config.LogFactory.Configuration = config;
            try
            {
                Assert.AreEqual(10000, target.QueueLimit, "logging threads write to the target directly: its own queue keeps the configured limit");
            }
            finally
            {
                config.LogFactory.Shutdown();
            }
        }
}
}
