using System;
using System.Diagnostics;
using System.Linq;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.VisualStudio.TestTools.UnitTesting;
using NLog.Targets.Firehose.Tests.Infrastructure;
using NLog.Targets.Wrappers;

namespace NLog.Targets.Firehose.Tests.Delivery
{
    /// <summary>
    /// Many events through every fault at once — throttling, per-record failures, HTTP 500s, connections reset before
    /// and after the service processed the call, latency — plus a 10-second outage in which connections are refused:
    /// every event must arrive (by event.id), with duplicates only from calls whose answer was lost.
    /// </summary>
    [TestClass]
    public class SoakTests
    {
        public TestContext TestContext { get; set; } = null!;

        // CI enforces the 3-minute budget: the test fails (not hangs) once it runs longer.
        [TestMethod]
        [Timeout(180_000)]
        public async Task Soak_200kEventsThroughAllFaultsAndA10sOutage_EveryEventArrives()
        {
            const int events = 200_000;
            await using var server = await LoopbackFirehose.StartAsync();
            server.RecordCalls = false;
            server.Faults.ThrottleRate = 0.05;
            server.Faults.RecordFailureRate = 0.02;
            server.Faults.Http500Rate = 0.03;
            server.Faults.ResetBeforeProcessingRate = 0.02;
            server.Faults.ResetAfterProcessingRate = 0.02;
            server.Faults.Latency = TimeSpan.FromMilliseconds(2);
            server.Faults.OutageMode = OutageMode.ConnectionRefused;

            var target = server.NewTarget("soak");
            // Long enough to ride out the outage; the backoff stays short so the test is quick.
            target.DeliveryTimeoutMilliseconds = 120_000;
            target.TaskTimeoutSeconds = 170;
            target.RetryBaseDelayMilliseconds = 20;
            target.RetryMaxDelayMilliseconds = 1000;
            // Nothing may be discarded: the logging thread waits for room instead.
            target.OverflowAction = AsyncTargetWrapperOverflowAction.Block;
            target.QueueLimit = 20_000;
            var watch = Stopwatch.StartNew();
            var factory = TargetHarness.Configure(new LogFactory { ThrowConfigExceptions = true }, target);
            var logger = factory.GetLogger("Soak");

            var logging = Task.Run(() =>
            {
                for (int i = 0; i < events; i++)
                    logger.Info("soak event {Seq}", i);
            });

            // The outage starts once delivery is under way and lasts 10 seconds.
            Assert.IsTrue(SpinWait.SpinUntil(() => server.AcceptedCount > 20_000, TimeSpan.FromSeconds(60)), "delivery started");
            server.Faults.Outage = true;
            await server.ListenerSettledAsync();
            long acceptedAtOutage = server.AcceptedCount;
            await Task.Delay(TimeSpan.FromSeconds(10));
            long acceptedDuringOutage = server.AcceptedCount - acceptedAtOutage;
            server.Faults.Outage = false;
            await server.ListenerSettledAsync();

            Assert.IsTrue(logging.Wait(TimeSpan.FromSeconds(120)), "logging finished");
            factory.Flush(TimeSpan.FromSeconds(150));
            factory.Dispose();
            watch.Stop();

            var ids = server.DistinctAcceptedIds();
            long duplicates = server.DuplicateCount();
            var seqs = server.AcceptedText().Select(t => JsonDocument.Parse(t).RootElement.GetProperty("Seq").GetInt32()).ToHashSet();
            var stats = target.Statistics;
            var faults = server.Faults;
            TestContext.WriteLine($"{events} events in {watch.Elapsed.TotalSeconds:0.0} s; accepted records {server.AcceptedCount}, distinct ids {ids.Count}, duplicates {duplicates}");
            TestContext.WriteLine($"calls {faults.TotalCalls}: throttled {faults.ThrottledCalls}, http500 {faults.Http500Calls}, reset before {faults.ResetBeforeCalls}, reset after {faults.ResetAfterCalls}, outage {faults.OutageCalls}, refused connections {faults.RefusedConnections}, failed records {faults.FailedRecords}");
            TestContext.WriteLine($"target: requests {stats.Requests}, failed {stats.RequestsFailed}, records retried {stats.RecordsRetried}, rejected {stats.RecordsRejected}, undeliverable {stats.EventsUndeliverable}");

            Assert.AreEqual(0, acceptedDuringOutage, "nothing gets through while connections are refused");
            Assert.AreEqual(events, ids.Count, "every event id arrived");
            Assert.AreEqual(events, seqs.Count, "every event arrived");
            Assert.AreEqual(0, stats.EventsUndeliverable);
            Assert.AreEqual(server.AcceptedCount, ids.Count + duplicates);
            Assert.IsGreaterThan(0, faults.ThrottledCalls + faults.Http500Calls + faults.ResetBeforeCalls + faults.ResetAfterCalls, "faults were injected");
            Assert.IsLessThanOrEqualTo(faults.ResetAfterCalls * 500L, duplicates, "duplicates come only from calls whose answer was lost");
        }
    }
}
