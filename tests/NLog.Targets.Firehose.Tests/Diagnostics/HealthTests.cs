using System;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.VisualStudio.TestTools.UnitTesting;
using NLog.Targets.Firehose.Client;
using NLog.Targets.Firehose.Tests.Buffering;
using NLog.Targets.Firehose.Tests.Infrastructure;
using static NLog.Targets.Firehose.Tests.Infrastructure.Waiting;

namespace NLog.Targets.Firehose.Tests.Diagnostics
{
    /// <summary>
    /// <see cref="FirehoseTarget.GetHealth"/>, the readiness probe's view of the target: each state as the README
    /// describes it, with the counts and the last error and success.
    /// </summary>
    [TestClass]
    public class HealthTests
    {
        [TestMethod]
        public void GetHealth_BeforeInitialisationAndAfterClose_NotInitialized()
        {
            var target = new FirehoseTarget("firehose") { DeliveryStreamName = "s" };
            FirehoseHealth before = target.GetHealth();
            Assert.AreEqual(FirehoseHealthState.NotInitialized, before.State);
            Assert.IsFalse(before.IsHealthy);

            var h = TargetHarness.Create();
            Assert.AreEqual(FirehoseHealthState.Idle, h.Target.GetHealth().State);
            h.Dispose();
            Assert.AreEqual(FirehoseHealthState.NotInitialized, h.Target.GetHealth().State);
        }

        [TestMethod]
        public void GetHealth_AllDelivered_IdleWithLastSuccessAndCounts()
        {
            using var h = TargetHarness.Create();
            DateTime start = DateTime.UtcNow;
            h.Logger.Info("a");
            h.Logger.Info("b");
            h.Flush();
            FirehoseHealth health = h.Target.GetHealth();
            Assert.AreEqual(FirehoseHealthState.Idle, health.State, health.ToString());
            Assert.IsTrue(health.IsHealthy);
            Assert.AreEqual(0, health.QueuedEvents);
            Assert.AreEqual(2, health.EventsReceived);
            Assert.AreEqual(2, health.RecordsSent);
            Assert.AreEqual(0, health.EventsDropped);
            Assert.IsNull(health.LastErrorCode);
            Assert.IsNotNull(health.LastSuccessUtc);
            Assert.IsTrue(health.LastSuccessUtc >= start.AddSeconds(-1));
        }

        [TestMethod]
        public void GetHealth_CallInFlightAndEventsQueued_DeliveringWithQueuedCount()
        {
            var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            using var h = TargetHarness.Create();
            h.Gate = gate.Task;
            h.Logger.Info("in flight");
            WaitFor(() => h.Calls.Count == 1, "the first write is in flight");
            h.Logger.Info("queued 1");
            h.Logger.Info("queued 2");
            FirehoseHealth health = h.Target.GetHealth();
            Assert.AreEqual(FirehoseHealthState.Delivering, health.State);
            Assert.AreEqual(2, health.QueuedEvents);
            Assert.IsTrue(health.IsHealthy);
            gate.SetResult();
            h.Flush();
            Assert.AreEqual(FirehoseHealthState.Idle, h.Target.GetHealth().State);
        }

        [TestMethod]
        public void GetHealth_ThrottledThenAccepted_ThrottledWithStreamAndLastErrorCode()
        {
            using var h = TargetHarness.Create(t => t.DeliveryTimeoutMilliseconds = 10000);
            h.FailCallWhen = call => call == 1 ? new FirehoseServiceException("ServiceUnavailableException", "slow down", 400, "r") : null;
            h.Logger.Info("x");
            h.Flush();
            FirehoseHealth health = h.Target.GetHealth();
            Assert.AreEqual(FirehoseHealthState.Throttled, health.State, health.ToString());
            Assert.IsTrue(health.IsHealthy, "throttled events still arrive");
            CollectionAssert.AreEqual(new[] { "test-stream" }, health.ThrottledStreams.ToArray());
            Assert.AreEqual("ServiceUnavailableException", health.LastErrorCode);
            Assert.IsNotNull(health.LastErrorUtc);
            Assert.AreEqual(1, health.RecordsSent);
        }

        [TestMethod]
        public void GetHealth_GivenUpWithoutBuffer_FailingUntilACallSucceeds()
        {
            using var h = TargetHarness.Create();
            h.FailCall = new FirehoseServiceException("InternalFailure", "oops", 500, "r");
            h.Logger.Info("lost");
            h.Flush();
            FirehoseHealth health = h.Target.GetHealth();
            Assert.AreEqual(FirehoseHealthState.Failing, health.State);
            Assert.IsFalse(health.IsHealthy);
            Assert.AreEqual("InternalFailure", health.LastErrorCode);
            Assert.AreEqual(1, health.EventsDropped);

            h.FailCall = null;
            h.Logger.Info("delivered");
            h.Flush();
            Assert.AreEqual(FirehoseHealthState.Idle, h.Target.GetHealth().State);
        }

        [TestMethod]
        public void GetHealth_FatalError_BreakerOpenWithStreamAndCode()
        {
            using var h = TargetHarness.Create(t => t.BreakerFirstProbe = TimeSpan.FromMinutes(5));
            h.FailCall = new FirehoseServiceException("AccessDeniedException", "no", 400, "r");
            h.Logger.Info("x");
            h.Flush();
            FirehoseHealth health = h.Target.GetHealth();
            Assert.AreEqual(FirehoseHealthState.BreakerOpen, health.State);
            Assert.IsFalse(health.IsHealthy);
            CollectionAssert.AreEqual(new[] { "test-stream" }, health.OpenBreakerStreams.ToArray());
            Assert.AreEqual("AccessDeniedException", health.LastErrorCode);
        }

        [TestMethod]
        public void GetHealth_UndeliveredKeptOnDisk_BufferingWithBufferedBytesThenIdleAfterReplay()
        {
            using var temp = new TempDirectory();
            using var h = TargetHarness.Create(t => { t.BufferDirectory = temp.Path; t.RetryMaxDelayMilliseconds = 100; });
            h.FailCall = new FirehoseServiceException("InternalFailure", "down", 500, "r");
            h.Logger.Info("kept");
            h.Flush();
            FirehoseHealth health = h.Target.GetHealth();
            Assert.AreEqual(FirehoseHealthState.Buffering, health.State, health.ToString());
            Assert.IsTrue(health.IsHealthy, "nothing is lost");
            Assert.IsGreaterThan(0L, health.BufferedBytes);
            Assert.AreEqual(1, health.BufferedRecords);

            h.FailCall = null;
            WaitFor(() => h.Target.GetHealth().State == FirehoseHealthState.Idle, "replayed, then idle: " + h.Target.GetHealth());
            Assert.AreEqual(0, h.Target.GetHealth().BufferedRecords);
        }
    }
}
