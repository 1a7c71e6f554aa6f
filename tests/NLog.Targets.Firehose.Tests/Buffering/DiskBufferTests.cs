using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.VisualStudio.TestTools.UnitTesting;
using NLog.Targets.Firehose.Buffering;
using NLog.Targets.Firehose.Tests.Infrastructure;

namespace NLog.Targets.Firehose.Tests.Buffering
{
    [TestClass]
    public class DiskBufferTests
    {
        private const long Large = 64L * 1024 * 1024;

        [TestMethod]
        public void Append_BatchesForTwoStreams_ClaimedOldestFirstAckedGoneAfterReopen()
        {
            using var dir = new TempDirectory();
            using (var buffer = new DiskBuffer(dir.Path, Large))
            {
                Assert.IsTrue(buffer.Append("s1", Batch("a1", "a2")));
                Assert.IsTrue(buffer.Append("s2", Batch("b1")));
                Assert.IsTrue(buffer.Append("s1", Batch("c1", "c2", "c3")));
                Assert.IsTrue(buffer.Append("s2", Batch("d1")));
                Assert.AreEqual(7, buffer.PendingRecords);

                BufferedBatch first = buffer.TryClaimOldest()!;
                Assert.AreEqual("s1", first.Stream);
                CollectionAssert.AreEqual(new[] { "a1", "a2" }, Texts(first));
                BufferedBatch second = buffer.TryClaimOldest()!;
                CollectionAssert.AreEqual(new[] { "b1" }, Texts(second));
                Assert.AreEqual("s2", second.Stream);
                BufferedBatch onlyS2 = buffer.TryClaimOldest("s2")!;
                CollectionAssert.AreEqual(new[] { "d1" }, Texts(onlyS2), "the stream filter skips the s1 batch between");

                buffer.Acknowledge(first);
                buffer.Acknowledge(onlyS2);
                buffer.Release(second);
                Assert.AreEqual(4, buffer.PendingRecords);
            }

            using (var reopened = new DiskBuffer(dir.Path, Large))
            {
                Assert.AreEqual(4, reopened.PendingRecords);
                Assert.AreEqual(0, reopened.CorruptTailsSkipped);
                CollectionAssert.AreEqual(new[] { "b1", "c1,c2,c3" }, ClaimAll(reopened, ack: true));
                Assert.AreEqual(0, reopened.PendingRecords);
                Assert.IsNull(reopened.TryClaimOldest());
            }
            using (var empty = new DiskBuffer(dir.Path, Large))
            {
                Assert.IsNull(empty.TryClaimOldest());
                Assert.AreEqual(0, empty.SizeBytes);
            }
            Assert.IsEmpty(Directory.GetFiles(dir.Path), "every file of a fully acknowledged buffer is deleted");
        }

        [TestMethod]
        public void Release_ClaimedBatch_HandedOutAgainInItsPlace()
        {
            using var dir = new TempDirectory();
            using var buffer = new DiskBuffer(dir.Path, Large);
            buffer.Append("s", Batch("1"));
            buffer.Append("s", Batch("2"));
            BufferedBatch one = buffer.TryClaimOldest()!;
            BufferedBatch two = buffer.TryClaimOldest()!;
            Assert.IsNull(buffer.TryClaimOldest(), "a claimed batch is not handed out twice");

            buffer.Release(two);
            buffer.Release(one);
            CollectionAssert.AreEqual(new[] { "1" }, Texts(buffer.TryClaimOldest()!), "still oldest first");
            CollectionAssert.AreEqual(new[] { "2" }, Texts(buffer.TryClaimOldest()!));

            buffer.Acknowledge(one);   // released above: no longer this claim, nothing happens
            Assert.AreEqual(2, buffer.PendingRecords);
        }

