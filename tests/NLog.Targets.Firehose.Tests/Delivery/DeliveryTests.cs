using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Net.Http;
using System.Text;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.VisualStudio.TestTools.UnitTesting;
using NLog.Config;
using NLog.Targets.Firehose.Client;
using NLog.Targets.Firehose.Tests.Infrastructure;
using NLog.Targets.Wrappers;
using NSubstitute;

namespace NLog.Targets.Firehose.Tests.Delivery
{
    /// <summary>Retries, throttling, the breaker and giving up, through the real target with a substituted client.</summary>
    [TestClass]
    public class DeliveryTests
    {
        private static string Text(byte[] record) => Encoding.UTF8.GetString(record).TrimEnd('\n');

        private static TargetHarness Retrying(Action<FirehoseTarget>? more = null) => TargetHarness.Create(t =>
        {
            t.Layout = "${message}";
            t.DeliveryTimeoutMilliseconds = 5000;
            t.TaskDelayMilliseconds = 200;
            more?.Invoke(t);
        });

        [TestMethod]
        public void PartialFailure_ResendsOnlyFailedRecords_AcceptedNeverResent()
        {
            using var h = Retrying();
            h.FailRecord = i => h.Calls.Count == 1 && (i == 1 || i == 3) ? (i == 1 ? "ServiceUnavailableException" : "InternalFailure") : null;
            for (int i = 0; i < 5; i++)
                h.Logger.Info("e{0}", i);
            h.Flush();
            var calls = h.Calls.ToList();
            Assert.HasCount(2, calls);
            CollectionAssert.AreEqual(new[] { "e0", "e1", "e2", "e3", "e4" }, calls[0].Records.Select(Text).ToArray());
            CollectionAssert.AreEqual(new[] { "e1", "e3" }, calls[1].Records.Select(Text).ToArray(), "only the failed records go round again");
            Assert.AreEqual(5, h.Target.Statistics.RecordsSent);
            Assert.AreEqual(2, h.Target.Statistics.RecordsRetried);
            Assert.AreEqual(0, h.Target.Statistics.EventsUndeliverable);
        }

        [TestMethod]
        public void Resend_DefaultLayout_SameEventIdOnEveryAttempt()
        {
            using var h = TargetHarness.Create(t => t.DeliveryTimeoutMilliseconds = 5000);
            h.FailRecord = i => h.Calls.Count <= 2 ? "InternalFailure" : null;
            h.Logger.Info("one");
            h.Logger.Info("two");
            h.Flush();
            var ids = h.Calls.Select(c => c.Records.Select(r => JsonDocument.Parse(r).RootElement.GetProperty("event.id").GetString()).ToList()).ToList();
            Assert.HasCount(3, ids);
            Assert.AreEqual(2, ids[0].Distinct().Count(), "ids are unique per event");
            CollectionAssert.AreEqual(ids[0], ids[1]);
            CollectionAssert.AreEqual(ids[0], ids[2]);
        }

        [TestMethod]
        public void EventId_ManyEvents_AllDistinct()
        {
            using var h = TargetHarness.Create(t => t.TaskDelayMilliseconds = 200);
            for (int i = 0; i < 3000; i++)
                h.Logger.Info("x");
            h.Flush();
            var ids = h.SentRecords.Select(r => JsonDocument.Parse(r).RootElement.GetProperty("event.id").GetString()).ToList();
            Assert.HasCount(3000, ids);
            Assert.AreEqual(3000, ids.Distinct().Count());
        }

        [TestMethod]
        public void ThrottledCall_Retried_DeliveredAndStreamSlowed()
        {
            using var h = Retrying();
            h.FailCallWhen = n => n <= 2 ? new FirehoseServiceException("ServiceUnavailableException", "Slow down.", 503, null) : null;
            h.Logger.Info("a");
            h.Flush();
            Assert.HasCount(3, h.Calls);
            Assert.AreEqual(1, h.Target.Statistics.RecordsSent);
            Assert.AreEqual(2, h.Target.Statistics.RequestsFailed);
            Assert.IsGreaterThan(TimeSpan.Zero, h.Target.StreamStateOf("test-stream")!.Rate.Gap, "a throttle slows the stream");
        }

