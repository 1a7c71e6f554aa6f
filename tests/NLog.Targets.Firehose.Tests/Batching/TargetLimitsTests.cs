using System;
using System.Linq;
using System.Text;
using Microsoft.VisualStudio.TestTools.UnitTesting;
using NLog.Layouts;
using NLog.Targets.Firehose.Batching;
using NLog.Targets.Firehose.Tests.Infrastructure;

namespace NLog.Targets.Firehose.Tests.Batching
{
    /// <summary>The service limits at their edges, through the real target: nothing sent is a call the service would refuse.</summary>
    [TestClass]
    public class TargetLimitsTests
    {
        private static TargetHarness Harness() => TargetHarness.Create(t => { t.Layout = "${message}"; t.TaskDelayMilliseconds = 500; });

        [TestMethod]
        public void Write_500Events_OneCallOf500()
        {
            using var h = Harness();
            for (int i = 0; i < 500; i++)
                h.Logger.Info("event {0}", i);
            h.Flush();
            Assert.AreEqual(500, h.SentRecords.Count);
            Assert.HasCount(1, h.Calls, "500 records fit one call");
            CollectionAssert.AreEqual(Enumerable.Range(0, 500).Select(i => "event " + i).ToList(), h.SentText);
        }

        [TestMethod]
        public void Write_501EventsInOneNLogBatch_TwoCalls()
        {
            using var h = TargetHarness.Create(t => { t.Layout = "${message}"; t.BatchSize = 501; t.TaskDelayMilliseconds = 1000; });
            for (int i = 0; i < 501; i++)
                h.Logger.Info("event {0}", i);
            h.Flush();
            CollectionAssert.AreEqual(new[] { 500, 1 }, h.Calls.Select(c => c.Records.Count).ToArray());
            Assert.AreEqual(501, h.Target.Statistics.RecordsSent);
        }

        [TestMethod]
        public void Write_RecordOfExactly1024000Bytes_Sent()
        {
            using var h = Harness();
            h.Logger.Info(new string('a', FirehoseLimits.MaxRecordBytes - 1));   // + "\n" = 1,024,000
            h.Flush();
            Assert.HasCount(1, h.SentRecords);
            Assert.HasCount(FirehoseLimits.MaxRecordBytes, h.SentRecords[0]);
            Assert.AreEqual((byte)'\n', h.SentRecords[0][^1]);
        }

        [TestMethod]
        public void Write_RecordOf1024001BytesWithDrop_DroppedCountedAndWarned()
        {
            using var log = new InternalLogCapture(LogLevel.Warn);
            using var h = TargetHarness.Create(t => { t.Layout = "${message}"; t.OversizeAction = FirehoseOversizeAction.Drop; });
            h.LogFactory.GetLogger("Big.Logger").Info(new string('a', FirehoseLimits.MaxRecordBytes));   // + "\n" = 1,024,001
            h.Logger.Info("small");
            h.Flush();
            CollectionAssert.AreEqual(new[] { "small" }, h.SentText);
            Assert.AreEqual(1, h.Target.Statistics.EventsDroppedOversize);
            StringAssert.Contains(log.Text, "Big.Logger");
            StringAssert.Contains(log.Text, "1024001 bytes");
        }

        [TestMethod]
        public void Write_HugeEventLastInWrite_HugeDroppedOthersSentAndTargetKeepsWorking()
        {
            using var h = TargetHarness.Create(t => { t.Layout = "${message}"; t.OversizeAction = FirehoseOversizeAction.Drop; t.TaskDelayMilliseconds = 200; });
            h.Logger.Info("before");
            h.Logger.Info(new string('h', 5_000_000));   // last in the write: the render buffer still holds it afterwards
            h.Flush();
            h.Logger.Info("later");
            h.Flush();
            CollectionAssert.AreEqual(new[] { "before", "later" }, h.SentText);
            Assert.AreEqual(1, h.Target.Statistics.EventsDroppedOversize);
        }

