using System;
using System.Linq;
using Microsoft.VisualStudio.TestTools.UnitTesting;
using NLog.Targets.Firehose.Client;
using NLog.Targets.Firehose.Tests.Infrastructure;

namespace NLog.Targets.Firehose.Tests.Batching
{
    /// <summary>Record packing: several events per record, newline-delimited, within the record size and 500 events, never split.</summary>
    [TestClass]
    public class PackingTests
    {
        private static TargetHarness Packed(Action<FirehoseTarget>? configure = null) => TargetHarness.Create(t =>
        {
            t.Layout = "${message}";
            t.PackRecords = true;
            t.TaskDelayMilliseconds = 1000;   // the events gather into one write, even on a slow machine
            configure?.Invoke(t);
        });

        [TestMethod]
        public void PackRecords_SmallEvents_AtMost500EventsPerRecordNoneSplit()
        {
            using var h = Packed();
            for (int i = 0; i < 1200; i++)
                h.Logger.Info("e" + i);
            h.Flush();
            var records = h.SentRecords.Select(r => System.Text.Encoding.UTF8.GetString(r)).ToList();
            Assert.HasCount(3, records, "1,200 small events fit 3 records of at most 500 events");
            Assert.IsTrue(records.All(r => r.EndsWith('\n')), "each record ends with the delimiter");
            var events = records.SelectMany(r => r.TrimEnd('\n').Split('\n')).ToList();
            CollectionAssert.AreEquivalent(Enumerable.Range(0, 1200).Select(i => "e" + i).ToList(), events);
            Assert.IsTrue(records.All(r => r.Count(c => c == '\n') <= 500));
        }

        [TestMethod]
        public void PackRecords_RecordSizeLimit_RecordsCutAtEventBoundaries()
        {
            using var h = Packed(t => t.MaxPackedRecordBytes = 1000);
            for (int i = 0; i < 100; i++)
                h.Logger.Info(("e" + i).PadRight(99, '.'));   // 100 bytes with the delimiter: 10 per record
            h.Flush();
            var records = h.SentRecords;
            Assert.HasCount(10, records);
            Assert.IsTrue(records.All(r => r.Length == 1000));
            var events = records.SelectMany(r => System.Text.Encoding.UTF8.GetString(r).TrimEnd('\n').Split('\n')).ToList();
            Assert.HasCount(100, events);
            Assert.IsTrue(events.All(e => e.Length == 99), "no event split");
        }

        [TestMethod]
        public void PackRecords_OversizedEvent_TruncatedIntoARecordOfItsOwn()
        {
            using var h = Packed();
            h.Logger.Info("before");
            h.Logger.Info(new string('x', 1_500_000));
            h.Logger.Info("after");
            h.Flush();
            var records = h.SentRecords;
            Assert.HasCount(3, records, "the huge event cannot share a record");
            Assert.AreEqual(1_024_000, records[1].Length);
            Assert.AreEqual("before\n", System.Text.Encoding.UTF8.GetString(records[0]));
            Assert.AreEqual("after\n", System.Text.Encoding.UTF8.GetString(records[2]));
        }

        [TestMethod]
        public void PackRecords_PackedRecordFails_AllItsEventsResentOnce()
        {
            using var h = Packed(t => t.DeliveryTimeoutMilliseconds = 10_000);
            h.FailRecord = i => h.Calls.Count == 1 && i == 1 ? "ServiceUnavailableException" : null;
            for (int i = 0; i < 1200; i++)
                h.Logger.Info("e" + i);
            h.Flush();
            Assert.HasCount(2, h.Calls);
            Assert.HasCount(1, h.Calls.Last().Records, "only the failed record is sent again");
            var accepted = h.Calls.First().Records.Where((_, i) => i != 1).Concat(h.Calls.Last().Records)
                .SelectMany(r => System.Text.Encoding.UTF8.GetString(r).TrimEnd('\n').Split('\n')).ToList();
            CollectionAssert.AreEquivalent(Enumerable.Range(0, 1200).Select(i => "e" + i).ToList(), accepted, "every event accepted exactly once");
            Assert.AreEqual(0, h.Target.Statistics.EventsUndeliverable);
        }

        [TestMethod]
        public void PackRecords_MoreThan500PackedRecords_SplitIntoCallsWithEveryEventOnce()
        {
            using var h = Packed(t => t.MaxPackedRecordBytes = 100);
            for (int i = 0; i < 3000; i++)
                h.Logger.Info(("e" + i).PadRight(19, '.'));   // 20 bytes with the delimiter: 5 per record, 600 records
            h.Flush();
            Assert.IsTrue(h.Calls.All(c => c.Records.Count <= 500), "no call over 500 records");
            Assert.AreEqual(600, h.SentRecords.Count);
            Assert.IsTrue(h.SentRecords.All(r => r.Length <= 100));
            var events = h.SentRecords.SelectMany(r => System.Text.Encoding.UTF8.GetString(r).TrimEnd('\n').Split('\n')).ToList();
            CollectionAssert.AreEquivalent(Enumerable.Range(0, 3000).Select(i => ("e" + i).PadRight(19, '.')).ToList(), events);
        }

        [TestMethod]
        public void PackRecords_OutageWithDiskBuffer_BufferedAndReplayedCountedInEvents()
        {
            using var temp = new Buffering.TempDirectory();
            using var h = Packed(t =>
            {
                t.BufferDirectory = temp.Path;
                t.DeliveryTimeoutMilliseconds = 200;
                t.RetryBaseDelayMilliseconds = 10;
                t.RetryMaxDelayMilliseconds = 50;
            });
            h.FailCall = new FirehoseServiceException("ServiceUnavailableException", "Slow down.", 503, null);
            for (int i = 0; i < 1000; i++)
                h.Logger.Info("e" + i);
            h.Flush();
            Assert.AreEqual(1000, h.Target.Statistics.EventsBuffered);
            h.FailCall = null;
            Assert.IsTrue(System.Threading.SpinWait.SpinUntil(() => h.Target.Statistics.EventsReplayed == 1000, 30_000), $"replayed {h.Target.Statistics.EventsReplayed}");
        }

        [TestMethod]
        public void PackRecords_NoDelimiter_ConfigurationError()
        {
            var target = TargetHarness.NewTarget(_ => NSubstitute.Substitute.For<IFirehoseClient>());
            target.PackRecords = true;
            target.RecordDelimiter = "";
            using var factory = new LogFactory { ThrowConfigExceptions = true };
            var ex = Assert.ThrowsExactly<NLogConfigurationException>(() => TargetHarness.Configure(factory, target));
            StringAssert.Contains(ex.ToString(), "PackRecords needs a RecordDelimiter");
        }
    }
}
