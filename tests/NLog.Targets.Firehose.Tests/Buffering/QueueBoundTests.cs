using System;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.VisualStudio.TestTools.UnitTesting;
using NLog.Targets.Firehose.Client;
using NLog.Targets.Firehose.Tests.Infrastructure;
using NLog.Targets.Wrappers;
using static NLog.Targets.Firehose.Tests.Infrastructure.Waiting;

namespace NLog.Targets.Firehose.Tests.Buffering
{
    /// <summary>
    /// The memory bound: NLog's queue for the target holds at most QueueLimit events and about MaxQueueBytes bytes; what
    /// OverflowAction does when it is full (Discard counted and reported, Block waits, Grow grows); a disk buffer takes
    /// over when the queue fills; and what is still queued at close is delivered, kept on disk, or reported.
    /// </summary>
    [TestClass]
    public class QueueBoundTests
    {
        /// <summary>A harness whose client holds every call until <paramref name="gate"/> opens; one event is in flight when it returns.</summary>
        private static TargetHarness Stalled(TaskCompletionSource gate, Action<FirehoseTarget> configure)
        {
            var h = TargetHarness.Create(t =>
            {
                t.Layout = "${message}";
                configure(t);
            });
            h.Gate = gate.Task;
            h.Logger.Info("first");
            WaitFor(() => h.Calls.Count == 1, "the first write is in flight");
            return h;
        }

        [TestMethod]
        public void Overflow_Discard_DroppedEventsCountedAndReportedOldestFirst()
        {
            using var log = new InternalLogCapture(LogLevel.Error);
            var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            using var h = Stalled(gate, t => t.QueueLimit = 20);
            for (int i = 0; i < 100; i++)
                h.Logger.Info("e" + i);
            Assert.AreEqual(80, h.Target.Statistics.EventsDroppedOverflow, "NLog's queue kept 20 and dropped 80");

            gate.SetResult();
            WaitFor(() => h.SentRecords.Count == 21, "the 20 queued events sent");   // a flush request would take a queue slot too
            h.Flush();
            var expected = new[] { "first" }.Concat(Enumerable.Range(80, 20).Select(i => "e" + i)).ToList();
            CollectionAssert.AreEqual(expected, h.SentText, "the oldest waiting events are the ones dropped");
            StringAssert.Contains(log.Text, "dropped 80 events because NLog's queue for the target was full (OverflowAction Discard, QueueLimit 20)", log.Text);
            StringAssert.Contains(log.Text, "Raise QueueLimit or MaxQueueBytes");
        }

        [TestMethod]
        public void Overflow_DiscardWithLockingQueue_DroppedEventsCountedAndQueuedOnesSent()
        {
            // ForceLockingQueue: NLog's AsyncRequestQueue, the queue it uses by default on .NET Framework (the
            // netstandard2.0 build's hosts); the probe reads its RequestCount instead of ConcurrentRequestQueue's Count.
            using var log = new InternalLogCapture(LogLevel.Warn);
            var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            using var h = Stalled(gate, t =>
            {
                t.QueueLimit = 20;
                t.ForceLockingQueue = true;
            });
            object? queue = typeof(AsyncTaskTarget).GetField("_requestQueue", System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.NonPublic)?.GetValue(h.Target);
            Assert.AreEqual("AsyncRequestQueue", queue?.GetType().Name, "NLog's locking queue is in use");
            for (int i = 0; i < 50; i++)
                h.Logger.Info("e" + i);
            Assert.AreEqual(30, h.Target.Statistics.EventsDroppedOverflow, "NLog's queue kept 20 and dropped 30");
            Assert.AreEqual(20, h.Target.GetHealth().QueuedEvents, "the probe sees the queue's depth");

            gate.SetResult();
            WaitFor(() => h.SentRecords.Count == 21, "the 20 queued events sent");
            h.Flush();
            CollectionAssert.AreEqual(new[] { "first" }.Concat(Enumerable.Range(30, 20).Select(i => "e" + i)).ToList(), h.SentText);
            Assert.DoesNotContain("cannot see into NLog's queue", log.Text);
        }