        [TestMethod]
        public void Write_MultibyteRecordAtLimit_SentAndDecodesToSameText()
        {
            using var h = Harness();
            // 'é' is 2 bytes, '€' is 3: 511,998 × 2 + 3 = 1,023,999, + "\n" = 1,024,000.
            string message = new string('é', 511_998) + "€";
            h.Logger.Info(message);
            h.Flush();
            Assert.HasCount(1, h.SentRecords);
            Assert.HasCount(FirehoseLimits.MaxRecordBytes, h.SentRecords[0]);
            Assert.AreEqual(message, h.SentText[0]);
        }

        [TestMethod]
        public void Write_MultibyteRecordOneByteOverWithDrop_Dropped()
        {
            using var h = TargetHarness.Create(t => { t.Layout = "${message}"; t.OversizeAction = FirehoseOversizeAction.Drop; });
            // Fewer characters than the limit, more bytes: 512,000 × 2 + 1 = 1,024,001.
            h.Logger.Info(new string('é', 512_000));
            h.Logger.Info("🙂 after");
            h.Flush();
            CollectionAssert.AreEqual(new[] { "🙂 after" }, h.SentText);
            Assert.AreEqual(1, h.Target.Statistics.EventsDroppedOversize);
        }

        [TestMethod]
        public void Write_TextRecordOf1024001Bytes_TruncatedAtLimitByDefault()
        {
            using var log = new InternalLogCapture(LogLevel.Warn);
            using var h = Harness();
            h.LogFactory.GetLogger("Big.Logger").Info(new string('a', FirehoseLimits.MaxRecordBytes));   // + "\n" = 1,024,001
            h.Flush();
            byte[] record = h.SentRecords.Single();
            Assert.HasCount(FirehoseLimits.MaxRecordBytes, record);
            Assert.AreEqual((byte)'\n', record[^1]);
            Assert.AreEqual(1, h.Target.Statistics.EventsTruncated);
            Assert.AreEqual(0, h.Target.Statistics.EventsDroppedOversize);
            StringAssert.Contains(log.Text, "truncated an event from logger 'Big.Logger'");
        }

        [TestMethod]
        public void Write_MultibyteTextOneByteOver_TruncatedAtCharacterBoundary()
        {
            using var h = Harness();
            h.Logger.Info(new string('é', 512_000));   // 1,024,000 bytes + "\n"
            h.Flush();
            byte[] record = h.SentRecords.Single();
            Assert.IsLessThanOrEqualTo(FirehoseLimits.MaxRecordBytes, record.Length);
            string text = new UTF8Encoding(false, true).GetString(record);   // throws on a split character
            Assert.AreEqual(new string('é', 511_999) + "\n", text);
        }

        [TestMethod]
        public void Write_DefaultJsonLayoutWithHugeMessage_TruncatedToValidJsonWithMarker()
        {
            using var h = TargetHarness.Create();
            h.Logger.WithProperty("OrderId", 42).Info("start " + new string('m', 3_000_000) + " end");
            h.Flush();
            byte[] record = h.SentRecords.Single();
            Assert.IsLessThanOrEqualTo(FirehoseLimits.MaxRecordBytes, record.Length);
            Assert.IsGreaterThan(FirehoseLimits.MaxRecordBytes - 1000, record.Length, "close to the limit, not wastefully small");
            using var doc = System.Text.Json.JsonDocument.Parse(record);
            var root = doc.RootElement;
            Assert.IsTrue(root.GetProperty("event.truncated").GetBoolean());
            Assert.IsGreaterThan(3_000_000, root.GetProperty("event.original_size").GetInt64());
            string message = root.GetProperty("message").GetString()!;
            StringAssert.StartsWith(message, "start mmm");
            StringAssert.EndsWith(message, "…");
            Assert.AreEqual(42, root.GetProperty("OrderId").GetInt32(), "other fields are kept");
            Assert.AreEqual("info", root.GetProperty("log.level").GetString());
            Assert.AreEqual(1, h.Target.Statistics.EventsTruncated);
        }

