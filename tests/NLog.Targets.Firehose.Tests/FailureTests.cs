using System;
using System.Linq;
using System.Net.Http;
using Microsoft.VisualStudio.TestTools.UnitTesting;
using NLog.Targets.Firehose.Client;
using NLog.Targets.Firehose.Tests.Infrastructure;

namespace NLog.Targets.Firehose.Tests
{
    /// <summary>
    /// Failed records and failed calls, for now: logged through InternalLogger with the error code and the count,
    /// counted, and reported to the write's continuation (never silent).
    /// </summary>
    [TestClass]
    public class FailureTests
    {
        [TestMethod]
        public void Write_PartialFailure_LoggedWithCodeAndCountAndContinuationFails()
        {
            using var log = new InternalLogCapture(LogLevel.Warn);
            using var h = TargetHarness.Create(t => t.Layout = "${message}");
            h.FailRecord = i => i == 0 ? "ServiceUnavailableException" : null;
            Exception? reported = h.WriteAndWait(LogEventInfo.Create(LogLevel.Info, "L", "only"));
            Assert.IsInstanceOfType<FirehoseDeliveryException>(reported);
            StringAssert.Contains(reported!.Message, "ServiceUnavailableException for 1 records");
            StringAssert.Contains(log.Text, "Firehose rejected 1 of 1 records for stream 'test-stream': ServiceUnavailableException");
            Assert.AreEqual(1, h.Target.Statistics.RecordsFailed);
            Assert.AreEqual(0, h.Target.Statistics.RecordsSent);
        }

        [TestMethod]
        public void Write_SomeRecordsFail_AcceptedCountedFailedLogged()
        {
            using var log = new InternalLogCapture(LogLevel.Warn);
            using var h = TargetHarness.Create(t => { t.Layout = "${message}"; t.TaskDelayMilliseconds = 500; });
            h.FailRecord = i => i % 3 == 0 ? "InternalFailure" : null;
            for (int i = 0; i < 9; i++)
                h.Logger.Info("e{0}", i);
            h.Flush();
            Assert.AreEqual(9, h.SentRecords.Count);
            Assert.AreEqual(6, h.Target.Statistics.RecordsSent);
            Assert.AreEqual(3, h.Target.Statistics.RecordsFailed);
            StringAssert.Contains(log.Text, "Firehose rejected 3 of 9 records for stream 'test-stream': InternalFailure");
        }

        [TestMethod]
        public void Write_CallRefused_LoggedWithCodeAndContinuationFails()
        {
            using var log = new InternalLogCapture(LogLevel.Warn);
            using var h = TargetHarness.Create();
            h.FailCall = new FirehoseServiceException("ResourceNotFoundException", "Stream test-stream not found", 400, "rid-9");
            Exception? reported = h.WriteAndWait(LogEventInfo.Create(LogLevel.Info, "L", "x"));
            Assert.IsInstanceOfType<FirehoseDeliveryException>(reported);
            Assert.IsInstanceOfType<FirehoseServiceException>(reported!.InnerException);
            StringAssert.Contains(log.Text, "PutRecordBatch to stream 'test-stream' failed (ResourceNotFoundException); 1 records not delivered");
            Assert.AreEqual(1, h.Target.Statistics.RequestsFailed);
        }

        [TestMethod]
        public void Write_TransportFailure_LoggedAndContinuationFails()
        {
            using var log = new InternalLogCapture(LogLevel.Warn);
            using var h = TargetHarness.Create();
            h.FailCall = new HttpRequestException("Connection refused (127.0.0.1:1)");
            Exception? reported = h.WriteAndWait(LogEventInfo.Create(LogLevel.Info, "L", "x"));
            Assert.IsInstanceOfType<FirehoseDeliveryException>(reported);
            StringAssert.Contains(log.Text, "HttpRequestException");
        }

        [TestMethod]
        public void Write_RepeatedFailures_LoggedOncePerMinutePerCode()
        {
            using var log = new InternalLogCapture(LogLevel.Error);
            using var h = TargetHarness.Create();
            h.FailCall = new FirehoseServiceException("AccessDeniedException", "not authorized", 400, null);
            for (int i = 0; i < 5; i++)
                h.WriteAndWait(LogEventInfo.Create(LogLevel.Info, "L", "x" + i));
            int logged = log.Text.Split('\n').Count(l => l.Contains("failed (AccessDeniedException)", StringComparison.Ordinal));
            Assert.AreEqual(1, logged, log.Text);
            Assert.AreEqual(5, h.Target.Statistics.RequestsFailed);
        }

        [TestMethod]
        public void Write_RetryCountSet_NLogRetriesTheWrite()
        {
            using var h = TargetHarness.Create(t => { t.RetryCount = 2; t.RetryDelayMilliseconds = 1; });
            h.FailCall = new FirehoseServiceException("ServiceUnavailableException", "Slow down.", 503, null);
            Exception? reported = h.WriteAndWait(LogEventInfo.Create(LogLevel.Info, "L", "x"));
            Assert.IsNotNull(reported);
            Assert.HasCount(3, h.Calls, "one call and two retries");
        }
    }
}
