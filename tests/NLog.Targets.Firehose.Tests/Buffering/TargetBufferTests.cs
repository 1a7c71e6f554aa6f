using System;
using System.IO;
using System.Linq;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.VisualStudio.TestTools.UnitTesting;
using NLog.Targets.Firehose.Tests.Infrastructure;
using static NLog.Targets.Firehose.Tests.Infrastructure.Waiting;

namespace NLog.Targets.Firehose.Tests.Buffering
{
    /// <summary>The target with a disk buffer: what cannot be delivered now is kept on disk and sent later, oldest first.</summary>
    [TestClass]
    public class TargetBufferTests
    {
        private TempDirectory _temp = null!;

        [TestInitialize]
        public void CreateDirectory() => _temp = new TempDirectory();

        [TestCleanup]
        public void DeleteDirectory() => _temp.Dispose();

        private FirehoseTarget BufferedTarget(LoopbackFirehose server, string stream) => server.NewBufferedTarget(stream, _temp.Path);

        [TestMethod]
        public async Task Outage_EventsBufferedThenReplayedWhenServiceAnswers()
        {
            await using var server = await LoopbackFirehose.StartAsync();
            server.Faults.Outage = true;   // 503 for every call
            var target = BufferedTarget(server, "buffered");
            using var factory = TargetHarness.Configure(new LogFactory { ThrowConfigExceptions = true }, target);
            var logger = factory.GetLogger("Buffer");

            Exception? reported = new InvalidOperationException("not called");
            using var done = new ManualResetEventSlim();
            for (int i = 0; i < 50; i++)
                logger.WithProperty("n", "id-" + i).Info("x");
            target.WriteAsyncLogEvent(new Common.AsyncLogEventInfo(new LogEventInfo(LogLevel.Info, "Buffer", "x") { Properties = { ["n"] = "id-50" } }, ex => { reported = ex; done.Set(); }));
            factory.Flush(TimeSpan.FromSeconds(30));
            Assert.IsTrue(done.Wait(TimeSpan.FromSeconds(30)));
            Assert.IsNull(reported, "an event kept on disk is not a failure");
            WaitFor(() => target.Statistics.EventsBuffered == 51, "all 51 events buffered");
            Assert.AreEqual(0, target.Statistics.EventsUndeliverable);
            Assert.AreEqual(0, server.AcceptedCount);

            server.Faults.Outage = false;
            WaitFor(() => server.AcceptedCount >= 51, "replayed once the service answers");
            CollectionAssert.AreEquivalent(Enumerable.Range(0, 51).Select(i => "id-" + i).ToList(), server.DistinctAcceptedIds().ToList());
            WaitFor(() => target.Statistics.EventsReplayed == 51, "counted as replayed");
            WaitFor(() => target.Buffer!.PendingRecords == 0, "the buffer drains");
        }

        [TestMethod]
        public async Task Restart_BufferFromEarlierRun_ReplayedAtStart()
        {
            await using var server = await LoopbackFirehose.StartAsync();
            server.Faults.Outage = true;
            var first = BufferedTarget(server, "restart");
            using (var factory = TargetHarness.Configure(new LogFactory { ThrowConfigExceptions = true }, first))
            {
                for (int i = 0; i < 20; i++)
                    factory.GetLogger("Run1").WithProperty("n", "r-" + i).Info("x");
                factory.Flush(TimeSpan.FromSeconds(30));
                WaitFor(() => first.Statistics.EventsBuffered == 20, "buffered in the first run");
            }
            server.Faults.Outage = false;
            Assert.AreEqual(0, server.AcceptedCount);

            var second = BufferedTarget(server, "restart");
            using var again = TargetHarness.Configure(new LogFactory { ThrowConfigExceptions = true }, second);
            WaitFor(() => server.AcceptedCount >= 20, "the next start replays the earlier run's events");
            CollectionAssert.AreEquivalent(Enumerable.Range(0, 20).Select(i => "r-" + i).ToList(), server.DistinctAcceptedIds().ToList());
        }

        [TestMethod]
        public async Task Close_WhileRetrying_EventsKeptOnDiskNotLost()
        {
            await using var server = await LoopbackFirehose.StartAsync();
            server.Faults.Outage = true;
            var target = BufferedTarget(server, "closing");
            target.DeliveryTimeoutMilliseconds = 60_000;   // still retrying when the target closes
            var factory = TargetHarness.Configure(new LogFactory { ThrowConfigExceptions = true }, target);
            for (int i = 0; i < 10; i++)
                factory.GetLogger("Close").WithProperty("n", "c-" + i).Info("x");
            WaitFor(() => target.Statistics.EventsReceived == 10, "all events reached the target's write");
            WaitFor(() => server.Faults.OutageCalls >= 2, "retrying");
            factory.Dispose();
            Assert.AreEqual(10, target.Statistics.EventsBuffered);
            Assert.AreEqual(0, target.Statistics.EventsUndeliverable);

            server.Faults.Outage = false;
            var next = BufferedTarget(server, "closing");
            using var again = TargetHarness.Configure(new LogFactory { ThrowConfigExceptions = true }, next);
            WaitFor(() => server.DistinctAcceptedIds().Count == 10, "delivered by the next start");
        }

