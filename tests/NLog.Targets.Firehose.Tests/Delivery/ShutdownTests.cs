using System;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.VisualStudio.TestTools.UnitTesting;
using NLog.Targets.Firehose.Client;
using NLog.Targets.Firehose.Tests.Buffering;
using NLog.Targets.Firehose.Tests.Infrastructure;
using static NLog.Targets.Firehose.Tests.Infrastructure.Waiting;

namespace NLog.Targets.Firehose.Tests.Delivery
{
    /// <summary>
    /// <c>LogFactory.Shutdown()</c> (a flush, then the close) and a close while a call never ends: what could not be
    /// delivered is kept on disk, or reported at Error level with its count. Never silent.
    /// </summary>
    [TestClass]
    public class ShutdownTests
    {
        private static FirehoseTarget BufferedTarget(LoopbackFirehose server, string directory) => server.NewBufferedTarget("shutdown", directory);

        [TestMethod]
        public async Task Shutdown_FailingEndpointWithBuffer_UndeliveredOnDiskAndSentByNextTarget()
        {
            const int count = 2500;   // more than one write (BatchSize 2000)
            using var temp = new TempDirectory();
            await using var server = await LoopbackFirehose.StartAsync();
            server.Faults.Outage = true;
            var target = BufferedTarget(server, temp.Path);
            var factory = TargetHarness.Configure(new LogFactory { ThrowConfigExceptions = true }, target);
            var logger = factory.GetLogger("Shutdown");
            for (int i = 0; i < count; i++)
                logger.WithProperty("n", "s-" + i).Info("x");

            factory.Shutdown();
            Assert.AreEqual(count, target.Statistics.EventsBuffered, "everything not delivered is on disk when Shutdown returns");
            Assert.AreEqual(0, target.Statistics.EventsUndeliverable);
            Assert.AreEqual(0, target.Statistics.EventsDropped);
            Assert.AreEqual(0, server.AcceptedCount);

            server.Faults.Outage = false;
            var next = BufferedTarget(server, temp.Path);
            using var again = TargetHarness.Configure(new LogFactory { ThrowConfigExceptions = true }, next);
            WaitFor(() => server.DistinctAcceptedIds().Count == count, "a new target on the same directory delivers it all");
            CollectionAssert.AreEquivalent(Enumerable.Range(0, count).Select(i => "s-" + i).ToList(), server.DistinctAcceptedIds().ToList());
        }

        [TestMethod]
        public void Shutdown_FailingEndpointNoBuffer_CountReportedAtErrorAndContinuationsFail()
        {
            const int count = 10;
            using var log = new InternalLogCapture(LogLevel.Error);
            var h = TargetHarness.Create(t =>
            {
                t.Layout = "${message}";
                t.DeliveryTimeoutMilliseconds = 300;
                t.TaskDelayMilliseconds = 200;   // the events below make one write
            });
            h.FailCall = new FirehoseServiceException("InternalFailure", "down", 500, "r");
            var reported = new ConcurrentQueue<Exception?>();
            for (int i = 0; i < count; i++)
                h.Target.WriteAsyncLogEvent(new Common.AsyncLogEventInfo(LogEventInfo.Create(LogLevel.Info, "Shutdown", "lost " + i), reported.Enqueue));

            h.LogFactory.Shutdown();
            WaitFor(() => reported.Count == count, "every continuation is called");
            Assert.IsTrue(reported.All(ex => ex is FirehoseDeliveryException), "every continuation fails: " + string.Join(", ", reported.Select(ex => ex?.GetType().Name ?? "null")));
            Assert.AreEqual(count, h.Target.Statistics.EventsUndeliverable);
            StringAssert.Contains(log.Text, $"gave up on {count} events for stream 'test-stream'", log.Text);
        }

        [TestMethod]
        public void Close_CallIgnoresCancellationNoBuffer_CloseBoundedAndEventsReported()
        {
            const int count = 5;
            using var log = new InternalLogCapture(LogLevel.Error);
            var never = new TaskCompletionSource();   // the client never answers and ignores cancellation
            var h = TargetHarness.Create(t => { t.Layout = "${message}"; t.DeliveryTimeoutMilliseconds = 1000; });
            h.Gate = never.Task;
            for (int i = 0; i < count; i++)
                h.Logger.Info("stuck " + i);
            WaitFor(() => h.Calls.Count >= 1, "the call is in flight");

            var watch = Stopwatch.StartNew();
            var close = Task.Run(h.Dispose);
            Assert.IsTrue(close.Wait(TimeSpan.FromSeconds(30)), "close returns although the call never ends");
            watch.Stop();
            TestContext.WriteLine($"close took {watch.ElapsedMilliseconds} ms");
            Assert.IsLessThan(5000, watch.ElapsedMilliseconds, "the close does not wait for the call");
            WaitFor(() => h.Target.Statistics.EventsUndeliverable == count, "the events of the abandoned call are counted");
            WaitFor(() => log.Text.Contains($"gave up on {count} events for stream 'test-stream': the write was cancelled", StringComparison.Ordinal), "and reported at Error level: " + log.Text);
            never.SetResult();
        }

        [TestMethod]
        public void Close_CallIgnoresCancellationWithBuffer_CloseBoundedAndEventsOnDisk()
        {
            const int count = 5;
            using var temp = new TempDirectory();
            var never = new TaskCompletionSource();
            var h = TargetHarness.Create(t => { t.Layout = "${message}"; t.DeliveryTimeoutMilliseconds = 1000; t.BufferDirectory = temp.Path; });
            h.Gate = never.Task;
            for (int i = 0; i < count; i++)
                h.Logger.Info("stuck " + i);
            WaitFor(() => h.Calls.Count >= 1, "the call is in flight");

            var watch = Stopwatch.StartNew();
            var close = Task.Run(h.Dispose);
            Assert.IsTrue(close.Wait(TimeSpan.FromSeconds(30)), "close returns although the call never ends");
            Assert.IsLessThan(5000, watch.ElapsedMilliseconds, "the close does not wait for the call");
            Assert.AreEqual(count, h.Target.Statistics.EventsBuffered, "the abandoned call's records are kept on disk");
            Assert.AreEqual(0, h.Target.Statistics.EventsUndeliverable);
            never.SetResult();

            using var next = TargetHarness.Create(t => { t.Layout = "${message}"; t.BufferDirectory = temp.Path; });
            WaitFor(() => next.SentText.Distinct().Count() == count, "what was kept on disk is sent by the next start");
            CollectionAssert.AreEquivalent(Enumerable.Range(0, count).Select(i => "stuck " + i).ToList(), next.SentText.Distinct().ToList());
        }

        public TestContext TestContext { get; set; } = null!;
    }
}