        [TestMethod]
        public void Acknowledge_OutOfOrder_SurvivesReopen()
        {
            using var dir = new TempDirectory();
            using (var buffer = new DiskBuffer(dir.Path, Large))
            {
                for (int i = 1; i <= 5; i++)
                    buffer.Append("s", Batch(i.ToString()));
                var claimed = Enumerable.Range(0, 5).Select(_ => buffer.TryClaimOldest()!).ToList();
                buffer.Acknowledge(claimed[1]);
                buffer.Acknowledge(claimed[3]);
                buffer.Acknowledge(claimed[4]);
                // claims 0 and 2 are neither acknowledged nor released when the buffer closes
            }
            using var reopened = new DiskBuffer(dir.Path, Large);
            CollectionAssert.AreEqual(new[] { "1", "3" }, ClaimAll(reopened, ack: false));
        }

        [TestMethod]
        public void Append_PastSegmentSize_RollsIntoNewSegmentsReadInOrder()
        {
            using var dir = new TempDirectory();
            using (var buffer = new DiskBuffer(dir.Path, 512 * 1024, fsyncEachAppend: false))
            {
                Assert.AreEqual(DiskBuffer.MinSegmentBytes, buffer.SegmentBytes, "maxBytes / 8 is below the 64 KiB floor");
                for (int i = 0; i < 30; i++)
                    Assert.IsTrue(buffer.Append("s", Batch(i.ToString("D3") + new string('x', 10_000))));
                string[] segments = Directory.GetFiles(dir.Path, "*.seg");
                Assert.IsGreaterThanOrEqualTo(4, segments.Length);
                Assert.IsTrue(segments.All(f => new FileInfo(f).Length <= DiskBuffer.MinSegmentBytes));
                Assert.AreEqual(0, buffer.DroppedForCapRecords);
            }
            using var reopened = new DiskBuffer(dir.Path, 512 * 1024);
            var order = ClaimAll(reopened, ack: true).Select(t => int.Parse(t.Substring(0, 3))).ToList();
            CollectionAssert.AreEqual(Enumerable.Range(0, 30).ToList(), order);
            Assert.IsEmpty(Directory.GetFiles(dir.Path, "*.seg"), "fully acknowledged segments are deleted");
        }

        [TestMethod]
        public void Dispose_WithClaimsOutstanding_EverythingUnackedThereAfterReopen()
        {
            using var dir = new TempDirectory();
            using (var buffer = new DiskBuffer(dir.Path, Large))
            {
                buffer.Append("s", Batch("1"));
                buffer.Append("s", Batch("2"));
                buffer.Append("s", Batch("3"));
                buffer.Acknowledge(buffer.TryClaimOldest()!);
                BufferedBatch inFlight = buffer.TryClaimOldest()!;
                buffer.Dispose();
                buffer.Acknowledge(inFlight);   // after dispose: ignored, the batch will be sent again
                Assert.IsFalse(buffer.Append("s", Batch("late")));
                Assert.IsNull(buffer.TryClaimOldest());
            }
            using var reopened = new DiskBuffer(dir.Path, Large);
            Assert.AreEqual(2, reopened.PendingRecords);
            CollectionAssert.AreEqual(new[] { "2", "3" }, ClaimAll(reopened, ack: false));
        }

        [TestMethod]
        public void Append_PastCap_OldestSegmentsEvictedAndCounted()
        {
            using var dir = new TempDirectory();
            using var log = new InternalLogCapture(LogLevel.Warn);
            const long cap = 512 * 1024;
            const int batches = 200;
            using var buffer = new DiskBuffer(dir.Path, cap, fsyncEachAppend: false);
            for (int i = 0; i < batches; i++)
            {
                Assert.IsTrue(buffer.Append("s", Batch(i.ToString("D3") + new string('x', 5_000), "second")));
                Assert.IsLessThanOrEqualTo(cap, buffer.SizeBytes);
                Assert.IsLessThanOrEqualTo(cap, Directory.GetFiles(dir.Path, "*.seg").Sum(f => new FileInfo(f).Length));
            }
            Assert.IsGreaterThan(0, buffer.DroppedForCapRecords);
            Assert.AreEqual(2 * batches, buffer.DroppedForCapRecords + buffer.PendingRecords, "every record is either dropped or still pending");

            var left = ClaimAll(buffer, ack: true).Select(t => int.Parse(t.Substring(0, 3))).ToList();
            Assert.AreEqual(buffer.DroppedForCapRecords / 2, left[0], "the oldest went first");
            CollectionAssert.AreEqual(Enumerable.Range(left[0], batches - left[0]).ToList(), left, "what is left is the newest, in order, without gaps");
            Assert.AreEqual(1, CountOf(log.Text, "reached its cap"), "logged once a minute at most");
        }