        [TestMethod]
        public void Overflow_RepeatedDrops_ReportedOncePerMinuteThenTheRestAtClose()
        {
            using var log = new InternalLogCapture(LogLevel.Error);
            var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var h = Stalled(gate, t => t.QueueLimit = 5);
            for (int i = 0; i < 12; i++)
                h.Logger.Info("a" + i);
            gate.SetResult();
            WaitFor(() => h.SentRecords.Count == 6, "the first and the 5 queued events sent");
            h.Flush();
            StringAssert.Contains(log.Text, "dropped 7 events because NLog's queue", "the next write reports the first drops");

            var again = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            h.Gate = again.Task;
            h.Logger.Info("second");
            WaitFor(() => h.Calls.Count == 3, "a write in flight again");
            for (int i = 0; i < 9; i++)
                h.Logger.Info("b" + i);
            again.SetResult();
            WaitFor(() => h.SentRecords.Count == 12, "the 5 queued events sent");
            h.Flush();
            Assert.AreEqual(1, CountOf(log.Text, "because NLog's queue"), "within the minute the writer holds the next report back");

            h.Dispose();
            Assert.AreEqual(11, h.Target.Statistics.EventsDroppedOverflow);
            StringAssert.Contains(log.Text, "dropped 4 events because NLog's queue", "the close reports what was held back");
        }

        private static int CountOf(string text, string part)
        {
            int count = 0;
            for (int at = text.IndexOf(part, StringComparison.Ordinal); at >= 0; at = text.IndexOf(part, at + part.Length, StringComparison.Ordinal))
                count++;
            return count;
        }

        [TestMethod]
        public void MaxQueueBytes_RunOfLargeEvents_QueueLimitLoweredToTheByteBudget()
        {
            using var log = new InternalLogCapture(LogLevel.Error);
            const int size = 100_000;
            using var h = TargetHarness.Create(t =>
            {
                t.Layout = "${message}";
                t.MaxQueueBytes = 4 * 1024 * 1024;
            });
            Assert.AreEqual(4096, h.Target.QueueLimit, "4 MiB at the starting estimate of 1 KiB per event");
            for (int round = 0; round < 30; round++)
            {
                for (int i = 0; i < 40; i++)   // rounds that fit the lowered limit, so none is dropped
                    h.Logger.Info(("r" + round + "-" + i).PadRight(size, 'x'));
                h.Flush();
            }
            Assert.AreEqual(0, h.Target.Statistics.EventsDroppedOverflow);
            // After 1,200 records of 100,001 bytes the estimate is within 1% of that: 4 MiB holds 41 of them.
            Assert.IsTrue(h.Target.QueueLimit is >= 41 and <= 42, $"QueueLimit {h.Target.QueueLimit}");

            var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            h.Gate = gate.Task;
            int sentBefore = h.SentRecords.Count;
            h.Logger.Info("first".PadRight(size, 'x'));
            WaitFor(() => h.SentRecords.Count == sentBefore + 1, "a write in flight");
            int limit = h.Target.QueueLimit;
            for (int i = 0; i < 200; i++)
                h.Logger.Info(("e" + i).PadRight(size, 'x'));
            Assert.AreEqual(200 - limit, h.Target.Statistics.EventsDroppedOverflow, "the queue held QueueLimit of them");

            gate.SetResult();
            WaitFor(() => h.SentRecords.Count == sentBefore + 1 + limit, "the queued events sent");
            h.Flush();
            StringAssert.Contains(log.Text, $"QueueLimit {limit}, lowered from 10000 by MaxQueueBytes 4194304 for events of about", log.Text);
            h.LogFactory.Configuration = null;
            Assert.AreEqual(10000, h.Target.QueueLimit, "closing gives the configured limit back");
        }

        [TestMethod]
        public void MaxQueueBytes_OneHugeEventAmongSmallOnes_BurstOfSmallEventsNotDropped()
        {
            using var h = TargetHarness.Create(t => t.Layout = "${message}");   // default QueueLimit 10000, MaxQueueBytes 64 MiB
            h.Logger.Info(new string('x', 2_000_000));   // truncated to one record of about 1 MB
            h.Flush();
            Assert.AreEqual(10000, h.Target.QueueLimit, "one outlier barely moves the estimate");

            var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            h.Gate = gate.Task;
            h.Logger.Info("stall");
            WaitFor(() => h.Calls.Count == 2, "a write in flight");
            for (int i = 0; i < 5000; i++)
                h.Logger.Info("small " + i);
            gate.SetResult();
            h.Flush();
            Assert.AreEqual(0, h.Target.Statistics.EventsDroppedOverflow);
            Assert.AreEqual(5002, h.SentRecords.Count);
        }

