using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.VisualStudio.TestTools.UnitTesting;
using NLog.Targets.Firehose.Client;
using NLog.Targets.Firehose.Tests.Buffering;
using NLog.Targets.Firehose.Tests.Infrastructure;
using NLog.Targets.Firehose.Testing;
using static NLog.Targets.Firehose.Tests.Infrastructure.Waiting;

namespace NLog.Targets.Firehose.Tests.Diagnostics
{
    /// <summary>
    /// The metrics on the meter <c>NLog.Targets.Firehose</c>, read with a MeterListener as an exporter reads them: every
    /// instrument tagged with the target's name (and the stream, reason, outcome where they apply), equal to the target's
    /// own counts, and listed in the README.
    /// </summary>
    [TestClass]
    public class MetricsTests
    {
        private static readonly (string, string) Stream = ("firehose.stream", "test-stream");

        private static string NewName() => "metrics-" + Guid.NewGuid().ToString("N").Substring(0, 8);

        [TestMethod]
        public void Metrics_EventsDelivered_CountersEqualStatisticsWithTargetAndStreamTags()
        {
            string name = NewName();
            using var metrics = new MetricsCapture(name);
            using var h = TargetHarness.Create(t => { t.Name = name; t.Layout = "${message}"; });
            h.Logger.Info("small");
            h.Logger.Info(new string('a', 5119));   // with the delimiter: exactly 5,120 bytes, one unit
            h.Logger.Info(new string('b', 6000));   // two units
            h.Flush();

            var (target, stream) = (("nlog.target", name), Stream);
            Assert.AreEqual(3, metrics.Sum("firehose.events.received", target));
            Assert.AreEqual(3, metrics.Sum("firehose.records.sent", target, stream));
            Assert.AreEqual(h.Target.Statistics.BytesSent, (long)metrics.Sum("firehose.bytes.sent", target, stream));
            Assert.AreEqual(6 + 5120 + 6001, h.Target.Statistics.BytesSent);
            Assert.AreEqual(4, metrics.Sum("firehose.billed_units", target, stream), "1 + 1 + 2 units of 5,120 bytes");
            Assert.AreEqual(4, h.Target.Statistics.BilledUnits);
            Assert.AreEqual(1, metrics.Sum("firehose.requests", target, stream, ("outcome", "success")));
            var durations = metrics.Of("firehose.request.duration", target, stream, ("outcome", "success"));
            Assert.HasCount(1, durations);
            Assert.IsTrue(durations[0].Value >= 0 && durations[0].Value < 30, "seconds");
            Assert.AreEqual(0, metrics.Sum("firehose.events.dropped", target));

            // Names and units in OpenTelemetry's style.
            Assert.AreEqual("{event}", metrics.Instruments["firehose.events.received"].Unit);
            Assert.AreEqual("By", metrics.Instruments["firehose.bytes.sent"].Unit);
            Assert.AreEqual("s", metrics.Instruments["firehose.request.duration"].Unit);
            Assert.IsInstanceOfType<System.Diagnostics.Metrics.Histogram<double>>(metrics.Instruments["firehose.request.duration"]);
        }