        [TestMethod]
        public void Append_EvictionWithOldestBatchClaimed_SkipsTheSegmentInFlight()
        {
            using var dir = new TempDirectory();
            using var buffer = new DiskBuffer(dir.Path, 512 * 1024, fsyncEachAppend: false);
            for (int i = 0; i < 20; i++)
                buffer.Append("s", Batch(i.ToString("D3") + new string('x', 10_000)));
            BufferedBatch inFlight = buffer.TryClaimOldest()!;
            for (int i = 20; i < 100; i++)
                Assert.IsTrue(buffer.Append("s", Batch(i.ToString("D3") + new string('x', 10_000))));
            Assert.IsGreaterThan(0, buffer.DroppedForCapRecords);

            buffer.Release(inFlight);
            var left = ClaimAll(buffer, ack: true).Select(t => int.Parse(t.Substring(0, 3))).ToList();
            Assert.AreEqual(0, left[0], "the segment of the batch in flight stayed");
            Assert.AreEqual(99, left[^1]);
        }

        [TestMethod]
        public void Append_CapFilledByAnotherLiveInstance_RefusedWithoutTouchingItsSegments()
        {
            using var dir = new TempDirectory();
            using var log = new InternalLogCapture(LogLevel.Warn);
            const long cap = 512 * 1024;
            using var a = new DiskBuffer(dir.Path, cap, fsyncEachAppend: false);
            for (int i = 0; a.SizeBytes < cap - 30_000; i++)
                Assert.IsTrue(a.Append("s", Batch(i.ToString("D3") + new string('x', 20_000))));
            long aBytes = a.SizeBytes;

            using var b = new DiskBuffer(dir.Path, cap, fsyncEachAppend: false);
            Assert.IsFalse(b.Append("s", Batch(new string('y', 40_000))), "a's segments are locked: b may not evict them");
            Assert.AreEqual(1, b.AppendFailedRecords);
            Assert.AreEqual(0, b.DroppedForCapRecords);
            StringAssert.Contains(log.Text, "no room under the cap");
            Assert.AreEqual(aBytes, Directory.GetFiles(dir.Path, "*.seg").Sum(f => new FileInfo(f).Length));

            a.Dispose();
            Assert.IsTrue(b.Append("s", Batch(new string('y', 40_000))), "once a let go, its oldest segment may go");
            Assert.IsGreaterThan(0, b.DroppedForCapRecords);
            Assert.IsLessThanOrEqualTo(cap, Directory.GetFiles(dir.Path, "*.seg").Sum(f => new FileInfo(f).Length));
        }

        [TestMethod]
        public void Open_SegmentOfAnotherFormatVersion_LeftAloneNotCountedAsDamage()
        {
            using var dir = new TempDirectory();
            string segment = WriteFive(dir.Path);
            using (var file = new FileStream(segment, FileMode.Open))
            {
                file.Position = 4;
                file.WriteByte(2);   // the version byte of the first frame
            }
            using var log = new InternalLogCapture(LogLevel.Warn);
            using (var buffer = new DiskBuffer(dir.Path, Large))
            {
                Assert.AreEqual(0, buffer.CorruptTailsSkipped);
                Assert.IsNull(buffer.TryClaimOldest());
                Assert.IsTrue(buffer.Append("s", Batch("mine")));
                CollectionAssert.AreEqual(new[] { "mine" }, Texts(buffer.TryClaimOldest()!));
            }
            Assert.IsTrue(File.Exists(segment), "kept for the library version that wrote it");
            StringAssert.Contains(log.Text, "another format version");
        }

