using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.VisualStudio.TestTools.UnitTesting;
using NLog.Common;
using NLog.Targets.Firehose.Tests.Buffering;
using NLog.Targets.Firehose.Tests.Infrastructure;
using NLog.Targets.Wrappers;
using static NLog.Targets.Firehose.Tests.Infrastructure.Waiting;

namespace NLog.Targets.Firehose.Tests.Delivery
{
    /// <summary>
    /// What a <c>FallbackGroup</c> sees of the Discard overflow. NLog's own Discard drops the oldest event without calling its
    /// continuation; the target carries out the Discard itself (NLog's queue set to Grow, trimmed back to QueueLimit at
    /// once), so that each dropped event's write fails and the FallbackGroup hands it to its next target (off the logging
    /// thread, through the outbox). With a disk buffer the dropped events go to disk instead and their writes succeed;
    /// what the spill cannot take fails.
    /// </summary>
    [TestClass]
    public class OverflowFallbackTests
    {
        private static List<string> Events(int count) => Enumerable.Range(0, count).Select(i => "e" + i).ToList();

        [TestMethod]
        [DataRow(false, DisplayName = "NLog's concurrent queue")]
        [DataRow(true, DisplayName = "NLog's locking queue (ForceLockingQueue)")]
        public void FallbackGroup_DiscardOverflow_EachDroppedEventHandedToFallbackOnce(bool lockingQueue)
        {
            var memory = new MemoryTarget("memory") { Layout = "${message}" };
            var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            using var h = TargetHarness.Create(t =>
            {
                t.Layout = "${message}";
                t.QueueLimit = 20;
                t.ForceLockingQueue = lockingQueue;
            }, wrap: t => new FallbackGroupTarget("group", t, memory) { ReturnToFirstOnSuccess = true });
            h.Gate = gate.Task;   // a slow service: the first write holds NLog's writer, the queue fills
            h.Logger.Info("first");
            WaitFor(() => h.Calls.Count == 1, "the first write is in flight");
            foreach (string message in Events(100))
                h.Logger.Info(message);

            Assert.AreEqual(AsyncTargetWrapperOverflowAction.Discard, h.Target.OverflowActionInEffect);
            Assert.AreEqual(20, h.Target.QueuedCount, "the queue holds no more than its limit");
            long dropped = h.Target.Statistics.EventsDroppedOverflow;
            // A dropped event's write fails off the logging thread; while the FallbackGroup is on its fallback for it, it
            // sends the events logged meanwhile there directly (ReturnToFirstOnSuccess brings it back): so not all 80
            // events beyond the limit reach the target's queue, but each one is in exactly one place.
            Assert.IsGreaterThan(0L, dropped, "the queue overflowed");

            gate.SetResult();
            // (Flushing a full queue would push one more event out, as NLog's own Discard does: first wait for the writer.)
            WaitFor(() => h.Delivered.Count == 21, "the 20 the queue kept are delivered");
            h.Flush();
            List<string> delivered = h.DeliveredText;
            Assert.HasCount(20, delivered.Skip(1).ToList(), "the 20 the queue kept are delivered");
            Assert.AreEqual("first", delivered[0]);
            CollectionAssert.AreEquivalent(Events(100), delivered.Skip(1).Concat(memory.Logs).ToList(),
                $"every event delivered or in the fallback, none in both (dropped {dropped}, fallback {memory.Logs.Count})");
            Assert.IsGreaterThanOrEqualTo((int)dropped, memory.Logs.Count, "every dropped event reached the fallback");
        }

        [TestMethod]
        public async Task FallbackGroup_DiscardOverflowOverHttp_EveryEventDeliveredOrInFallbackNeverBoth()
        {
            const int count = 100;
            await using var server = await LoopbackFirehose.StartAsync();
            server.Faults.Latency = TimeSpan.FromMilliseconds(500);   // the first write is slow: the queue fills
            var firehose = server.NewTarget("overflow");
            firehose.Layout = "${message}";
            firehose.QueueLimit = 20;
            var memory = new MemoryTarget("memory") { Layout = "${message}" };
            // A FallbackGroup as usually configured: after a failure it stays on the fallback.
            var group = new FallbackGroupTarget("group", firehose, memory);
            using var factory = TargetHarness.Configure(new LogFactory { ThrowConfigExceptions = true }, group);
            var logger = factory.GetLogger("Overflow");
            foreach (string message in Events(count))
                logger.Info(message);
            factory.Flush(TimeSpan.FromSeconds(30));
            server.Faults.Latency = TimeSpan.Zero;

            var delivered = server.AcceptedText("overflow").Select(t => t.TrimEnd('\n')).ToList();
            Assert.IsGreaterThan(0L, firehose.Statistics.EventsDroppedOverflow, "the queue overflowed");
            Assert.IsNotEmpty(memory.Logs, "the fallback received the dropped events");
            CollectionAssert.AreEquivalent(Events(count), delivered.Concat(memory.Logs).ToList(),
                $"every event delivered or in the fallback, none in both: delivered {delivered.Count}, fallback {memory.Logs.Count}, dropped {firehose.Statistics.EventsDroppedOverflow}");
        }