        [TestMethod]
        public void Metrics_PartialThenThrottledThenAccepted_OutcomesRetriesAndRejections()
        {
            string name = NewName();
            using var metrics = new MetricsCapture(name);
            int records = 0;
            using var h = TargetHarness.Create(t => { t.Name = name; t.Layout = "${message}"; t.DeliveryTimeoutMilliseconds = 10000; });
            // Call 1: record 0 fails (partial); call 2: refused as throttled; call 3: accepted.
            h.FailRecord = _ => Interlocked.Increment(ref records) == 1 ? "InternalFailure" : null;
            h.FailCallWhen = call => call == 2 ? new FirehoseServiceException("ThrottlingException", "slow down", 400, "r") : null;
            h.Logger.Info("one");
            h.Logger.Info("two");
            h.Flush();

            var target = ("nlog.target", name);
            Assert.AreEqual(1, metrics.Sum("firehose.requests", target, Stream, ("outcome", "partial")));
            Assert.AreEqual(1, metrics.Sum("firehose.requests", target, Stream, ("outcome", "throttled")));
            Assert.AreEqual(1, metrics.Sum("firehose.requests", target, Stream, ("outcome", "success")));
            Assert.AreEqual(h.Target.Statistics.Requests, (long)metrics.Sum("firehose.requests", target));
            Assert.AreEqual(3, metrics.Of("firehose.request.duration", target).Count);
            Assert.AreEqual(1, metrics.Sum("firehose.records.rejected", target, Stream));
            Assert.AreEqual(2, metrics.Sum("firehose.events.retried", target, Stream), "the failed record, then again after the throttle");
            Assert.AreEqual(h.Target.Statistics.EventsRetried, (long)metrics.Sum("firehose.events.retried", target));
            Assert.AreEqual(2, metrics.Sum("firehose.records.sent", target, Stream));
        }

        [TestMethod]
        public void Metrics_Drops_CountedWithReasonAndStreamWhereItApplies()
        {
            string name = NewName();
            using var metrics = new MetricsCapture(name);
            using var h = TargetHarness.Create(t =>
            {
                t.Name = name;
                t.Layout = "${message}";
                t.DeliveryStreamName = "${event-properties:stream:whenEmpty=test-stream}";
                t.OversizeAction = FirehoseOversizeAction.Drop;
            });
            h.Logger.Info(new string('x', 1_100_000));                                    // oversize
            h.Logger.WithProperty("stream", "not a valid name!").Info("bad stream");      // invalid_stream
            h.Flush();
            h.FailCall = new FirehoseServiceException("InternalFailure", "oops", 500, "r");
            h.Logger.Info("lost");                                                         // undeliverable (no time left)
            h.Flush();

            var target = ("nlog.target", name);
            Assert.AreEqual(1, metrics.Sum("firehose.events.dropped", target, ("reason", "oversize")));
            Assert.AreEqual(1, metrics.Sum("firehose.events.dropped", target, ("reason", "invalid_stream")));
            Assert.AreEqual(1, metrics.Sum("firehose.events.dropped", target, ("reason", "undeliverable"), Stream));
            Assert.AreEqual(1, metrics.Sum("firehose.requests", target, Stream, ("outcome", "error")));
            Assert.AreEqual(h.Target.Statistics.EventsDropped, (long)metrics.Sum("firehose.events.dropped", target));
        }

        [TestMethod]
        public void Metrics_QueueOverflow_DroppedWithReasonOverflowAndQueueDepthGauge()
        {
            string name = NewName();
            using var metrics = new MetricsCapture(name);
            var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            using var h = TargetHarness.Create(t => { t.Name = name; t.Layout = "${message}"; t.QueueLimit = 20; });
            h.Gate = gate.Task;
            h.Logger.Info("first");
            WaitFor(() => h.Calls.Count == 1, "the first write is in flight");
            for (int i = 0; i < 100; i++)
                h.Logger.Info("e" + i);
            metrics.Collect();
            var target = ("nlog.target", name);
            Assert.AreEqual(20, metrics.Last("firehose.queue.depth", target), "NLog's queue holds 20");
            Assert.AreEqual(80, metrics.Sum("firehose.events.dropped", target, ("reason", "overflow")));
            gate.SetResult();
            h.Flush();
            metrics.Collect();
            Assert.AreEqual(0, metrics.Last("firehose.queue.depth", target));
        }

