using System;
using System.Linq;
using System.Net.Http;
using Microsoft.VisualStudio.TestTools.UnitTesting;
using NLog.Targets.Firehose.Client;
using NLog.Targets.Firehose.Tests.Infrastructure;

namespace NLog.Targets.Firehose.Tests
{
    /// <summary>
    /// Giving up is never silent: events not delivered within the delivery timeout are logged with the error code and
    /// the count, counted, and reported to the write's continuation.
    /// </summary>
    [TestClass]
    public class FailureTests
    {
        [TestMethod]
        public void Write_RecordFailsWithNoTimeLeft_LoggedWithCodeAndCountAndContinuationFails()
        {
            using var log = new InternalLogCapture(LogLevel.Warn);
            using var h = TargetHarness.Create(t => t.Layout = "${message}");
            h.FailRecord = _ => "ServiceUnavailableException";
            Exception? reported = h.WriteAndWait(LogEventInfo.Create(LogLevel.Info, "L", "only"));
            Assert.IsInstanceOfType<FirehoseDeliveryException>(reported);
            StringAssert.Contains(reported!.Message, "1 of 1 events were not delivered");
            StringAssert.Contains(reported.Message, "last error ServiceUnavailableException");
            StringAssert.Contains(log.Text, "gave up on 1 events for stream 'test-stream'");
            Assert.AreEqual(1, h.Target.Statistics.EventsUndeliverable);
            Assert.AreEqual(0, h.Target.Statistics.RecordsSent);
        }

        [TestMethod]
        public void Write_CallRefusedWithNoTimeLeft_LoggedWithCodeAndContinuationFails()
        {
            using var log = new InternalLogCapture(LogLevel.Warn);
            using var h = TargetHarness.Create();
            h.FailCall = new FirehoseServiceException("InternalFailure", "oops", 500, "rid-9");
            Exception? reported = h.WriteAndWait(LogEventInfo.Create(LogLevel.Info, "L", "x"));
            Assert.IsInstanceOfType<FirehoseDeliveryException>(reported);
            StringAssert.Contains(reported!.Message, "last error InternalFailure");
            StringAssert.Contains(log.Text, "PutRecordBatch to stream 'test-stream' failed (InternalFailure) for 1 records");
            Assert.AreEqual(1, h.Target.Statistics.RequestsFailed);
            Assert.AreEqual(1, h.Target.Statistics.EventsUndeliverable);
        }

        [TestMethod]
        public void Write_TransportFailureWithNoTimeLeft_LoggedAndContinuationFails()
        {
            using var log = new InternalLogCapture(LogLevel.Warn);
            using var h = TargetHarness.Create();
            h.FailCall = new HttpRequestException(HttpRequestError.ConnectionError, "Connection refused (127.0.0.1:1)");
            Exception? reported = h.WriteAndWait(LogEventInfo.Create(LogLevel.Info, "L", "x"));
            Assert.IsInstanceOfType<FirehoseDeliveryException>(reported);
            StringAssert.Contains(log.Text, "failed (ConnectionError)");
        }

        [TestMethod]
        public void Write_RepeatedGiveUps_LoggedOncePerMinutePerReason()
        {
            using var log = new InternalLogCapture(LogLevel.Error);
            using var h = TargetHarness.Create();
            h.FailCall = new FirehoseServiceException("InternalFailure", "oops", 500, null);
            for (int i = 0; i < 5; i++)
                h.WriteAndWait(LogEventInfo.Create(LogLevel.Info, "L", "x" + i));
            int logged = log.Text.Split('\n').Count(l => l.Contains("gave up on", StringComparison.Ordinal));
            Assert.AreEqual(1, logged, log.Text);
            Assert.AreEqual(5, h.Target.Statistics.EventsUndeliverable);
        }

        [TestMethod]
        public void Write_TwoCallsPastTheDeadline_OnlyTheFirstCallIsAttempted()
        {
            using var h = TargetHarness.Create(t => { t.Layout = "${message}"; t.BatchSize = 501; t.TaskDelayMilliseconds = 500; });
            h.FailCall = new FirehoseServiceException("InternalFailure", "oops", 500, null);
            for (int i = 0; i < 501; i++)
                h.Logger.Info("e{0}", i);
            h.Flush();
            Assert.HasCount(1, h.Calls, "the second call of the write does not start after the deadline");
            Assert.AreEqual(501, h.Target.Statistics.EventsUndeliverable, "and its events are reported, not lost");
        }

        [TestMethod]
        public void Init_TaskTimeoutShorterThanDeliveryTimeout_ConfigurationError()
        {
            var target = TargetHarness.NewTarget(_ => NSubstitute.Substitute.For<IFirehoseClient>());
            target.TaskTimeoutSeconds = 10;
            target.DeliveryTimeoutMilliseconds = 60000;
            using var factory = new LogFactory { ThrowConfigExceptions = true };
            var ex = Assert.ThrowsExactly<NLogConfigurationException>(() => TargetHarness.Configure(factory, target));
            StringAssert.Contains(ex.ToString(), "TaskTimeoutSeconds (10) must be longer than DeliveryTimeoutMilliseconds + RequestTimeoutMilliseconds");
        }
    }
}
