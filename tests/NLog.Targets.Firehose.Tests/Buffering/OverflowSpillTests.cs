using System;
using System.Linq;
using System.Text.RegularExpressions;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.VisualStudio.TestTools.UnitTesting;
using NLog.Layouts;
using NLog.Targets.Firehose.Tests.Infrastructure;
using static NLog.Targets.Firehose.Tests.Infrastructure.Waiting;

namespace NLog.Targets.Firehose.Tests.Buffering
{
    /// <summary>
    /// With a disk buffer, the events NLog's Discard overflow drops go to disk instead of being lost: through a bounded
    /// spill queue that one background task renders and appends to the buffer; the replayer sends them later. When the
    /// spill is full too, what does not fit is dropped, counted and reported as before. The close writes what the spill
    /// holds before the buffer closes.
    /// </summary>
    [TestClass]
    public class OverflowSpillTests
    {
        /// <summary>
        /// The message, rendered off the logging thread (thread-agnostic, so NLog does not render it when the event is
        /// logged); rendering <paramref name="blockOn"/> waits for <paramref name="release"/> — only the spill's task renders
        /// that event, since NLog's queue dropped it.
        /// </summary>
        private static Layout MessageBlockingOn(string blockOn, ManualResetEventSlim release)
            => Layout.FromMethod(e =>
            {
                string message = e.FormattedMessage;
                if (message == blockOn)
                    release.Wait(TimeSpan.FromSeconds(30));
                return message;
            }, LayoutRenderOptions.ThreadAgnostic);

        [TestMethod]
        public void Overflow_DiscardWithDiskBuffer_DroppedEventsGoToDiskAndArriveOnce()
        {
            using var temp = new TempDirectory();
            using var log = new InternalLogCapture(LogLevel.Warn);
            var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            using var h = TargetHarness.Create(t =>
            {
                t.Layout = "${message}";
                t.QueueLimit = 20;
                t.BufferDirectory = temp.Path;
                t.SpillLimit = 100;   // room for every drop, however slowly the disk takes them (by default it holds QueueLimit)
            });
            string Detail() => $"spilled {h.Target.Statistics.EventsBufferedOverflow}, dropped {h.Target.Statistics.EventsDroppedOverflow}, delivered {h.Delivered.Count}\n{log.Text}";
            h.Gate = gate.Task;   // a healthy but slow service: every call waits
            h.Logger.Info("first");
            WaitFor(() => h.Calls.Count == 1, "the first write is in flight");
            for (int i = 0; i < 100; i++)
                h.Logger.Info("e" + i);

            Assert.AreEqual(0, h.Target.Statistics.EventsDroppedOverflow, "NLog's queue kept 20 and dropped 80, which went to the spill");
            WaitFor(() => h.Target.Statistics.EventsBufferedOverflow == 80, "the 80 dropped events are written to the disk buffer", Detail);
            Assert.AreEqual(80, h.Target.Statistics.EventsBuffered, "counted as buffered, for the overflow");
            Assert.AreEqual(80, h.Target.Buffer!.PendingRecords, "on disk, not yet delivered");
            WaitFor(() => log.Text.Contains("NLog's queue for the target was full (OverflowAction Discard, QueueLimit 20): "), "the spill is reported at Warn", Detail);

            gate.SetResult();
            WaitFor(() => h.Delivered.Count >= 101, "the queued events are sent, and the spilled ones replayed from disk", Detail);
            h.Flush();
            var expected = new[] { "first" }.Concat(Enumerable.Range(0, 100).Select(i => "e" + i)).ToList();
            CollectionAssert.AreEquivalent(expected, h.DeliveredText, "every event accepted exactly once");
            Assert.AreEqual(0, h.Target.Statistics.EventsDropped, Detail());
            h.Dispose();
            Assert.DoesNotContain("events because NLog's queue", log.Text, "no drop reported");
            int reported = Regex.Matches(log.Text, @"(\d+) events it dropped went to the disk buffer instead").Sum(m => int.Parse(m.Groups[1].Value));
            Assert.AreEqual(80, reported, "the Warn (once a minute) and the close together report every spilled event\n" + log.Text);
        }