        [TestMethod]
        public void Append_BatchLargerThanCap_RefusedAndCountedBufferStillWorks()
        {
            using var dir = new TempDirectory();
            using var log = new InternalLogCapture(LogLevel.Warn);
            using var buffer = new DiskBuffer(dir.Path, 100_000);
            Assert.IsTrue(buffer.Append("s", Batch("small")));
            Assert.IsFalse(buffer.Append("s", Batch(new string('x', 60_000), new string('y', 60_000))));
            Assert.AreEqual(2, buffer.AppendFailedRecords);
            Assert.AreEqual(0, buffer.DroppedForCapRecords, "nothing was evicted for a batch that can never fit");
            StringAssert.Contains(log.Text, "more than the buffer's cap of 100000 bytes");
            Assert.IsTrue(buffer.Append("s", Batch("after")));
            CollectionAssert.AreEqual(new[] { "small", "after" }, ClaimAll(buffer, ack: true));
        }

        [TestMethod]
        public void Open_LastSegmentCutMidFrame_SkipsOnlyTheTornTail()
        {
            using var dir = new TempDirectory();
            string segment = WriteFive(dir.Path);
            long length = new FileInfo(segment).Length;
            using (var file = new FileStream(segment, FileMode.Open))
                file.SetLength(length - 7);

            using var log = new InternalLogCapture(LogLevel.Warn);
            using var buffer = new DiskBuffer(dir.Path, Large);
            Assert.AreEqual(1, buffer.CorruptTailsSkipped);
            Assert.AreEqual(4, buffer.PendingRecords);
            Assert.AreEqual(1, CountOf(log.Text, "torn or corrupt"));
            CollectionAssert.AreEqual(new[] { "1", "2", "3", "4" }, ClaimAll(buffer, ack: true));
            Assert.AreEqual(1, CountOf(log.Text, "torn or corrupt"), "logged once");
        }

        [TestMethod]
        public void Open_ByteFlippedInLastFrame_SkipsThatFrameOnly()
        {
            using var dir = new TempDirectory();
            string segment = WriteFive(dir.Path);
            FlipByte(segment, new FileInfo(segment).Length - 10);

            using var buffer = new DiskBuffer(dir.Path, Large);
            Assert.AreEqual(1, buffer.CorruptTailsSkipped);
            CollectionAssert.AreEqual(new[] { "1", "2", "3", "4" }, ClaimAll(buffer, ack: false));
        }

        [TestMethod]
        public void Open_ByteFlippedInMiddleFrame_ThatFrameSkippedLaterFramesKept()
        {
            using var dir = new TempDirectory();
            string segment = WriteFive(dir.Path);
            long frame = new FileInfo(segment).Length / 5;   // the five frames are the same size
            FlipByte(segment, (2 * frame) + (frame / 2));

            using var buffer = new DiskBuffer(dir.Path, Large);
            Assert.AreEqual(1, buffer.CorruptTailsSkipped);
            CollectionAssert.AreEqual(new[] { "1", "2", "4", "5" }, ClaimAll(buffer, ack: false));
        }

        [TestMethod]
        public void Open_ZerosAfterLastFrame_SkippedLikeATornTail()
        {
            using var dir = new TempDirectory();
            string segment = WriteFive(dir.Path);
            using (var file = new FileStream(segment, FileMode.Append))
                file.Write(new byte[4096]);   // what a file system can show after a power loss: length grown, data not written

            using var buffer = new DiskBuffer(dir.Path, Large);
            Assert.AreEqual(1, buffer.CorruptTailsSkipped);
            CollectionAssert.AreEqual(new[] { "1", "2", "3", "4", "5" }, ClaimAll(buffer, ack: true));
            Assert.IsEmpty(Directory.GetFiles(dir.Path, "*.seg"), "once its intact batches are acknowledged the damaged segment goes too");
        }

        [TestMethod]
        public void Open_DamagedAckFile_BatchesHandedOutAgainNotLost()
        {
            using var dir = new TempDirectory();
            using (var buffer = new DiskBuffer(dir.Path, Large))
            {
                buffer.Append("s", Batch("1"));
                buffer.Append("s", Batch("2"));
                buffer.Acknowledge(buffer.TryClaimOldest()!);
            }
            string ack = Directory.GetFiles(dir.Path, "*.ack").Single();
            FlipByte(ack, 10);

            using var reopened = new DiskBuffer(dir.Path, Large);
            CollectionAssert.AreEqual(new[] { "1", "2" }, ClaimAll(reopened, ack: false), "at least once: the acknowledged batch comes again");
        }