        [TestMethod]
        public void ThrottledRecords_Retried_StreamSlowedThenRecovers()
        {
            using var h = Retrying();
            h.FailRecord = _ => h.Calls.Count == 1 ? "ServiceUnavailableException" : null;
            h.Logger.Info("a");
            h.Flush();
            var rate = h.Target.StreamStateOf("test-stream")!.Rate;
            Assert.AreEqual(1, h.Target.Statistics.RecordsSent);
            TimeSpan afterThrottle = rate.Gap;
            h.Logger.Info("b");
            h.Flush();
            Assert.IsLessThan(AdaptiveRateFirstGapMs() + 1, afterThrottle.TotalMilliseconds + 0.0);
            Assert.IsLessThan(afterThrottle, rate.Gap, "accepted calls narrow the gap again");
        }

        private static double AdaptiveRateFirstGapMs() => NLog.Targets.Firehose.Delivery.AdaptiveRate.InitialGap.TotalMilliseconds;

        [TestMethod]
        public void TransientTransportErrors_Retried_Delivered()
        {
            using var h = Retrying();
            h.FailCallWhen = n => n switch
            {
                1 => new HttpRequestException(HttpRequestError.ConnectionError, "Connection reset by peer"),
                2 => new TimeoutException("slow"),
                3 => new FirehoseServiceException("InternalFailure", "oops", 500, null),
                _ => null,
            };
            h.Logger.Info("survivor");
            h.Flush();
            Assert.HasCount(4, h.Calls);
            Assert.AreEqual("survivor", Text(h.Calls.Last().Records.Single()));
            Assert.AreEqual(1, h.Target.Statistics.RecordsSent);
        }

        [TestMethod]
        public void AlwaysFailing_GivesUpAtDeliveryTimeout_ContinuationFails()
        {
            using var h = TargetHarness.Create(t => { t.DeliveryTimeoutMilliseconds = 400; t.RetryMaxDelayMilliseconds = 50; });
            h.FailCall = new FirehoseServiceException("InternalFailure", "oops", 500, null);
            var watch = Stopwatch.StartNew();
            Exception? reported = h.WriteAndWait(LogEventInfo.Create(LogLevel.Info, "L", "x"));
            watch.Stop();
            Assert.IsInstanceOfType<FirehoseDeliveryException>(reported);
            StringAssert.Contains(reported!.Message, "kept failing until the delivery timeout");
            Assert.IsGreaterThan(2, h.Calls.Count, "retried before giving up");
            Assert.IsLessThan(200, h.Calls.Count, "backoff, not a retry storm");
            Assert.IsGreaterThanOrEqualTo(350, watch.ElapsedMilliseconds, "kept trying until the timeout");
        }

        [TestMethod]
        public void FatalError_BreakerOpens_LoggedOnceWithAdviceAndNoRetryStorm()
        {
            using var log = new InternalLogCapture(LogLevel.Warn);
            using var h = TargetHarness.Create(t =>
            {
                t.DeliveryTimeoutMilliseconds = 1500;
                t.BreakerFirstProbe = TimeSpan.FromMilliseconds(200);
                t.BreakerMaxProbe = TimeSpan.FromMilliseconds(400);   // probes near 0, 200, 600, 1000, 1400 ms
            });
            h.FailCall = new FirehoseServiceException("AccessDeniedException", "User is not authorized to perform: firehose:PutRecordBatch", 400, null);
            Exception? reported = h.WriteAndWait(LogEventInfo.Create(LogLevel.Info, "L", "x"));
            Assert.IsInstanceOfType<FirehoseDeliveryException>(reported);
            StringAssert.Contains(reported!.Message, "circuit breaker is open (AccessDeniedException)", "an open breaker is reported as such, even when a probe slips past the deadline");
            Assert.IsTrue(h.Calls.Count is >= 2 and <= 6, $"probes on a schedule, not a storm: {h.Calls.Count} calls");
            Assert.IsTrue(h.Target.StreamStateOf("test-stream")!.Breaker.IsOpen);
            var stopped = log.Text.Split('\n').Where(l => l.Contains("stopped sending to stream 'test-stream': AccessDeniedException", StringComparison.Ordinal)).ToList();
            Assert.HasCount(1, stopped, log.Text);
            StringAssert.Contains(stopped[0], "To fix: grant firehose:PutRecordBatch");
        }