        [TestMethod]
        public void MaxQueueBytes_SmallEventsAgain_LimitRisesBackToQueueLimit()
        {
            using var h = TargetHarness.Create(t =>
            {
                t.Layout = "${message}";
                t.MaxQueueBytes = 4 * 1024 * 1024;
                t.QueueLimit = 1000;
            });
            for (int round = 0; round < 20; round++)
            {
                for (int i = 0; i < 40; i++)
                    h.Logger.Info(new string('x', 100_000));
                h.Flush();
            }
            Assert.IsLessThan(100, h.Target.QueueLimit, "lowered by a run of 100 KB events");
            for (int round = 0; round < 40; round++)
            {
                for (int i = 0; i < 40; i++)
                    h.Logger.Info("small");
                h.Flush();
            }
            Assert.AreEqual(0, h.Target.Statistics.EventsDroppedOverflow);
            Assert.AreEqual(1000, h.Target.QueueLimit, "the estimate falls back as small events follow");
        }

        [TestMethod]
        public void Overflow_Block_LoggingThreadWaitsAndNothingIsLost()
        {
            var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            using var h = Stalled(gate, t =>
            {
                t.QueueLimit = 10;
                t.OverflowAction = AsyncTargetWrapperOverflowAction.Block;
            });
            var logging = Task.Run(() =>
            {
                for (int i = 0; i < 50; i++)
                    h.Logger.Info("e" + i);
            });
            Assert.IsFalse(logging.Wait(500), "the logging thread waits while the queue is full");

            gate.SetResult();
            Assert.IsTrue(logging.Wait(TimeSpan.FromSeconds(30)), "it goes on once the target catches up");
            h.Flush();
            CollectionAssert.AreEqual(new[] { "first" }.Concat(Enumerable.Range(0, 50).Select(i => "e" + i)).ToList(), h.SentText);
            Assert.AreEqual(0, h.Target.Statistics.EventsDroppedOverflow);
        }

        [TestMethod]
        public void Overflow_Grow_QueueGrowsAndNothingIsLost()
        {
            var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            using var h = Stalled(gate, t =>
            {
                t.QueueLimit = 10;
                t.OverflowAction = AsyncTargetWrapperOverflowAction.Grow;
            });
            for (int i = 0; i < 100; i++)
                h.Logger.Info("e" + i);
            gate.SetResult();
            h.Flush();
            Assert.AreEqual(101, h.SentText.Count);
            Assert.AreEqual(0, h.Target.Statistics.EventsDroppedOverflow);
            Assert.IsGreaterThanOrEqualTo(100, h.Target.QueueLimit, "NLog grew the queue");
        }

        [TestMethod]
        public void QueueFilling_WithDiskBuffer_RetryingStopsAndEventsGoToDisk()
        {
            using var temp = new TempDirectory();
            using var log = new InternalLogCapture(LogLevel.Warn);
            using var h = TargetHarness.Create(t =>
            {
                t.Layout = "${message}";
                t.QueueLimit = 40;
                t.BufferDirectory = temp.Path;
                t.DeliveryTimeoutMilliseconds = 120_000;   // without the spill, a failing write would retry for two minutes
                t.TaskTimeoutSeconds = 300;
                t.RetryBaseDelayMilliseconds = 5;
                t.RetryMaxDelayMilliseconds = 20;
            });
            string Detail() => $"buffered {h.Target.Statistics.EventsBuffered}, queued {h.Target.GetHealth().QueuedEvents}, calls {h.Calls.Count}, dropped {h.Target.Statistics.EventsDropped}\n{log.Text}";
            h.FailCall = new FirehoseServiceException("ServiceUnavailableException", "Slow down.", 503, null);
            for (int i = 0; i < 10; i++)
                h.Logger.Info("a" + i);
            WaitFor(() => h.Calls.Count >= 3, "the first write retries", Detail);
            Assert.AreEqual(0, h.Target.Statistics.EventsBuffered, "a queue with room: the write goes on retrying in memory");
            // NLog's writer took the a-events that were queued when it woke (all ten, unless the logging thread was slow).
            int firstWrite = h.Calls.First().Records.Count;

            for (int i = 0; i < 30; i++)
                h.Logger.Info("b" + i);   // 30 or more of 40 queued: half full or more
            WaitFor(() => h.Target.Statistics.EventsBuffered >= firstWrite, "the retrying call stops and goes to disk", Detail);
            Assert.IsFalse(h.Target.StreamStateOf("test-stream")!.Degraded, "stopping for the queue's sake does not mark the stream failing");

            // Only NLog's writer takes from the queue: once it is below half again, the next write has taken what waited
            // (its first attempt fails, and it retries in memory, since the queue has room again). Logging on before that
            // would overflow the queue (the 10 events of the first write aside, 30 + what comes next wait there).
            WaitFor(() => h.Target.GetHealth().QueuedEvents < 20, "the next write takes what was queued", Detail);
            long buffered = h.Target.Statistics.EventsBuffered;
            Assert.AreEqual(firstWrite, buffered, "the next write retries in memory while the queue has room");
            for (int i = 0; i < 20; i++)
                h.Logger.Info("c" + i);   // fewer than 20 left + 20: half full or more, never over 40
            WaitFor(() => h.Target.Statistics.EventsBuffered > buffered, "the retrying call stops again once the queue is half full, and goes to disk", Detail);
            Assert.AreEqual(0, h.Target.Statistics.EventsDroppedOverflow, Detail());
            Assert.AreEqual(0, h.Target.Statistics.EventsUndeliverable, Detail());
            StringAssert.Contains(log.Text, "NLog's queue for the target is half full or more, so what was not delivered is not retried in memory", log.Text);

            h.FailCall = null;
            var all = Enumerable.Range(0, 10).Select(i => "a" + i)
                .Concat(Enumerable.Range(0, 30).Select(i => "b" + i))
                .Concat(Enumerable.Range(0, 20).Select(i => "c" + i)).ToList();
            WaitFor(() => h.Delivered.Count >= all.Count, "the retrying write delivers and the disk is replayed once the stream answers", Detail);
            h.Flush();
            CollectionAssert.AreEquivalent(all, h.DeliveredText, "every event accepted exactly once");
        }

