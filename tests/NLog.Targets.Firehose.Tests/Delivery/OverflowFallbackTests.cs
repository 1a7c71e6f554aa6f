using System;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.VisualStudio.TestTools.UnitTesting;
using NLog.Config;
using NLog.Targets.Firehose.Tests.Infrastructure;
using NLog.Targets.Wrappers;

namespace NLog.Targets.Firehose.Tests.Delivery
{
    /// <summary>
    /// What a <c>FallbackGroup</c> sees of NLog's Discard overflow: nothing. NLog does not call a dropped event's
    /// continuation, so the drop is only counted and reported by the target (README, "What can still be lost").
    /// </summary>
    [TestClass]
    public class OverflowFallbackTests
    {
        [TestMethod]
        public async Task FallbackGroup_DiscardOverflow_DropsCountedButNotHandedToFallback()
        {
            const int count = 100;
            await using var server = await LoopbackFirehose.StartAsync();
            server.Faults.Latency = TimeSpan.FromMilliseconds(500);   // the first write is slow: the queue fills
            var firehose = server.NewTarget("overflow");
            firehose.Layout = "${message}";
            firehose.QueueLimit = 20;
            firehose.OverflowAction = AsyncTargetWrapperOverflowAction.Discard;
            var memory = new MemoryTarget("memory") { Layout = "${message}" };
            var group = new FallbackGroupTarget("group", firehose, memory);
            using var factory = new LogFactory { ThrowConfigExceptions = true };
            var config = new LoggingConfiguration(factory);
            config.AddRuleForAllLevels(group);
            factory.Configuration = config;
            var logger = factory.GetLogger("Overflow");
            for (int i = 0; i < count; i++)
                logger.Info("e" + i);
            factory.Flush(TimeSpan.FromSeconds(30));
            Assert.IsTrue(SpinWait.SpinUntil(() => server.AcceptedCount + firehose.Statistics.EventsDroppedOverflow == count, TimeSpan.FromSeconds(30)),
                $"every event delivered or counted as dropped: accepted {server.AcceptedCount}, dropped {firehose.Statistics.EventsDroppedOverflow}");

            Assert.IsGreaterThan(0L, firehose.Statistics.EventsDroppedOverflow, "the queue overflowed");
            Assert.IsEmpty(memory.Logs, "the fallback never hears of an overflow drop");
        }
    }
}