        [TestMethod]
        public void FallbackGroup_DiscardOverflowWithDiskBuffer_SpilledEventsStayOutOfFallback()
        {
            using var temp = new TempDirectory();
            var memory = new MemoryTarget("memory") { Layout = "${message}" };
            var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            using var h = TargetHarness.Create(t =>
            {
                t.Layout = "${message}";
                t.QueueLimit = 20;
                t.BufferDirectory = temp.Path;
                t.SpillLimit = 1000;   // room for every drop
            }, wrap: t => new FallbackGroupTarget("group", t, memory) { ReturnToFirstOnSuccess = true });
            h.Gate = gate.Task;
            h.Logger.Info("first");
            WaitFor(() => h.Calls.Count == 1, "the first write is in flight");
            foreach (string message in Events(100))
                h.Logger.Info(message);
            WaitFor(() => h.Target.Statistics.EventsBufferedOverflow == 80, "the 80 dropped events are written to the disk buffer");

            gate.SetResult();
            WaitFor(() => h.Delivered.Count >= 101, "the queued events are sent, and the spilled ones replayed from disk");
            h.Flush();
            Assert.IsEmpty(memory.Logs, "an event on disk is not failed: the fallback gets none");
            CollectionAssert.AreEquivalent(new[] { "first" }.Concat(Events(100)).ToList(), h.DeliveredText, "every event accepted exactly once");
        }

        [TestMethod]
        public void FallbackGroup_DiscardOverflowSpillFull_WhatTheSpillRefusesGoesToFallback()
        {
            using var temp = new TempDirectory();
            var memory = new MemoryTarget("memory") { Layout = "${message}" };
            var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var release = new ManualResetEventSlim();
            using var h = TargetHarness.Create(t =>
            {
                // Rendering e0 (which only the spill's task renders, since the queue dropped it) waits: the spill fills.
                t.Layout = NLog.Layouts.Layout.FromMethod(e =>
                {
                    if (e.FormattedMessage == "e0")
                        release.Wait(TimeSpan.FromSeconds(30));
                    return e.FormattedMessage;
                }, NLog.Layouts.LayoutRenderOptions.ThreadAgnostic);
                t.QueueLimit = 20;
                t.BufferDirectory = temp.Path;
                t.SpillLimit = 10;
            }, wrap: t => new FallbackGroupTarget("group", t, memory) { ReturnToFirstOnSuccess = true });
            h.Gate = gate.Task;
            h.Logger.Info("first");
            WaitFor(() => h.Calls.Count == 1, "the first write is in flight");
            h.Logger.Info("e0");
            for (int i = 1; i <= 20; i++)
                h.Logger.Info("e" + i);   // e0 dropped to the spill, whose task blocks rendering it
            WaitFor(() => h.Target.SpillCount == 0, "the spill's task took e0");
            foreach (string message in Events(100).Skip(21))
                h.Logger.Info(message);   // 79 more dropped: 10 fit into the spill, 69 do not

            long dropped = h.Target.Statistics.EventsDroppedOverflow;
            Assert.IsGreaterThan(0L, dropped, "the spill refused events: dropped");
            WaitFor(() => memory.Logs.Count >= dropped, "and handed to the fallback (with what the FallbackGroup sent there directly meanwhile)");
            release.Set();
            gate.SetResult();
            WaitFor(() => h.Delivered.Count >= 1 + 20 + 11, "the queued events are sent, and the spilled ones replayed from disk");
            h.Flush();
            CollectionAssert.AreEquivalent(Events(100), h.DeliveredText.Where(t => t != "first").Concat(memory.Logs).ToList(),
                "every event delivered or in the fallback, none in both");
        }

        /// <summary>Passes events to the target; a failed write's continuation waits until <see cref="Hold"/> is set (a slow handler of the failure).</summary>
        private sealed class SlowFailureHandler : WrapperTargetBase
        {
            public SlowFailureHandler(Target wrapped)
            {
                Name = "slow-failure";
                WrappedTarget = wrapped;
            }

            public ManualResetEventSlim Hold { get; } = new ManualResetEventSlim();

            protected override void Write(AsyncLogEventInfo logEvent)
                => WrappedTarget!.WriteAsyncLogEvent(logEvent.LogEvent.WithContinuation(ex =>
                {
                    if (ex != null)
                        Hold.Wait(TimeSpan.FromSeconds(30));
                    logEvent.Continuation(ex);
                }));
        }