        [TestMethod]
        public void TwoInstances_OneDirectory_EachSeesTheOthersDataOnlyOnceLetGo()
        {
            using var dir = new TempDirectory();
            using var a = new DiskBuffer(dir.Path, Large);
            using var b = new DiskBuffer(dir.Path, Large);
            a.Append("s", Batch("a1"));
            a.Append("s", Batch("a2"));
            b.Append("s", Batch("b1"));

            BufferedBatch fromB = b.TryClaimOldest()!;
            CollectionAssert.AreEqual(new[] { "b1" }, Texts(fromB), "b may not read a's active segment");
            Assert.IsNull(b.TryClaimOldest());
            BufferedBatch fromA = a.TryClaimOldest()!;
            CollectionAssert.AreEqual(new[] { "a1" }, Texts(fromA), "a replays its own; b's is locked");
            CollectionAssert.AreEqual(new[] { "a2" }, Texts(a.TryClaimOldest()!));
            Assert.IsNull(a.TryClaimOldest());
            a.Release(fromA);

            a.Dispose();
            CollectionAssert.AreEqual(new[] { "a1" }, Texts(b.TryClaimOldest()!), "a let go: its segment is b's to replay, oldest first");
            CollectionAssert.AreEqual(new[] { "a2" }, Texts(b.TryClaimOldest()!), "a's claim ended with a");
            Assert.IsNull(b.TryClaimOldest());
            b.Acknowledge(fromB);
        }

        [TestMethod]
        public void TwoInstances_ClaimingTheSameSegments_NoBatchHandedOutTwice()
        {
            using var dir = new TempDirectory();
            const int batches = 300;
            using var one = new DiskBuffer(dir.Path, 1024 * 1024);
            using var two = new DiskBuffer(dir.Path, 1024 * 1024);
            using (var writer = new DiskBuffer(dir.Path, 1024 * 1024, fsyncEachAppend: false))
            {
                for (int i = 0; i < batches; i++)
                    writer.Append("s", Batch(i.ToString("D3") + new string('x', 2_000)));
                Assert.IsGreaterThan(3, Directory.GetFiles(dir.Path, "*.seg").Length);
            }

            var claimed = new List<(int Who, int Number)>();
            for (int round = 0; round < batches; round++)
            {
                BufferedBatch? x = one.TryClaimOldest();
                BufferedBatch? y = two.TryClaimOldest();
                if (x is null && y is null)
                    break;
                if (x is not null)
                    claimed.Add((1, int.Parse(Texts(x)[0].Substring(0, 3))));
                if (y is not null)
                    claimed.Add((2, int.Parse(Texts(y)[0].Substring(0, 3))));
            }
            var numbers = claimed.Select(c => c.Number).ToList();
            Assert.AreEqual(batches, numbers.Distinct().Count(), "every batch claimed");
            Assert.HasCount(batches, numbers, "and none twice");
            Assert.IsTrue(claimed.Any(c => c.Who == 1) && claimed.Any(c => c.Who == 2), "both instances got a share: each locks the oldest segment it can");
            foreach (int who in new[] { 1, 2 })
            {
                var mine = claimed.Where(c => c.Who == who).Select(c => c.Number).ToList();
                CollectionAssert.AreEqual(mine.OrderBy(n => n).ToList(), mine, "each instance claims oldest first");
            }
        }

        [TestMethod]
        public void TryClaimOldest_MoreIdleSegmentsThanTheLimit_NewestLetGoForOthers()
        {
            using var dir = new TempDirectory();
            using var one = new DiskBuffer(dir.Path, 1024 * 1024) { MaxIdleHeldSegments = 2 };
            using var two = new DiskBuffer(dir.Path, 1024 * 1024);
            using (var writer = new DiskBuffer(dir.Path, 1024 * 1024, fsyncEachAppend: false))
            {
                for (int i = 0; i < 6; i++)
                    writer.Append("s", Batch(i.ToString("D3") + new string('x', 140_000)));   // one batch a segment
                Assert.HasCount(6, Directory.GetFiles(dir.Path, "*.seg"));
            }

            Assert.IsNull(one.TryClaimOldest("no-such-stream"), "reads every segment, holds the two oldest");
            CollectionAssert.AreEqual(new[] { "002" }, Texts(two.TryClaimOldest()!).Select(t => t.Substring(0, 3)).ToArray(), "the third is free again");
            CollectionAssert.AreEqual(new[] { "000" }, Texts(one.TryClaimOldest()!).Select(t => t.Substring(0, 3)).ToArray());
        }