        [TestMethod]
        public void Init_BufferDirectoryIsAFile_ConfigurationErrorSaysWhatToFix()
        {
            string file = Path.GetTempFileName();
            try
            {
                var target = TargetHarness.NewTarget(_ => NSubstitute.Substitute.For<NLog.Targets.Firehose.Client.IFirehoseClient>());
                target.BufferDirectory = file;
                using var factory = new LogFactory { ThrowConfigExceptions = true };
                var ex = Assert.ThrowsExactly<NLogConfigurationException>(() => TargetHarness.Configure(factory, target));
                StringAssert.Contains(ex.ToString(), "BufferDirectory '" + file + "' cannot be used");
            }
            finally
            {
                File.Delete(file);
            }
        }

        [TestMethod]
        public void Init_MaxBufferBytesTooSmall_ConfigurationError()
        {
            var target = TargetHarness.NewTarget(_ => NSubstitute.Substitute.For<NLog.Targets.Firehose.Client.IFirehoseClient>());
            target.BufferDirectory = _temp.Path;
            target.MaxBufferBytes = 1000;
            using var factory = new LogFactory { ThrowConfigExceptions = true };
            var ex = Assert.ThrowsExactly<NLogConfigurationException>(() => TargetHarness.Configure(factory, target));
            StringAssert.Contains(ex.ToString(), "MaxBufferBytes must be at least 1048576");
        }

        [TestMethod]
        public async Task FailingStream_LaterWrites_GoStraightToDiskWithoutWaitingOutTheTimeout()
        {
            await using var server = await LoopbackFirehose.StartAsync();
            server.Faults.Outage = true;
            var target = BufferedTarget(server, "spill");
            target.DeliveryTimeoutMilliseconds = 1000;
            using var factory = TargetHarness.Configure(new LogFactory { ThrowConfigExceptions = true }, target);
            var logger = factory.GetLogger("Spill");
            logger.WithProperty("n", "first").Info("x");
            factory.Flush(TimeSpan.FromSeconds(30));
            WaitFor(() => target.Statistics.EventsBuffered == 1, "the first write waited out its timeout, then buffered");
            Assert.IsTrue(target.StreamStateOf("spill")!.Degraded);

            var watch = System.Diagnostics.Stopwatch.StartNew();
            for (int i = 0; i < 100; i++)
                logger.WithProperty("n", "later-" + i).Info("x");
            factory.Flush(TimeSpan.FromSeconds(30));
            watch.Stop();
            Assert.AreEqual(101, target.Statistics.EventsBuffered);
            Assert.IsLessThan(900, watch.ElapsedMilliseconds, "no new 1 s wait for a stream known to be failing");

            server.Faults.Outage = false;
            WaitFor(() => server.DistinctAcceptedIds().Count == 101, "everything replayed once the stream answers");
            WaitFor(() => !target.StreamStateOf("spill")!.Degraded, "and the stream is healthy again");
        }

        [TestMethod]
        public async Task Replay_OneStreamBroken_OtherStreamsStillReplayed()
        {
            await using var server = await LoopbackFirehose.StartAsync();
            server.Faults.Outage = true;
            var target = BufferedTarget(server, "${event-properties:s}");
            using (var factory = TargetHarness.Configure(new LogFactory { ThrowConfigExceptions = true }, target))
            {
                factory.GetLogger("Two").WithProperty("s", "gone").WithProperty("n", "g-0").Info("x");
                factory.Flush(TimeSpan.FromSeconds(30));
                for (int i = 0; i < 10; i++)
                    factory.GetLogger("Two").WithProperty("s", "ok").WithProperty("n", "ok-" + i).Info("x");
                factory.Flush(TimeSpan.FromSeconds(30));
                WaitFor(() => target.Statistics.EventsBuffered == 11, "both streams buffered, 'gone' oldest");
            }

            // The service is back, but the oldest batch's stream no longer exists.
            server.Faults.Outage = false;
            server.FailCall = call => call.Stream == "gone" ? (400, "ResourceNotFoundException", "Firehose gone not found") : null;
            var next = BufferedTarget(server, "${event-properties:s}");
            using var again = TargetHarness.Configure(new LogFactory { ThrowConfigExceptions = true }, next);
            WaitFor(() => Enumerable.Range(0, 10).All(i => server.DistinctAcceptedIds().Contains("ok-" + i)), "the healthy stream is replayed past the broken one");
            Assert.IsFalse(server.DistinctAcceptedIds().Contains("g-0"));
        }
    }
}