        [TestMethod]
        public void Overflow_FailureHandlingSlowerThanTheDrops_LoggingThreadHelpsAndTheTargetKeepsSending()
        {
            // Failed writes that are slow to handle, and an outbox of 2: a drop that finds it full makes the
            // logging thread complete the oldest failed write itself, inside NLog's enqueue. Meanwhile NLog's writer
            // empties the queue and stops; the event being added does not start it again, the target's nudge does.
            var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            SlowFailureHandler? handler = null;
            using var h = TargetHarness.Create(t =>
            {
                t.Layout = "${message}";
                t.QueueLimit = 2;
                t.OutboxLimit = 2;
            }, wrap: t => handler = new SlowFailureHandler(t));
            h.Gate = gate.Task;
            h.Logger.Info("first");
            WaitFor(() => h.Calls.Count == 1, "the first write is in flight");
            h.Logger.Info("e0");
            h.Logger.Info("e1");
            h.Logger.Info("e2");   // drops e0
            WaitFor(() => h.Target.OutboxCount == 0, "the outbox's task handles e0's failure (and waits)");
            h.Logger.Info("e3");   // drops e1: waits in the outbox
            h.Logger.Info("e4");   // drops e2: the outbox is full
            Assert.AreEqual(2, h.Target.OutboxCount);
            var x = Task.Run(() => h.Logger.Info("X"));   // drops e3: this thread handles e1's failure itself, and waits
            Assert.IsFalse(x.Wait(300), "the logging thread helps with the failures");
            gate.SetResult();
            WaitFor(() => h.DeliveredText.Contains("e4"), "the writer sends 'first', then e4, and finds the queue empty while X is not in it yet");
            Thread.Sleep(200);
            handler!.Hold.Set();
            Assert.IsTrue(x.Wait(TimeSpan.FromSeconds(10)), "the logging thread's help ends");
            WaitFor(() => h.DeliveredText.Contains("X"), "X is sent without a Flush: the writer was started again");
            Assert.AreEqual(4L, h.Target.Statistics.EventsDroppedOverflow, "e0 to e3");
            h.Logger.Info("later");
            WaitFor(() => h.DeliveredText.Contains("later"), "and the target goes on sending");
            h.Flush();
            CollectionAssert.AreEquivalent(new[] { "first", "e4", "X", "later" }, h.DeliveredText);
        }

        [TestMethod]
        public void Flush_FlushRequestReachesTheEndOfAFullQueue_CompletesInsteadOfWaitingItsTimeout()
        {
            var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            using var h = TargetHarness.Create(t =>
            {
                t.Layout = "${message}";
                t.QueueLimit = 20;
            });
            h.Gate = gate.Task;
            h.Logger.Info("first");
            WaitFor(() => h.Calls.Count == 1, "the first write is in flight");
            h.Logger.Info("before");
            WaitFor(() => h.Target.QueuedCount == 1, "'before' waits in the queue");
            Exception? flushResult = null;
            using var flushed = new ManualResetEventSlim();
            // LogFactory.Flush waits for the flush (up to its timeout) on the calling thread: another thread asks.
            var flushing = Task.Run(() => h.LogFactory.Flush(ex =>
            {
                flushResult = ex;
                flushed.Set();
            }, TimeSpan.FromSeconds(60)));
            WaitFor(() => h.Target.QueuedCount == 2, "the flush request waits in the queue behind 'before'");
            foreach (string message in Events(40))
                h.Logger.Info(message);   // the flush request is among the oldest: the overflow reaches it
            Assert.IsFalse(flushed.IsSet, "the write before the flush is still in flight");

            gate.SetResult();
            Assert.IsTrue(flushed.Wait(TimeSpan.FromSeconds(20)), "the flush completes when the writes before it are done, long before its 60 s timeout");
            Assert.IsNull(flushResult, "the flush succeeded");
            Assert.IsTrue(flushing.Wait(TimeSpan.FromSeconds(5)));
            Assert.Contains("first", h.DeliveredText);
        }

        [TestMethod]
        public void Logger_DiscardOverflowWithThrowExceptions_NeverThrowsToTheApplication()
        {
            var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            using var h = TargetHarness.Create(t =>
            {
                t.Layout = "${message}";
                t.QueueLimit = 20;
            });
            h.LogFactory.ThrowExceptions = true;   // NLog rethrows a failed write on the logging thread
            h.Gate = gate.Task;
            h.Logger.Info("first");
            WaitFor(() => h.Calls.Count == 1, "the first write is in flight");
            var threads = Enumerable.Range(0, 4).Select(t => Task.Run(() =>
            {
                for (int i = 0; i < 500; i++)
                    h.Logger.Info($"t{t}-{i}");
            })).ToArray();
            Assert.IsTrue(Task.WaitAll(threads, TimeSpan.FromSeconds(30)), "the logging threads finish");
            foreach (Task thread in threads)
                Assert.IsNull(thread.Exception, "Logger.Info did not throw");

            long dropped = h.Target.Statistics.EventsDroppedOverflow;
            Assert.IsGreaterThanOrEqualTo(2000L - 20, dropped, "at most QueueLimit waited; the rest was dropped");
            gate.SetResult();
            WaitFor(() => h.Delivered.Count + dropped == 2001, "every event delivered or counted as dropped");
            h.Flush();
        }
    }
}
