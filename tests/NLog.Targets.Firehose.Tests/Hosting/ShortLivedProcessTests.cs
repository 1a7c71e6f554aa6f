using System;
using System.Diagnostics;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.VisualStudio.TestTools.UnitTesting;
using NLog.Targets.Firehose.Client;
using NLog.Targets.Firehose.Tests.Buffering;
using NLog.Targets.Firehose.Tests.Infrastructure;
using static NLog.Targets.Firehose.Tests.Infrastructure.Waiting;

namespace NLog.Targets.Firehose.Tests.Hosting
{
    /// <summary>
    /// AWS Lambda and other short-lived processes, as the README describes them: each invocation ends with
    /// <c>LogManager.Flush(timeout)</c>; when the flush times out the events stay queued (or retrying) and go with a later
    /// flush, or at shutdown: kept on disk with a disk buffer (sent by the next cold start), else reported as undeliverable.
    /// </summary>
    [TestClass]
    public class ShortLivedProcessTests
    {
        /// <summary>One invocation's end: flush with a timeout; returns how long it took.</summary>
        private static TimeSpan EndInvocation(TargetHarness h, TimeSpan timeout)
        {
            var watch = Stopwatch.StartNew();
            h.LogFactory.Flush(timeout);
            return watch.Elapsed;
        }

        [TestMethod]
        public void Invocations_FlushTimesOutOnSlowEndpoint_EventsStayQueuedAndGoWithNextInvocationsFlush()
        {
            var slow = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            using var h = TargetHarness.Create(t => { t.Layout = "${message}"; t.DeliveryTimeoutMilliseconds = 30000; });
            h.Gate = slow.Task;   // the endpoint does not answer yet

            h.Logger.Info("invocation 1: a");
            h.Logger.Info("invocation 1: b");
            TimeSpan took = EndInvocation(h, TimeSpan.FromMilliseconds(300));
            Assert.IsLessThan(TimeSpan.FromSeconds(10), took, "the flush gives up at its timeout");
            Assert.AreEqual(0, h.Target.Statistics.RecordsSent, "nothing delivered yet");
            Assert.AreEqual(0, h.Target.Statistics.EventsDropped, "and nothing lost: the events wait");
            Assert.AreEqual(FirehoseHealthState.Delivering, h.Target.GetHealth().State);

            // The next invocation: the endpoint answers again; its flush takes the earlier invocation's events along.
            slow.SetResult();
            h.Logger.Info("invocation 2: c");
            EndInvocation(h, TimeSpan.FromSeconds(5));
            Assert.AreEqual(3, h.Target.Statistics.RecordsSent);
            CollectionAssert.AreEquivalent(new[] { "invocation 1: a", "invocation 1: b", "invocation 2: c" }, h.SentText.Distinct().ToList());
            Assert.AreEqual(0, h.Target.Statistics.EventsDropped);
        }

        [TestMethod]
        public void Invocations_EndpointFailingThenShutdown_KeptOnDiskAndSentByNextColdStart()
        {
            using var temp = new TempDirectory();
            var h = TargetHarness.Create(t =>
            {
                t.Layout = "${message}";
                t.BufferDirectory = temp.Path;
                t.DeliveryTimeoutMilliseconds = 60000;   // longer than the invocation: still retrying when it ends
            });
            h.FailCall = new FirehoseServiceException("InternalFailure", "down", 500, "r");
            h.Logger.Info("warm 1");
            h.Logger.Info("warm 2");
            EndInvocation(h, TimeSpan.FromMilliseconds(300));
            Assert.AreEqual(0, h.Target.Statistics.RecordsSent);

            h.Dispose();   // the environment shuts the process down: the retrying write is cancelled, its events go to disk
            Assert.AreEqual(2, h.Target.Statistics.EventsBuffered);
            Assert.AreEqual(0, h.Target.Statistics.EventsDropped);

            // The next cold start, with the same directory, sends them (and its own events) once the endpoint answers.
            using var next = TargetHarness.Create(t => { t.Layout = "${message}"; t.BufferDirectory = temp.Path; });
            next.Logger.Info("cold 1");
            EndInvocation(next, TimeSpan.FromSeconds(5));
            WaitFor(() => next.Target.Statistics.EventsReplayed == 2, "replayed from disk");
            CollectionAssert.AreEquivalent(new[] { "warm 1", "warm 2", "cold 1" }, next.SentText.Distinct().ToList());
        }

        [TestMethod]
        public void Invocations_EndpointFailingThenShutdownWithoutBuffer_ReportedUndeliverable()
        {
            using var log = new InternalLogCapture(LogLevel.Error);
            var h = TargetHarness.Create(t => { t.Layout = "${message}"; t.DeliveryTimeoutMilliseconds = 60000; });
            h.FailCall = new FirehoseServiceException("InternalFailure", "down", 500, "r");
            h.Logger.Info("lost 1");
            EndInvocation(h, TimeSpan.FromMilliseconds(300));
            Assert.AreEqual(0, h.Target.Statistics.EventsUndeliverable, "still retrying after the flush timed out");
            h.Dispose();
            WaitFor(() => h.Target.Statistics.EventsUndeliverable == 1, "given up at shutdown (the cancelled write unwinds), counted");
            WaitFor(() => log.Text.Contains("gave up on 1 events", StringComparison.Ordinal), "reported at Error level: " + log.Text);
        }
    }
}
