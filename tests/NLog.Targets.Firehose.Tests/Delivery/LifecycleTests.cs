using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.VisualStudio.TestTools.UnitTesting;
using NLog.Targets.Firehose.Tests.Buffering;
using NLog.Targets.Firehose.Tests.Infrastructure;
using static NLog.Targets.Firehose.Tests.Infrastructure.Waiting;

namespace NLog.Targets.Firehose.Tests.Delivery
{
    /// <summary>
    /// The ends of a target's life that NLog drives, as the README's "Shutdown" item describes them: <c>Shutdown()</c>
    /// flushes before it closes; a configuration reload flushes and closes the old target; a process that exits without
    /// <c>Shutdown()</c> (Linux: NLog closes the targets without a flush) still delivers what was queued, through the
    /// close; and with an NLog whose queue the target cannot see, it says so at start-up and still delivers.
    /// </summary>
    [TestClass]
    public class LifecycleTests
    {
        private static List<string> Ids(string prefix, int count)
            => Enumerable.Range(0, count).Select(i => prefix + i.ToString(CultureInfo.InvariantCulture)).ToList();

        [TestMethod]
        public void Shutdown_SlowEndpoint_FlushWaitsForTheWritesThenTheTargetCloses()
        {
            var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            using var h = TargetHarness.Create(t => t.Layout = "${message}");
            h.Gate = gate.Task;   // every call waits until released
            foreach (string message in Ids("s-", 300))
                h.Logger.Info(message);
            WaitFor(() => h.Calls.Count >= 1, "a write is in flight");

            var shutdown = Task.Run(() => h.LogFactory.Shutdown());
            Assert.IsFalse(shutdown.Wait(1500), "Shutdown waits for the flush while the calls are held (NLog flushes up to 15 s before it closes)");
            Assert.AreNotEqual(FirehoseHealthState.NotInitialized, h.Target.GetHealth().State, "the target is not closed while the flush waits");
            gate.SetResult();
            Assert.IsTrue(shutdown.Wait(TimeSpan.FromSeconds(30)), "Shutdown returns once the flush is done");

            Assert.AreEqual(FirehoseHealthState.NotInitialized, h.Target.GetHealth().State, "then NLog closed the target");
            CollectionAssert.AreEquivalent(Ids("s-", 300), h.DeliveredText, "everything was delivered by the flush");
            Assert.AreEqual(0, h.Target.Statistics.EventsUndeliverable);
        }

        [TestMethod]
        public void Reload_NewConfiguration_OldTargetFlushedAndClosedNewOneTakesOver()
        {
            var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            using var h = TargetHarness.Create(t => t.Layout = "${message}");
            h.Gate = gate.Task;
            foreach (string message in Ids("old-", 100))
                h.Logger.Info(message);
            WaitFor(() => h.Calls.Count >= 1, "a write to the old target is in flight");

            // What a reload does: NLog assigns the new configuration (here with a new target on the same client).
            var newTarget = TargetHarness.NewTarget(_ => h.Client);
            newTarget.Layout = "${message}";
            var config = new Config.LoggingConfiguration(h.LogFactory);
            config.AddRuleForAllLevels(newTarget);
            var reload = Task.Run(() => h.LogFactory.Configuration = config);
            Assert.IsFalse(reload.Wait(1000), "the reload waits for the old target's flush");
            gate.SetResult();
            Assert.IsTrue(reload.Wait(TimeSpan.FromSeconds(30)), "the reload completes once the old target is flushed");
            Assert.AreEqual(FirehoseHealthState.NotInitialized, h.Target.GetHealth().State, "the old target is closed");
            CollectionAssert.AreEquivalent(Ids("old-", 100), h.DeliveredText, "the old target delivered everything before it closed");

            h.Logger.Info("after-reload");
            h.LogFactory.Flush(TimeSpan.FromSeconds(30));
            Assert.AreNotEqual(FirehoseHealthState.NotInitialized, newTarget.GetHealth().State);
            Assert.AreEqual(1, newTarget.Statistics.EventsReceived, "the new configuration's target takes the events logged after the reload");
            Assert.AreEqual(100, h.Target.Statistics.EventsReceived, "the old one none of them");
            Assert.Contains("after-reload", h.DeliveredText);
        }

        [TestMethod]
        public async Task ProcessExit_WithoutShutdown_QueuedEventsDeliveredByTheClose()
        {
            const int count = 3000;
            await using var server = await LoopbackFirehose.StartAsync();
            var environment = new Dictionary<string, string?>
            {
                ["AWS_ACCESS_KEY_ID"] = LoopbackFirehose.AccessKey,
                ["AWS_SECRET_ACCESS_KEY"] = LoopbackFirehose.SecretKey,
                ["AWS_EC2_METADATA_DISABLED"] = "true",
            };
            // The host logs with a 60 s TaskDelayMilliseconds, so nothing is written before Main returns, then exits
            // without Shutdown or Flush: only the close NLog runs at process exit can deliver the events.
            using Process host = DiskBufferCrashTests.StartHost(new[] { "exit", server.Url.ToString(), server.Region, count.ToString(CultureInfo.InvariantCulture) }, environment);
            Task<string> stdout = host.StandardOutput.ReadToEndAsync();
            Task<string> stderr = host.StandardError.ReadToEndAsync();
            Assert.IsTrue(host.WaitForExit(60_000), "the host exits");
            string output = await stdout;
            Assert.AreEqual(0, host.ExitCode, output + await stderr);
            StringAssert.Contains(output, "QUEUED " + count.ToString(CultureInfo.InvariantCulture), "nothing was written before Main returned");

            CollectionAssert.AreEquivalent(Ids("x-", count), server.DistinctAcceptedIds().ToList(), "every queued event was delivered at process exit");
            Assert.AreEqual(0, server.DuplicateCount());
        }

        [TestMethod]
        public void Initialize_NLogQueueNotVisible_WarnsAtStartAndStillDelivers()
        {
            using var log = new InternalLogCapture(LogLevel.Warn);
            using var h = TargetHarness.Create(t =>
            {
                t.Layout = "${message}";
                t.QueueProbeField = "_queueOfALaterNLog";   // as if a later NLog had renamed its queue field
            });
            StringAssert.Contains(log.Text, "cannot see into NLog's queue with this NLog version (AsyncTaskTarget has no _queueOfALaterNLog): events its Discard overflow drops are not counted");
            Assert.AreEqual(-1, h.Target.QueuedCount, "no view into the queue");
            Assert.AreEqual(Wrappers.AsyncTargetWrapperOverflowAction.Discard, h.Target.OverflowAction, "NLog's own Discard applies");

            foreach (string message in Ids("p-", 50))
                h.Logger.Info(message);
            h.Flush();
            CollectionAssert.AreEquivalent(Ids("p-", 50), h.DeliveredText, "the target still delivers");
        }
    }
}