        [TestMethod]
        public void Close_EventsStillQueuedServiceFailing_FallbackGroupTakesThem()
        {
            var client = NSubstitute.Substitute.For<IFirehoseClient>();
            NSubstitute.SubstituteExtensions.ReturnsForAnyArgs(client.PutRecordBatchAsync(default!, default!, default),
                _ => Task.FromException<PutRecordBatchResponse>(new FirehoseServiceException("InternalFailure", "oops", 500, null)));
            var firehose = TargetHarness.NewTarget(_ => client);
            firehose.Layout = "${message}";
            firehose.TaskDelayMilliseconds = 60_000;   // the events wait in NLog's queue until the close
            firehose.DeliveryTimeoutMilliseconds = 60_000;
            firehose.CloseDeliveryTime = TimeSpan.FromMilliseconds(300);
            var memory = new MemoryTarget("fallback") { Layout = "${message}" };
            var group = new FallbackGroupTarget("group", firehose, memory);
            var factory = TargetHarness.Configure(new LogFactory { ThrowConfigExceptions = true }, group);
            var logger = factory.GetLogger("Fallback");
            for (int i = 0; i < 4; i++)
                logger.Info("e" + i);
            factory.Dispose();
            CollectionAssert.AreEqual(Enumerable.Range(0, 4).Select(i => "e" + i).ToList(), memory.Logs.ToList(),
                "the close fails the queued events to NLog, and the group hands them to the next target");
        }

        [TestMethod]
        public void Close_EventsStillQueued_DeliveredBeforeTheTargetCloses()
        {
            using var log = new InternalLogCapture(LogLevel.Warn);
            var h = TargetHarness.Create(t =>
            {
                t.Layout = "${message}";
                t.TaskDelayMilliseconds = 60_000;   // the events wait in NLog's queue until the close
            });
            for (int i = 0; i < 25; i++)
                h.Logger.Info("e" + i);
            Assert.IsEmpty(h.Calls);
            h.Dispose();   // LogFactory.Dispose closes without a flush (as at process exit)
            CollectionAssert.AreEqual(Enumerable.Range(0, 25).Select(i => "e" + i).ToList(), h.SentText);
            Assert.AreEqual(25, h.Target.Statistics.EventsReceived);
            Assert.DoesNotContain("closed with", log.Text);
        }

        [TestMethod]
        public void Close_EventsStillQueuedServiceFailingNoBuffer_ReportedAtErrorAndContinuationsFail()
        {
            using var log = new InternalLogCapture(LogLevel.Error);
            var h = TargetHarness.Create(t =>
            {
                t.Layout = "${message}";
                t.TaskDelayMilliseconds = 60_000;
                t.DeliveryTimeoutMilliseconds = 60_000;
                t.CloseDeliveryTime = TimeSpan.FromMilliseconds(300);
            });
            h.FailCall = new FirehoseServiceException("InternalFailure", "oops", 500, null);
            for (int i = 0; i < 6; i++)
                h.Logger.Info("e" + i);
            Exception? reported = null;
            h.Target.WriteAsyncLogEvent(new Common.AsyncLogEventInfo(new LogEventInfo(LogLevel.Info, "x", "last"), ex => reported = ex));
            h.Dispose();
            Assert.AreEqual(7, h.Target.Statistics.EventsUndeliverable);
            Assert.IsInstanceOfType<FirehoseDeliveryException>(reported, "NLog (and a FallbackGroup) is told the event failed");
            StringAssert.Contains(log.Text, "closed with 7 events that were still queued and could not be delivered (no BufferDirectory to keep them)", log.Text);
        }