        [TestMethod]
        public void Append_DirectoryDeletedWhileRunning_ReturnsFalseThenRecreates()
        {
            using var dir = new TempDirectory();
            using var log = new InternalLogCapture(LogLevel.Warn);
            using var buffer = new DiskBuffer(dir.Path, Large);
            Assert.IsTrue(buffer.Append("s", Batch("before")));

            Directory.Delete(dir.Path, recursive: true);
            Assert.IsFalse(buffer.Append("s", Batch("into the void")), "the open segment was deleted: the write is lost and said so");
            StringAssert.Contains(log.Text, "deleted while in use");
            Assert.IsNull(buffer.TryClaimOldest());
            Assert.AreEqual(0, buffer.PendingRecords);

            Assert.IsTrue(buffer.Append("s", Batch("after")));
            Assert.IsTrue(Directory.Exists(dir.Path));
            CollectionAssert.AreEqual(new[] { "after" }, ClaimAll(buffer, ack: true));

            // The directory cannot come back: a file now stands at its path.
            Directory.Delete(dir.Path, recursive: true);
            File.WriteAllText(dir.Path, "not a directory");
            Assert.IsFalse(buffer.Append("s", Batch("nowhere")));
            Assert.IsFalse(buffer.Append("s", Batch("nowhere")));
            Assert.IsNull(buffer.TryClaimOldest());
            StringAssert.Contains(log.Text, dir.Path);
        }

        [TestMethod]
        public void Append_WriteFailsHalfway_ReturnsFalseAndNothingTornLeft()
        {
            using var dir = new TempDirectory();
            using (var buffer = new DiskBuffer(dir.Path, Large))
            {
                Assert.IsTrue(buffer.Append("s", Batch("1")));
                buffer.WriteOverride = (file, frame, length) =>
                {
                    file.Write(frame, 0, length / 2);
                    throw new IOException("No space left on device");
                };
                Assert.IsFalse(buffer.Append("s", Batch("2")));
                Assert.AreEqual(1, buffer.AppendFailedRecords);
                buffer.WriteOverride = null;
                Assert.IsTrue(buffer.Append("s", Batch("3")));
                Assert.AreEqual(2, Directory.GetFiles(dir.Path, "*.seg").Length, "the failed segment was closed and a new one started");
            }
            using var reopened = new DiskBuffer(dir.Path, Large);
            Assert.AreEqual(0, reopened.CorruptTailsSkipped, "the half-written frame was cut off again");
            CollectionAssert.AreEqual(new[] { "1", "3" }, ClaimAll(reopened, ack: false));
        }

        [TestMethod]
        public void Constructor_PathIsAFile_ThrowsIOExceptionNamingIt()
        {
            using var dir = new TempDirectory();
            string path = Path.Combine(dir.Path, "file");
            File.WriteAllText(path, "x");
            var ex = Assert.Throws<IOException>(() => new DiskBuffer(path, Large));
            StringAssert.Contains(ex.Message, path);
        }

        [TestMethod]
        public void Append_AfterSegmentsNamedLaterThanTheClock_NewSegmentsStillSortAfterThem()
        {
            using var dir = new TempDirectory();
            string segment = WriteFive(dir.Path);
            File.Move(segment, Path.Combine(dir.Path, "20990101T0000000000000Z-00000001-1-abcdef01.seg"));   // as if the clock went back since
            using var buffer = new DiskBuffer(dir.Path, Large);
            Assert.IsTrue(buffer.Append("s", Batch("mine")));
            CollectionAssert.AreEqual(new[] { "1", "2", "3", "4", "5", "mine" }, ClaimAll(buffer, ack: false));
        }

