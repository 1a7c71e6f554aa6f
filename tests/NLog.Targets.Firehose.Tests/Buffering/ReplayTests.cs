using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Text;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.VisualStudio.TestTools.UnitTesting;
using NLog.Targets.Firehose.Buffering;
using NLog.Targets.Firehose.Tests.Infrastructure;
using static NLog.Targets.Firehose.Tests.Infrastructure.Waiting;

namespace NLog.Targets.Firehose.Tests.Buffering
{
    /// <summary>
    /// Replay of the disk buffer when the stream answers only in part: per-record failures, and a breaker opened by an
    /// error that retrying cannot fix.
    /// </summary>
    [TestClass]
    public class ReplayTests
    {
        private TempDirectory _temp = null!;

        [TestInitialize]
        public void CreateDirectory() => _temp = new TempDirectory();

        [TestCleanup]
        public void DeleteDirectory() => _temp.Dispose();

        private FirehoseTarget BufferedTarget(LoopbackFirehose server, string stream) => server.NewBufferedTarget(stream, _temp.Path);

        private static string IdOf(byte[] record) => JsonDocument.Parse(record).RootElement.GetProperty("event.id").GetString()!;

        /// <summary>Records left unacknowledged in the directory, as a fresh buffer opened on it sees them.</summary>
        private long PendingOnDisk()
        {
            using var reopened = new DiskBuffer(_temp.Path, 256L * 1024 * 1024);
            return reopened.PendingRecords;
        }

        [TestMethod]
        public async Task Replay_PartlyAcceptedAndNoRoomToWriteTheRestBack_WholeBatchSentAgainAsADuplicate()
        {
            // Two records of about 400 KB in one frame of about 800 KB, under a 1 MiB cap: once the first is accepted, the
            // second cannot be written back on its own (the claimed frame cannot be deleted to make room), so the batch
            // goes back to the buffer whole and is replayed again: the accepted record is sent a second time.
            using var log = new InternalLogCapture(LogLevel.Warn);
            await using var server = await LoopbackFirehose.StartAsync();
            server.Faults.Outage = true;
            var target = BufferedTarget(server, "writeback");
            target.MaxBufferBytes = 1024 * 1024;
            target.Layout = "{\"event.id\":\"${event-properties:n}\",\"pad\":\"${event-properties:pad}\"}";
            var factory = TargetHarness.Configure(new LogFactory { ThrowConfigExceptions = true }, target);
            var logger = factory.GetLogger("Replay");
            string pad = new string('p', 400_000);
            logger.WithProperty("n", "w-0").WithProperty("pad", pad).Info("x");
            logger.WithProperty("n", "w-1").WithProperty("pad", pad).Info("x");
            factory.Flush(TimeSpan.FromSeconds(30));
            WaitFor(() => target.Statistics.EventsBuffered == 2, "both events on disk during the outage, in one frame");

            // w-1 is refused (retryably) until released; w-0 is accepted at once.
            List<byte[]> current = new List<byte[]>();
            bool release = false;
            server.FailCall = call =>
            {
                Volatile.Write(ref current, call.Records);
                return null;
            };
            server.FailRecord = i => IdOf(Volatile.Read(ref current)[i]) == "w-1" && !Volatile.Read(ref release) ? "ServiceUnavailableException" : null;
            server.Faults.Outage = false;
            WaitFor(() => server.DistinctAcceptedIds().Contains("w-0"), "w-0 is accepted");
            WaitFor(() => log.Text.Contains("no room under the cap"), "writing w-1 back alone is refused: no room under the cap");
            WaitFor(() => server.DuplicateCount() >= 1, "the whole batch is replayed again, w-0 with it");

            Volatile.Write(ref release, true);
            WaitFor(() => server.DistinctAcceptedIds().Contains("w-1"), "w-1 arrives once released");
            WaitFor(() => target.Buffer!.PendingRecords == 0, "the buffer drains");
            factory.Dispose();
            Assert.AreEqual(2, server.DistinctAcceptedIds().Count);
            Assert.AreEqual(server.AcceptedCount - 2, server.DuplicateCount(), "every extra copy is a duplicate of w-0, with the same event.id");
            Assert.IsTrue(server.AcceptedText().Count(t => t.Contains("\"w-1\"", StringComparison.Ordinal)) == 1, "w-1 was accepted once");
            Assert.AreEqual(0, PendingOnDisk(), "nothing is left unacknowledged in the directory");
        }