        [TestMethod]
        public void FatalError_Fixed_BreakerProbeSucceedsAndSendingResumes()
        {
            using var log = new InternalLogCapture(LogLevel.Info);
            using var h = TargetHarness.Create(t =>
            {
                t.DeliveryTimeoutMilliseconds = 3000;
                t.BreakerFirstProbe = TimeSpan.FromMilliseconds(200);
            });
            h.FailCallWhen = n => n == 1 ? new FirehoseServiceException("ResourceNotFoundException", "Stream test-stream not found", 400, null) : null;
            Exception? reported = h.WriteAndWait(LogEventInfo.Create(LogLevel.Info, "L", "held back then delivered"));
            Assert.IsNull(reported);
            Assert.HasCount(2, h.Calls);
            Assert.IsFalse(h.Target.StreamStateOf("test-stream")!.Breaker.IsOpen);
            StringAssert.Contains(log.Text, "stream 'test-stream' answers again; sending resumed", log.Text);
        }

        [TestMethod]
        public void Close_WhileRetrying_StopsAndReportsUndelivered()
        {
            using var log = new InternalLogCapture(LogLevel.Error);
            var h = TargetHarness.Create(t => { t.DeliveryTimeoutMilliseconds = 60_000; t.RetryBaseDelayMilliseconds = 50; t.RetryMaxDelayMilliseconds = 100; });
            h.FailCall = new FirehoseServiceException("InternalFailure", "oops", 500, null);
            h.Logger.Info("x");
            Assert.IsTrue(SpinWait.SpinUntil(() => h.Calls.Count >= 2, 10_000), "retrying");
            var watch = Stopwatch.StartNew();
            var dispose = Task.Run(h.Dispose);
            Assert.IsTrue(dispose.Wait(TimeSpan.FromSeconds(30)), "closing does not wait for the delivery timeout");
            // NLog's AsyncTaskTarget does not call the continuations of a write still running when it closes, so the
            // report of what was given up at shutdown is the Error log with its count, and the counter.
            Assert.IsTrue(SpinWait.SpinUntil(() => h.Target.Statistics.EventsUndeliverable == 1, 10_000), "counted");
            Assert.IsLessThan(20_000, watch.ElapsedMilliseconds);
            // The count comes just before the log line (the write ends on another thread than Dispose).
            SpinWait.SpinUntil(() => log.Text.Contains("gave up on 1 events", StringComparison.Ordinal), 10_000);
            StringAssert.Contains(log.Text, "gave up on 1 events for stream 'test-stream': the write was cancelled (the target closed");
        }

        [TestMethod]
        public void NLogRetryCount_AfterPartialFailure_AcceptedRecordsNotResent()
        {
            using var h = TargetHarness.Create(t => { t.Layout = "${message}"; t.RetryCount = 1; t.RetryDelayMilliseconds = 1; t.TaskDelayMilliseconds = 200; });
            h.FailRecord = i => h.Calls.Count == 1 && i == 0 ? "InternalFailure" : null;
            h.Logger.Info("first");
            h.Logger.Info("second");
            h.Flush();
            var calls = h.Calls.ToList();
            Assert.HasCount(2, calls);
            CollectionAssert.AreEqual(new[] { "first" }, calls[1].Records.Select(Text).ToArray(), "NLog's retry of the write resends only what was not accepted");
        }

        [TestMethod]
        public void FallbackGroup_UndeliverableEvent_HandedToFallbackTarget()
        {
            var client = NSubstitute.Substitute.For<IFirehoseClient>();
            client.PutRecordBatchAsync(default!, default!, default).ReturnsForAnyArgs(
                _ => Task.FromException<PutRecordBatchResponse>(new FirehoseServiceException("ResourceNotFoundException", "gone", 400, null)));
            var firehose = TargetHarness.NewTarget(_ => client);
            var memory = new MemoryTarget("memory") { Layout = "${message}" };
            var fallback = new FallbackGroupTarget("fallback", firehose, memory);
            using var factory = TargetHarness.Configure(new LogFactory { ThrowConfigExceptions = true }, fallback);
            factory.GetLogger("L").Error("must not be lost");
            factory.Flush(TimeSpan.FromSeconds(30));
            CollectionAssert.AreEqual(new[] { "must not be lost" }, memory.Logs.ToArray());
        }

        [TestMethod]
        public void FallbackGroup_Delivered_FallbackNotUsed()
        {
            using var h = TargetHarness.Create();
            var memory = new MemoryTarget("memory") { Layout = "${message}" };
            var firehose = TargetHarness.NewTarget(_ => h.Client);
            using var factory = TargetHarness.Configure(new LogFactory { ThrowConfigExceptions = true }, new FallbackGroupTarget("fallback", firehose, memory));
            factory.GetLogger("L").Info("delivered");
            factory.Flush(TimeSpan.FromSeconds(30));
            Assert.IsEmpty(memory.Logs);
            Assert.HasCount(1, h.Calls);
        }
    }
}