        [TestMethod]
        public void Write_SurrogatePairsAcrossChunks_EncodedExactly()
        {
            using var h = Harness();
            string message = string.Concat(Enumerable.Repeat("a🙂", 40_000));   // long enough to span StringBuilder chunks
            h.Logger.Info(message);
            h.Flush();
            Assert.AreEqual(message, h.SentText.Single());
            Assert.AreEqual(Encoding.UTF8.GetByteCount(message) + 1, h.SentRecords.Single().Length);
        }

        [TestMethod]
        public void Write_FourMiBBoundary_SplitsOnlyPastTheLimit()
        {
            using var h = TargetHarness.Create(t => { t.Layout = "${message}"; t.TaskDelayMilliseconds = 1000; });
            string full = new string('x', FirehoseLimits.MaxRecordBytes - 1);
            for (int i = 0; i < 4; i++)
                h.Logger.Info(full);
            h.Logger.Info(new string('y', 98_304 - 1));   // total exactly 4,194,304
            h.Logger.Info("z");                           // one more record: must go in a second call
            h.Flush();
            var calls = h.Calls.ToList();
            Assert.HasCount(2, calls);
            Assert.AreEqual(FirehoseLimits.MaxBatchBytes, calls[0].Records.Sum(r => r.Length));
            Assert.HasCount(1, calls[1].Records);
        }

        [TestMethod]
        public void Write_CustomDelimiter_AppendedToEveryRecord()
        {
            using var h = TargetHarness.Create(t => { t.Layout = "${message}"; t.RecordDelimiter = "\\r\\n"; });
            h.Logger.Info("one");
            h.Flush();
            CollectionAssert.AreEqual(Encoding.UTF8.GetBytes("one\r\n"), h.SentRecords.Single());
        }

        [TestMethod]
        public void Write_EmptyDelimiter_RecordIsJustTheEvent()
        {
            using var h = TargetHarness.Create(t => { t.Layout = Layout.FromString("${message}"); t.RecordDelimiter = ""; });
            h.Logger.Info("one");
            h.Flush();
            CollectionAssert.AreEqual(Encoding.UTF8.GetBytes("one"), h.SentRecords.Single());
        }

        [TestMethod]
        public void Write_StreamNamePerEvent_GroupsByStreamAndDropsInvalidNames()
        {
            using var log = new InternalLogCapture(LogLevel.Warn);
            using var h = TargetHarness.Create(t => { t.Layout = "${message}"; t.DeliveryStreamName = "${event-properties:stream}"; t.TaskDelayMilliseconds = 1000; });
            foreach (var (stream, text) in new[] { ("a", "1"), ("b", "2"), ("a", "3"), ("bad name!", "4"), ("", "5") })
                h.Logger.WithProperty("stream", stream).Info(text);
            h.Flush();
            var byStream = h.Calls.GroupBy(c => c.Stream).ToDictionary(g => g.Key, g => g.SelectMany(c => c.Records).Select(r => Encoding.UTF8.GetString(r).TrimEnd('\n')).ToList());
            CollectionAssert.AreEqual(new[] { "1", "3" }, byStream["a"]);
            CollectionAssert.AreEqual(new[] { "2" }, byStream["b"]);
            Assert.HasCount(2, byStream);
            Assert.AreEqual(2, h.Target.Statistics.EventsDroppedInvalidStream);
            StringAssert.Contains(log.Text, "bad name!");
        }

        [TestMethod]
        public void Write_ManyEvents_NoCallExceedsLimits()
        {
            using var h = TargetHarness.Create(t => { t.Layout = "${message}"; t.BatchSize = 2000; t.TaskDelayMilliseconds = 500; });
            var random = new Random(7);
            for (int i = 0; i < 3000; i++)
                h.Logger.Info(new string('q', random.Next(1, 40_000)));
            h.Flush();
            Assert.AreEqual(3000, h.SentRecords.Count);
            foreach (var call in h.Calls)
            {
                Assert.IsTrue(call.Records.Count is >= 1 and <= FirehoseLimits.MaxRecordsPerBatch);
                Assert.IsLessThanOrEqualTo(FirehoseLimits.MaxBatchBytes, call.Records.Sum(r => r.Length));
            }
        }
    }
}