        [TestMethod]
        public async Task Replay_PartialFailure_EveryEventArrivesOnceAndBufferEndsEmpty()
        {
            const int count = 60;
            await using var server = await LoopbackFirehose.StartAsync();
            server.Faults.Outage = true;
            var target = BufferedTarget(server, "partial");
            var factory = TargetHarness.Configure(new LogFactory { ThrowConfigExceptions = true }, target);
            var logger = factory.GetLogger("Replay");
            for (int i = 0; i < count; i++)
                logger.WithProperty("n", "p-" + i).Info("x");
            factory.Flush(TimeSpan.FromSeconds(30));
            WaitFor(() => target.Statistics.EventsBuffered == count, "all events on disk during the outage");
            Assert.AreEqual(0, server.AcceptedCount);

            // The service answers again, but fails every third record, and the "stubborn" ones (p-0, p-7, p-14, ...)
            // every time until released: the replayer's attempt ends with some records accepted and some not.
            // Only the replayer calls now, one call at a time: FailCall sees the call's records before FailRecord is asked.
            var stubborn = new HashSet<string>(Enumerable.Range(0, count).Where(i => i % 7 == 0).Select(i => "p-" + i));
            var offered = new ConcurrentDictionary<string, int>();
            List<byte[]> current = new List<byte[]>();
            bool release = false;
            server.FailCall = call =>
            {
                Volatile.Write(ref current, call.Records);
                foreach (byte[] record in call.Records)
                    offered.AddOrUpdate(IdOf(record), 1, (_, n) => n + 1);
                return null;
            };
            server.FailRecord = i =>
            {
                string id = IdOf(Volatile.Read(ref current)[i]);
                if (stubborn.Contains(id) && !Volatile.Read(ref release))
                    return "InternalFailure";
                return offered[id] == 1 && i % 3 == 1 ? "ServiceUnavailableException" : null;   // first offer of every third record
            };
            server.Faults.Outage = false;

            var others = Enumerable.Range(0, count).Select(i => "p-" + i).Where(id => !stubborn.Contains(id)).ToList();
            WaitFor(() => others.All(server.DistinctAcceptedIds().Contains), "every record that is not stubborn is accepted");
            WaitFor(() => stubborn.All(id => offered.GetValueOrDefault(id) >= 3), "the stubborn records are offered again and again");
            Assert.AreEqual(0, server.DuplicateCount(), "an accepted record is not offered again while the rest is retried");
            Assert.IsTrue(server.DistinctAcceptedIds().All(id => !stubborn.Contains(id)));
            WaitFor(() => target.Buffer!.PendingRecords == stubborn.Count, "only the records not yet accepted wait on disk (written back, the batch acknowledged)");

            Volatile.Write(ref release, true);
            WaitFor(() => server.DistinctAcceptedIds().Count == count, "every event arrives once the service takes the rest");
            WaitFor(() => target.Buffer!.PendingRecords == 0, "the buffer drains");
            WaitFor(() => target.Statistics.EventsReplayed == count, "each event counted as replayed once");
            Assert.AreEqual(0, server.DuplicateCount(), "no accepted record was sent again");
            Assert.AreEqual(count, server.AcceptedCount);
            Assert.IsGreaterThan(0L, server.Faults.FailedRecords, "records were failed");
            factory.Dispose();

            Assert.AreEqual(0, PendingOnDisk(), "nothing is left unacknowledged in the directory");
        }

        [TestMethod]
        public async Task Replay_BreakerOpen_OnlyScheduledProbesThenEverythingArrivesOnceFixed()
        {
            const int count = 30;
            await using var server = await LoopbackFirehose.StartAsync();
            var callTimes = new ConcurrentQueue<TimeSpan>();
            var clock = Stopwatch.StartNew();
            bool fixedNow = false;
            server.FailCall = call =>
            {
                callTimes.Enqueue(clock.Elapsed);
                return Volatile.Read(ref fixedNow) ? null : (400, "AccessDeniedException", "User is not authorized to perform: firehose:PutRecordBatch");
            };
            var target = BufferedTarget(server, "refused");
            target.BreakerFirstProbe = TimeSpan.FromMilliseconds(200);
            target.BreakerMaxProbe = TimeSpan.FromMilliseconds(800);
            using var log = new InternalLogCapture(LogLevel.Error);
            var factory = TargetHarness.Configure(new LogFactory { ThrowConfigExceptions = true }, target);
            var logger = factory.GetLogger("Breaker");
            for (int i = 0; i < count; i++)
                logger.WithProperty("n", "b-" + i).Info("x");
            factory.Flush(TimeSpan.FromSeconds(30));
            WaitFor(() => target.Statistics.EventsBuffered == count, "what the open breaker holds back goes to disk");
            Assert.IsTrue(target.StreamStateOf("refused")!.Breaker.IsOpen);

            // While the breaker is open the replayer only probes, on the breaker's schedule (200 ms, then doubling to 800 ms):
            // no call closer to the one before than the first probe wait, and no more than the schedule allows.
            TimeSpan windowStart = clock.Elapsed;
            await Task.Delay(TimeSpan.FromSeconds(2.5));
            TimeSpan windowEnd = clock.Elapsed;
            var all = callTimes.ToArray();
            var inWindow = all.Where(t => t >= windowStart && t < windowEnd).ToList();
            Assert.IsTrue(target.StreamStateOf("refused")!.Breaker.IsOpen, "still open");
            Assert.AreEqual(0, server.AcceptedCount);
            Assert.IsLessThanOrEqualTo(5, inWindow.Count, $"probes only, not a retry storm: {inWindow.Count} calls in 2.5 s");
            for (int i = 1; i < all.Length; i++)
                Assert.IsGreaterThanOrEqualTo(150, (all[i] - all[i - 1]).TotalMilliseconds, $"calls {i - 1} and {i} closer than the probe wait: {string.Join(", ", all.Select(t => t.TotalMilliseconds.ToString("0")))}");
            Assert.AreEqual(count, target.Buffer!.PendingRecords, "everything still waits on disk");
            Assert.HasCount(1, log.Text.Split('\n').Where(l => l.Contains("stopped sending to stream 'refused': AccessDeniedException", StringComparison.Ordinal)).ToList(), log.Text);

            // Permission granted: the next probe succeeds and everything on disk arrives, once.
            Volatile.Write(ref fixedNow, true);
            WaitFor(() => server.DistinctAcceptedIds().Count == count, "everything on disk arrives once the error is fixed");
            WaitFor(() => target.Buffer!.PendingRecords == 0, "the buffer drains");
            Assert.IsFalse(target.StreamStateOf("refused")!.Breaker.IsOpen);
            Assert.AreEqual(0, server.DuplicateCount());
            factory.Dispose();
            Assert.AreEqual(0, PendingOnDisk());
        }
    }
}
