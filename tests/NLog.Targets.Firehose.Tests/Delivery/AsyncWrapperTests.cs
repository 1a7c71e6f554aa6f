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
            var factory = TargetHarness.Configure(new LogFactory { ThrowConfigExceptions = true }, wrapper);
            if (wrapperAction == AsyncTargetWrapperOverflowAction.Block && targetAction == AsyncTargetWrapperOverflowAction.Discard)
                Assert.AreEqual(AsyncTargetWrapperOverflowAction.Block, target.OverflowAction, "inside a blocking wrapper the target blocks too");
            else
                Assert.AreEqual(targetAction, target.OverflowAction);

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
            if (wrapperAction != AsyncTargetWrapperOverflowAction.Discard && targetAction != AsyncTargetWrapperOverflowAction.Discard)
            {
                Assert.AreEqual(total, received.Count, $"nothing lost ({wrapperAction}/{targetAction})");
                Assert.AreEqual(0, targetDrops);
            }
            else
            {
                Assert.IsLessThanOrEqualTo(total, received.Count + targetDrops, $"what the target dropped is counted ({wrapperAction}/{targetAction})");
            }
        }
    }
}
