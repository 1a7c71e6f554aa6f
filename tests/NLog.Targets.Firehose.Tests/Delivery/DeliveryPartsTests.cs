using System;
using System.Linq;
using System.Net.Http;
using Amazon.Runtime;
using Microsoft.VisualStudio.TestTools.UnitTesting;
using NLog.Targets.Firehose.Client;
using NLog.Targets.Firehose.Delivery;

namespace NLog.Targets.Firehose.Tests.Delivery
{
    [TestClass]
    public class DeliveryPartsTests
    {
        [TestMethod]
        public void Backoff_Ceiling_DoublesUpToMax()
        {
            var backoff = new Backoff(TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(1000));
            CollectionAssert.AreEqual(new[] { 100.0, 200, 400, 800, 1000, 1000 }, Enumerable.Range(1, 6).Select(n => backoff.Ceiling(n).TotalMilliseconds).ToArray());
            Assert.AreEqual(1000, backoff.Ceiling(10_000).TotalMilliseconds);
        }

        [TestMethod]
        public void Backoff_Next_FullJitterWithinCeilingAndSpread()
        {
            var backoff = new Backoff(TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(10), new Random(1));
            var samples = Enumerable.Range(0, 2000).Select(_ => backoff.Next(4).TotalMilliseconds).ToList();
            Assert.IsTrue(samples.All(ms => ms >= 0 && ms <= 800));
            Assert.IsLessThan(80, samples.Min(), "full jitter reaches near zero");
            Assert.IsGreaterThan(720, samples.Max(), "and near the ceiling");
            Assert.IsTrue(Math.Abs(samples.Average() - 400) < 40, "uniform: mean near half the ceiling");
        }

        [TestMethod]
        public void AdaptiveRate_Throttled_GapDoublesToMaxAndSpacesCalls()
        {
            var rate = new AdaptiveRate(TimeSpan.FromMilliseconds(300));
            var t0 = new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc);
            Assert.AreEqual(TimeSpan.Zero, rate.Reserve(t0));
            Assert.AreEqual(TimeSpan.Zero, rate.Reserve(t0), "no gap before any throttle");
            rate.OnThrottled();
            Assert.AreEqual(AdaptiveRate.InitialGap, rate.Gap);
            rate.OnThrottled();
            rate.OnThrottled();
            rate.OnThrottled();
            Assert.AreEqual(TimeSpan.FromMilliseconds(300), rate.Gap, "capped");
            var t1 = t0.AddSeconds(1);
            Assert.AreEqual(TimeSpan.Zero, rate.Reserve(t1));
            Assert.AreEqual(TimeSpan.FromMilliseconds(300), rate.Reserve(t1), "the next call waits one gap");
            Assert.AreEqual(TimeSpan.FromMilliseconds(600), rate.Reserve(t1), "and the one after, two: every call to the stream is paced");
        }

        [TestMethod]
        public void AdaptiveRate_AcceptedAfterThrottling_RecoversToNoGap()
        {
            var rate = new AdaptiveRate(TimeSpan.FromSeconds(10));
            for (int i = 0; i < 8; i++)
                rate.OnThrottled();
            Assert.IsGreaterThan(TimeSpan.FromSeconds(5), rate.Gap);
            int calls = 0;
            while (rate.Gap > TimeSpan.Zero && calls < 100)
            {
                rate.OnAccepted();
                calls++;
            }
            Assert.AreEqual(TimeSpan.Zero, rate.Gap);
            Assert.IsLessThan(40, calls, "recovers within a few dozen good calls");
        }

        [TestMethod]
        public void AdaptiveRate_ThrottledShare_GapFollowsShare()
        {
            var rate = new AdaptiveRate(TimeSpan.FromSeconds(10));
            rate.OnResult(0.01);
            Assert.AreEqual(TimeSpan.Zero, rate.Gap, "a few throttled records in a large call do not start a gap");
            rate.OnResult(0.5);
            Assert.AreEqual(AdaptiveRate.InitialGap, rate.Gap, "a large share does");
            rate.OnResult(AdaptiveRate.SteadyShare);
            Assert.AreEqual(AdaptiveRate.InitialGap, rate.Gap, "a fifth holds it steady");
            rate.OnResult(1.0);
            Assert.AreEqual(AdaptiveRate.InitialGap * 2, rate.Gap, "all throttled doubles it");
            rate.OnResult(0.01);
            Assert.IsLessThan(AdaptiveRate.InitialGap * 2, rate.Gap, "a small share narrows it");
        }