        [TestMethod]
        public void Overflow_SpillFullToo_TheRestDroppedCountedAndReported()
        {
            using var temp = new TempDirectory();
            using var log = new InternalLogCapture(LogLevel.Warn);
            using var release = new ManualResetEventSlim();
            var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var h = TargetHarness.Create(t =>
            {
                t.Layout = MessageBlockingOn("e0", release);   // the spill's task holds its first batch while the rest is logged
                t.QueueLimit = 20;
                t.BufferDirectory = temp.Path;
                t.SpillLimit = 10;
            });
            try
            {
                string Detail() => $"spilled {h.Target.Statistics.EventsBufferedOverflow}, dropped {h.Target.Statistics.EventsDroppedOverflow}, delivered {h.Delivered.Count}\n{log.Text}";
                h.Gate = gate.Task;
                h.Logger.Info("first");
                WaitFor(() => h.Calls.Count == 1, "the first write is in flight");
                for (int i = 0; i < 100; i++)
                    h.Logger.Info("e" + i);

                // 80 dropped by NLog: the spill's first batch (from e0) is held; with it, at most 10 (SpillLimit) more wait
                // or the batch itself holds them, depending on when the spill's task took it; the rest do not fit.
                long dropped = h.Target.Statistics.EventsDroppedOverflow;
                Assert.IsGreaterThanOrEqualTo(60L, dropped, Detail());
                Assert.IsLessThan(80L, dropped, "the spill took some");
                Assert.IsLessThanOrEqualTo(10, h.Target.SpillCount, "the spill holds no more than its limit waiting");

                release.Set();
                WaitFor(() => h.Target.Statistics.EventsBufferedOverflow == 80 - dropped, "what the spill took goes to disk", Detail);
                Assert.AreEqual(dropped, h.Target.Statistics.EventsDroppedOverflow, "nothing more is dropped");

                gate.SetResult();
                WaitFor(() => h.Delivered.Count >= 101 - dropped, "the queued events are sent and the spilled ones replayed", Detail);
                h.Flush();
                var delivered = h.DeliveredText;
                Assert.AreEqual(delivered.Count, delivered.Distinct().Count(), "no duplicates");
                Assert.AreEqual(101 - dropped, delivered.Count, Detail());
                CollectionAssert.IsSubsetOf(new[] { "first", "e0" }.Concat(Enumerable.Range(80, 20).Select(i => "e" + i)).ToList(), delivered,
                    "the first write, the spill's first event and the 20 events NLog's queue kept");
                h.Dispose();
                StringAssert.Contains(log.Text, $"dropped {dropped} events because NLog's queue for the target was full", log.Text);
                StringAssert.Contains(log.Text, "The disk buffer could not take them either");
            }
            finally
            {
                release.Set();
                gate.TrySetResult();
                h.Dispose();
            }
        }

        [TestMethod]
        public void Close_SpillStillWriting_EverythingItHoldsKeptOnDiskAndSentAtNextStart()
        {
            using var temp = new TempDirectory();
            using var release = new ManualResetEventSlim();
            var h = TargetHarness.Create(t =>
            {
                t.Layout = MessageBlockingOn("e0", release);
                t.QueueLimit = 20;
                t.TaskDelayMilliseconds = 60_000;   // the kept events wait in NLog's queue until the close
                t.BufferDirectory = temp.Path;
                t.SpillLimit = 100;
            });
            for (int i = 0; i < 100; i++)
                h.Logger.Info("e" + i);
            Assert.AreEqual(0, h.Target.Statistics.EventsDroppedOverflow);
            Assert.AreEqual(0, h.Target.Statistics.EventsBufferedOverflow, "the spill's task is held on e0");

            using var releaseLater = new Timer(_ => release.Set(), null, 300, Timeout.Infinite);
            h.Dispose();   // the close waits for the spill before it closes the buffer
            Assert.AreEqual(80, h.Target.Statistics.EventsBufferedOverflow, "all 80 NLog dropped are on disk");
            Assert.AreEqual(0, h.Target.Statistics.EventsDroppedOverflow);
            Assert.AreEqual(0, h.Target.Statistics.EventsUndeliverable);

            using var next = TargetHarness.Create(t => { t.Layout = "${message}"; t.BufferDirectory = temp.Path; });
            var expected = Enumerable.Range(0, 100).Select(i => "e" + i).ToList();
            WaitFor(() => h.Delivered.Count + next.Delivered.Count >= 100, "the next start sends what the close kept on disk");
            next.Flush();
            CollectionAssert.AreEquivalent(expected, h.DeliveredText.Concat(next.DeliveredText).ToList(), "each event delivered once: the 20 queued at close, the 80 from disk");
        }

        [TestMethod]
        public void Flush_SpillStillWriting_EndsOnceTheSpilledEventsAreOnDisk()
        {
            using var temp = new TempDirectory();
            using var release = new ManualResetEventSlim();
            using var h = TargetHarness.Create(t =>
            {
                t.Layout = MessageBlockingOn("e0", release);
                t.QueueLimit = 20;
                t.TaskDelayMilliseconds = 60_000;   // the kept events wait in NLog's queue until the flush
                t.BufferDirectory = temp.Path;
                t.SpillLimit = 100;
            });
            for (int i = 0; i < 100; i++)
                h.Logger.Info("e" + i);
            var flush = Task.Run(h.Flush);
            Assert.IsFalse(flush.Wait(500), "the flush waits while the spill's task is held on e0");
            release.Set();
            Assert.IsTrue(flush.Wait(TimeSpan.FromSeconds(30)));
            // The flush request took a slot in the full queue too: one more event was dropped, which the spill took.
            Assert.AreEqual(81, h.Target.Statistics.EventsBufferedOverflow, "on disk when the flush ends");
            Assert.AreEqual(0, h.Target.Statistics.EventsDroppedOverflow);
        }
    }
}