        [TestMethod]
        public void Close_WriteOfQueuedEventsOutlivesTheWait_EachEventCountedOnce()
        {
            using var log = new InternalLogCapture(LogLevel.Error);
            var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var h = TargetHarness.Create(t =>
            {
                t.Layout = "${message}";
                t.TaskDelayMilliseconds = 60_000;   // the events wait in NLog's queue until the close
                t.DeliveryTimeoutMilliseconds = 60_000;
                t.OversizeAction = FirehoseOversizeAction.Drop;
                t.CloseDeliveryTime = TimeSpan.FromMilliseconds(1500);   // ample for the write to render and start its call
                t.CloseWriteGrace = TimeSpan.FromMilliseconds(500);
            });
            h.Gate = gate.Task;   // the call ignores its cancellation: it answers only when the gate opens
            for (int i = 0; i < 3; i++)
                h.Logger.Info(new string('x', 1_100_000));   // settled before the call: dropped as oversize
            for (int i = 0; i < 5; i++)
                h.Logger.Info("e" + i);
            var closing = Task.Factory.StartNew(h.Dispose, TaskCreationOptions.LongRunning);   // no pool thread held
            WaitFor(() => h.Calls.Count == 1, "the close's write has rendered the events and its call waits",
                () => $"calls {h.Calls.Count}, oversize {h.Target.Statistics.EventsDroppedOversize}, undeliverable {h.Target.Statistics.EventsUndeliverable}, received {h.Target.Statistics.EventsReceived}, closing {closing.Status} {closing.Exception}\n{log.Text}");
            WaitFor(() => log.Text.Contains("closed with"), "the close stops waiting for its write and reports");

            // Then the call fails, and the write, cancelled, ends with the 5 events undelivered: the close counted them.
            h.FailCall = new FirehoseServiceException("InternalFailure", "oops", 500, null);
            gate.SetResult();
            Assert.IsTrue(closing.Wait(TimeSpan.FromSeconds(30)), "the close ends once the write has");
            Assert.AreEqual(3, h.Target.Statistics.EventsDroppedOversize, $"undeliverable {h.Target.Statistics.EventsUndeliverable}, calls {h.Calls.Count}, records {h.Calls.Sum(c => c.Records.Count)}\n" + log.Text);
            Assert.AreEqual(5, h.Target.Statistics.EventsUndeliverable, "each event counted once: by the close, not again when the write ends\n" + log.Text);
            Assert.AreEqual(8, h.Target.Statistics.EventsDropped);
            StringAssert.Contains(log.Text, "closed with 5 events that were still queued and could not be delivered (no BufferDirectory to keep them): 5 of 8 events", log.Text);
        }

        [TestMethod]
        public void Close_EventsStillQueuedServiceFailingWithBuffer_KeptOnDiskAndSentAtNextStart()
        {
            using var temp = new TempDirectory();
            var h = TargetHarness.Create(t =>
            {
                t.Layout = "${message}";
                t.TaskDelayMilliseconds = 60_000;
                t.BufferDirectory = temp.Path;
                t.DeliveryTimeoutMilliseconds = 60_000;
                t.CloseDeliveryTime = TimeSpan.FromMilliseconds(300);
            });
            h.FailCall = new FirehoseServiceException("InternalFailure", "oops", 500, null);
            for (int i = 0; i < 6; i++)
                h.Logger.Info("e" + i);
            h.Dispose();
            Assert.AreEqual(6, h.Target.Statistics.EventsBuffered);
            Assert.AreEqual(0, h.Target.Statistics.EventsUndeliverable);

            using var next = TargetHarness.Create(t => t.BufferDirectory = temp.Path);
            var expected = Enumerable.Range(0, 6).Select(i => "e" + i).ToList();
            WaitFor(() => expected.All(next.SentText.Contains), "the next start sends what the close kept on disk");
        }

        [TestMethod]
        public void Init_MaxQueueBytesBelowOneCall_ConfigurationError()
        {
            var target = TargetHarness.NewTarget(_ => NSubstitute.Substitute.For<IFirehoseClient>());
            target.MaxQueueBytes = 1000;
            using var factory = new LogFactory { ThrowConfigExceptions = true };
            var ex = Assert.ThrowsExactly<NLogConfigurationException>(() => TargetHarness.Configure(factory, target));
            StringAssert.Contains(ex.ToString(), "MaxQueueBytes must be at least 4194304");
        }
    }
}