        [TestMethod]
        public void Metrics_DiskBufferAndBreaker_BufferedReplayedBufferGaugesAndBreakerState()
        {
            using var temp = new TempDirectory();
            string name = NewName();
            using var metrics = new MetricsCapture(name);
            using var h = TargetHarness.Create(t =>
            {
                t.Name = name;
                t.Layout = "${message}";
                t.BufferDirectory = temp.Path;
                t.BreakerFirstProbe = TimeSpan.FromMilliseconds(200);
            });
            h.FailCall = new FirehoseServiceException("AccessDeniedException", "no", 400, "r");
            h.Logger.Info("kept 1");
            h.Logger.Info("kept 2");
            h.Flush();
            var target = ("nlog.target", name);
            Assert.AreEqual(2, metrics.Sum("firehose.events.buffered", target, Stream));
            Assert.AreEqual(1, metrics.Sum("firehose.requests", target, Stream, ("outcome", "refused")));
            metrics.Collect();
            Assert.AreEqual(1, metrics.Last("firehose.breaker.state", target, Stream), "open");
            Assert.IsGreaterThan(0, metrics.Last("firehose.buffer.size", target) ?? 0);
            Assert.AreEqual(2, metrics.Last("firehose.buffer.records", target));

            h.FailCall = null;   // the stream answers again: the breaker's probe succeeds and the buffer is replayed
            WaitFor(() => h.Target.Statistics.EventsReplayed == 2, "replayed");
            WaitFor(() => h.Target.Buffer!.PendingRecords == 0, "acknowledged");
            metrics.Collect();
            Assert.AreEqual(2, metrics.Sum("firehose.events.replayed", target, Stream));
            Assert.AreEqual(0, metrics.Last("firehose.breaker.state", target, Stream), "closed");
            Assert.AreEqual(0, metrics.Last("firehose.buffer.records", target));
        }

        [TestMethod]
        public void Metrics_DiskBufferOverItsCap_OldestDroppedWithReasonBufferCap()
        {
            using var temp = new TempDirectory();
            string name = NewName();
            using var metrics = new MetricsCapture(name);
            using var h = TargetHarness.Create(t =>
            {
                t.Name = name;
                t.Layout = "${message}";
                t.BufferDirectory = temp.Path;
                t.MaxBufferBytes = 1024 * 1024;
                t.BatchSize = 1;
            });
            h.FailCall = new FirehoseServiceException("InternalFailure", "down", 500, "r");
            for (int i = 0; i < 30; i++)
                h.Logger.Info(i + new string('z', 100_000));
            h.Flush();
            long dropped = h.Target.Statistics.RecordsDroppedBufferCap;
            Assert.IsGreaterThan(0L, dropped, "3 MB into a 1 MiB buffer");
            Assert.AreEqual(dropped, (long)metrics.Sum("firehose.events.dropped", ("nlog.target", name), ("reason", "buffer_cap")));
        }

        [TestMethod]
        public void Metrics_EveryInstrument_ListedInReadmeTable()
        {
            using var metrics = new MetricsCapture("none");
            _ = NLog.Targets.Firehose.Diagnostics.FirehoseMetrics.Meter;   // created (and published to the listener) on first use
            Assert.AreEqual("NLog.Targets.Firehose", FirehoseTarget.MeterName);
            string readme = File.ReadAllText(Path.Combine(TestPaths.RepositoryRoot, "README.md"));
            var documented = Regex.Matches(readme, @"^\| `(firehose\.[a-z_.]+)` \| (\w+) \| `([^`]+)` \|", RegexOptions.Multiline)
                .ToDictionary(m => m.Groups[1].Value, m => (Type: m.Groups[2].Value, Unit: m.Groups[3].Value));
            Assert.IsNotEmpty(metrics.Instruments);
            foreach (var instrument in metrics.Instruments.Values)
            {
                Assert.IsTrue(documented.TryGetValue(instrument.Name, out var row), "README's metrics table lists " + instrument.Name);
                Assert.AreEqual(instrument.Unit, row.Unit, instrument.Name + "'s unit");
                string type = instrument.GetType().Name.Split('`')[0];
                Assert.AreEqual(type, row.Type, instrument.Name + "'s type");
            }
            CollectionAssert.AreEquivalent(metrics.Instruments.Keys.ToList(), documented.Keys.ToList(), "no row for an instrument that does not exist");
        }
    }
}