        [TestMethod]
        public void CircuitBreaker_TripProbeDoubleAndClose_AsScheduled()
        {
            var breaker = new CircuitBreaker(TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(12));
            var t0 = new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc);
            Assert.IsFalse(breaker.IsOpen);
            Assert.IsTrue(breaker.Trip("AccessDeniedException", t0, out var wait));
            Assert.AreEqual(TimeSpan.FromSeconds(5), wait);
            Assert.IsTrue(breaker.IsOpen);
            Assert.AreEqual("AccessDeniedException", breaker.OpenCode);
            Assert.AreEqual(TimeSpan.FromSeconds(3), breaker.TimeUntilCall(t0.AddSeconds(2)));
            Assert.AreEqual(TimeSpan.Zero, breaker.TimeUntilCall(t0.AddSeconds(5)), "probe due");
            Assert.IsFalse(breaker.Trip("AccessDeniedException", t0.AddSeconds(5), out wait), "already open");
            Assert.AreEqual(TimeSpan.FromSeconds(10), wait);
            breaker.Trip("AccessDeniedException", t0.AddSeconds(15), out wait);
            Assert.AreEqual(TimeSpan.FromSeconds(12), wait, "capped");
            Assert.IsTrue(breaker.OnSuccess());
            Assert.IsFalse(breaker.IsOpen);
            Assert.AreEqual(TimeSpan.Zero, breaker.TimeUntilCall(t0.AddSeconds(16)));
            Assert.IsFalse(breaker.OnSuccess(), "already closed");
        }

        [TestMethod]
        [DataRow("ServiceUnavailableException", 503, "Throttled")]
        [DataRow("ThrottlingException", 400, "Throttled")]
        [DataRow("HttpStatus429", 429, "Throttled")]
        [DataRow("InternalFailure", 500, "Transient")]
        [DataRow("HttpStatus502", 502, "Transient")]
        [DataRow("ExpiredTokenException", 400, "Fatal")]
        [DataRow("AccessDeniedException", 400, "Fatal")]
        [DataRow("UnrecognizedClientException", 400, "Fatal")]
        [DataRow("InvalidSignatureException", 400, "Fatal")]
        [DataRow("ResourceNotFoundException", 400, "Fatal")]
        [DataRow("InvalidArgumentException", 400, "Fatal")]
        [DataRow("ValidationException", 400, "Fatal")]
        [DataRow("InvalidKMSResourceException", 400, "Fatal")]
        [DataRow("KMSAccessDeniedException", 400, "Fatal")]
        [DataRow("SomethingNew", 400, "Fatal")]
        [DataRow("SomethingNew", 503, "Transient")]
        public void Classify_ServiceError_Kind(string code, int status, string expected)
        {
            Assert.AreEqual(expected, FailureClassifier.Classify(new FirehoseServiceException(code, "m", status, null), out string reported).ToString());
            Assert.AreEqual(code, reported);
        }

        [TestMethod]
        public void Classify_TransportAndCredentialErrors_Kind()
        {
            Assert.AreEqual(FailureKind.Transient, FailureClassifier.Classify(new TimeoutException(), out string code));
            Assert.AreEqual("Timeout", code);
            Assert.AreEqual(FailureKind.Transient, FailureClassifier.Classify(new HttpRequestException(HttpRequestError.NameResolutionError, "dns"), out code));
            Assert.AreEqual("NameResolutionError", code);
            Assert.AreEqual(FailureKind.Transient, FailureClassifier.Classify(new HttpRequestException(HttpRequestError.ConnectionError, "refused"), out _));
            Assert.AreEqual(FailureKind.Transient, FailureClassifier.Classify(new System.IO.IOException("reset"), out _));
            Assert.AreEqual(FailureKind.Transient, FailureClassifier.Classify(new System.IO.InvalidDataException("bad json"), out code));
            Assert.AreEqual("MalformedResponse", code);
            Assert.AreEqual(FailureKind.Fatal, FailureClassifier.Classify(new NoCredentialsException("No AWS credentials found: …"), out code));
            Assert.AreEqual("NoCredentials", code);
        }

        [TestMethod]
        public void ClassifyRecord_Codes_ThrottleOrRetry()
        {
            Assert.AreEqual(FailureKind.Throttled, FailureClassifier.ClassifyRecord("ServiceUnavailableException"));
            Assert.AreEqual(FailureKind.Transient, FailureClassifier.ClassifyRecord("InternalFailure"));
        }

        [TestMethod]
        public void AdviceFor_FatalCodes_SayWhatToFix()
        {
            StringAssert.Contains(FailureClassifier.AdviceFor("AccessDeniedException"), "firehose:PutRecordBatch");
            StringAssert.Contains(FailureClassifier.AdviceFor("ResourceNotFoundException"), "DeliveryStreamName and Region");
            StringAssert.Contains(FailureClassifier.AdviceFor("KMS.DisabledException"), "KMS key");
        }
    }
}