        [TestMethod]
        public void Open_OrphanLockAndAckFiles_Removed()
        {
            using var dir = new TempDirectory();
            string stem = Path.Combine(dir.Path, "20250101T0000000000000Z-00000001-1-abcdef01");
            File.WriteAllText(stem + ".lock", "");
            File.WriteAllText(stem + ".ack", "x");
            File.WriteAllText(stem + ".ack.tmp", "x");
            File.WriteAllText(Path.Combine(dir.Path, "unrelated.txt"), "kept");
            using var buffer = new DiskBuffer(dir.Path, Large);
            CollectionAssert.AreEqual(new[] { "unrelated.txt" }, Directory.GetFiles(dir.Path).Select(Path.GetFileName).ToArray());
        }

        [TestMethod]
        public async Task AppendAndClaim_OnTwoThreads_EveryRecordDeliveredOnce()
        {
            using var dir = new TempDirectory();
            using var buffer = new DiskBuffer(dir.Path, Large, fsyncEachAppend: false);
            const int batches = 2000;
            var delivered = new List<int>();
            Task writer = Task.Run(() =>
            {
                for (int i = 0; i < batches; i++)
                    Assert.IsTrue(buffer.Append("s", Batch(i.ToString(), "pad" + new string('p', i % 300))));
            });
            Task reader = Task.Run(() =>
            {
                var random = new Random(3);
                while (delivered.Count < batches)
                {
                    BufferedBatch? batch = buffer.TryClaimOldest();
                    if (batch is null)
                    {
                        Thread.Yield();
                        continue;
                    }
                    if (random.Next(5) == 0)
                    {
                        buffer.Release(batch);   // a failed send: comes back
                        continue;
                    }
                    delivered.Add(int.Parse(Texts(batch)[0]));
                    buffer.Acknowledge(batch);
                }
            });
            Task all = Task.WhenAll(writer, reader);
            Assert.AreSame(all, await Task.WhenAny(all, Task.Delay(TimeSpan.FromSeconds(60))), "finished in time");
            await all;
            CollectionAssert.AreEqual(Enumerable.Range(0, batches).ToList(), delivered, "each once, in order");
            Assert.AreEqual(0, buffer.PendingRecords);
        }

        /// <summary>Five one-record batches "1".."5" in one segment, buffer closed; returns the segment's path.</summary>
        private static string WriteFive(string directory)
        {
            using (var buffer = new DiskBuffer(directory, Large))
            {
                for (int i = 1; i <= 5; i++)
                    Assert.IsTrue(buffer.Append("s", Batch(i.ToString())));
            }
            return Directory.GetFiles(directory, "*.seg").Single();
        }

        private static void FlipByte(string path, long offset)
        {
            using var file = new FileStream(path, FileMode.Open, FileAccess.ReadWrite);
            file.Position = offset;
            int b = file.ReadByte();
            file.Position = offset;
            file.WriteByte((byte)(b ^ 0x01));
        }

        internal static List<ReadOnlyMemory<byte>> Batch(params string[] records) =>
            records.Select(r => (ReadOnlyMemory<byte>)Encoding.UTF8.GetBytes(r)).ToList();

        internal static string[] Texts(BufferedBatch batch) => batch.Records.Select(r => Encoding.UTF8.GetString(r.Span)).ToArray();

        /// <summary>Claims until none is left; each batch as its records joined with commas.</summary>
        private static List<string> ClaimAll(DiskBuffer buffer, bool ack)
        {
            var all = new List<string>();
            for (BufferedBatch? batch = buffer.TryClaimOldest(); batch is not null; batch = buffer.TryClaimOldest())
            {
                all.Add(string.Join(",", Texts(batch)));
                if (ack)
                    buffer.Acknowledge(batch);
            }
            return all;
        }

        private static int CountOf(string text, string part)
        {
            int count = 0;
            for (int i = text.IndexOf(part, StringComparison.Ordinal); i >= 0; i = text.IndexOf(part, i + 1, StringComparison.Ordinal))
                count++;
            return count;
        }
    }
}
