using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.VisualStudio.TestTools.UnitTesting;
using NLog.Targets.Firehose.Buffering;

namespace NLog.Targets.Firehose.Tests.Buffering
{
    /// <summary>
    /// A real process appending to a disk buffer, killed with SIGKILL (Process.Kill) in the middle of its work: every
    /// batch it reported as appended must be readable afterwards, whole and once.
    /// </summary>
    [TestClass]
    public class DiskBufferCrashTests
    {
        private const int RecordsPerBatch = 20;
        private const int RecordBytes = 1000;

        [TestMethod]
        [DataRow(true, DisplayName = "fsync each append")]
        [DataRow(false, DisplayName = "no fsync")]
        public async Task BufferAppend_ProcessKilledMidRun_EveryReportedBatchReadableOnce(bool fsync)
        {
            using var dir = new TempDirectory();
            var arguments = new List<string> { "buffer-append", dir.Path, "--max-bytes", (16 * 1024 * 1024).ToString(CultureInfo.InvariantCulture),
                "--records", RecordsPerBatch.ToString(CultureInfo.InvariantCulture), "--record-bytes", RecordBytes.ToString(CultureInfo.InvariantCulture) };
            if (!fsync)
                arguments.AddRange(new[] { "--no-fsync", "--delay-ms", "1" });   // paced, so the cap is not reached before the kill

            using Process host = StartHost(arguments);
            var lines = new ConcurrentQueue<string>();
            var enough = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            Task pump = Task.Run(async () =>
            {
                int appended = 0;
                for (string? line = await host.StandardOutput.ReadLineAsync(); line is not null; line = await host.StandardOutput.ReadLineAsync())
                {
                    lines.Enqueue(line);
                    if (line.StartsWith("APPENDED ", StringComparison.Ordinal) && ++appended >= 200)
                        enough.TrySetResult();
                }
                enough.TrySetResult();
            });
            Task<string> stderr = host.StandardError.ReadToEndAsync();
            try
            {
                await enough.Task.WaitAsync(TimeSpan.FromSeconds(60));
            }
            catch (TimeoutException)
            {
                host.Kill();
                Assert.Fail("the crash host did not report 200 appends in 60 s: " + string.Join("\n", lines) + await stderr);
            }

            // While it runs, another buffer on the directory may claim nothing: every segment is the host's, locked.
            using var observer = new DiskBuffer(dir.Path, 1024L * 1024 * 1024);
            Assert.IsNull(observer.TryClaimOldest(), "a live process's segments are not handed out");

            host.Kill();
            Assert.IsTrue(host.WaitForExit(30_000));
            await pump;   // what the host wrote before it died is still in the pipe
            Assert.IsFalse(lines.Any(l => l.StartsWith("FAILED", StringComparison.Ordinal)), "no append failed: " + await stderr);
            var reported = lines.Where(l => l.StartsWith("APPENDED ", StringComparison.Ordinal)).Select(l => long.Parse(l.Substring(9), CultureInfo.InvariantCulture)).ToList();
            Assert.IsGreaterThanOrEqualTo(200, reported.Count);

            // The host is dead: its locks went with it, and its batches are the observer's to replay.
            List<long> claimed = ClaimAllBatchNumbers(observer);
            Assert.IsLessThanOrEqualTo(1, observer.CorruptTailsSkipped, "at most the batch being written when killed is torn");
            AssertEveryReportedOnce(reported, claimed);
            observer.Dispose();

            // And again from a fresh open: nothing was acknowledged, so everything is still there.
            using var reopened = new DiskBuffer(dir.Path, 1024L * 1024 * 1024);
            Assert.AreEqual(observer.CorruptTailsSkipped, reopened.CorruptTailsSkipped, "the same torn tail (if any) is found at open");
            Assert.AreEqual(claimed.Count * (long)RecordsPerBatch, reopened.PendingRecords);
            AssertEveryReportedOnce(reported, ClaimAllBatchNumbers(reopened));
        }

        /// <summary>Starts the crash host (built with the solution) with <paramref name="arguments"/> and extra environment variables.</summary>
        internal static Process StartHost(IEnumerable<string> arguments, IReadOnlyDictionary<string, string?>? environment = null)
            => Infrastructure.BuiltProgram.Start(Path.Combine("tests", "NLog.Targets.Firehose.CrashHost"), "NLog.Targets.Firehose.CrashHost", arguments, environment);

        /// <summary>
        /// Claims every batch (without acknowledging), checks each is whole — all its records present, numbered and
        /// padded as the host wrote them — and returns the batch numbers in claim order.
        /// </summary>
        private static List<long> ClaimAllBatchNumbers(DiskBuffer buffer)
        {
            var numbers = new List<long>();
            for (BufferedBatch? batch = buffer.TryClaimOldest(); batch is not null; batch = buffer.TryClaimOldest())
            {
                Assert.AreEqual("crash-stream", batch.Stream);
                Assert.HasCount(RecordsPerBatch, batch.Records);
                long n = long.Parse(DiskBufferTests.Texts(batch)[0].Split(':')[0], CultureInfo.InvariantCulture);
                for (int j = 0; j < RecordsPerBatch; j++)
                    Assert.AreEqual(Expected(n, j), DiskBufferTests.Texts(batch)[j], $"record {j} of batch {n}");
                numbers.Add(n);
            }
            return numbers;
        }

        /// <summary>Record j of batch n as the crash host writes it: "n:j:" padded with 'x'.</summary>
        private static string Expected(long n, int j)
        {
            string head = n.ToString(CultureInfo.InvariantCulture) + ":" + j.ToString(CultureInfo.InvariantCulture) + ":";
            return head + new string('x', RecordBytes - head.Length);
        }

        /// <summary>
        /// Every reported batch was claimed, none twice, in order; at most one more (appended, killed before it was
        /// reported) follows the last reported one.
        /// </summary>
        private static void AssertEveryReportedOnce(List<long> reported, List<long> claimed)
        {
            Assert.HasCount(claimed.Distinct().Count(), claimed, "no batch appears twice");
            CollectionAssert.IsSubsetOf(reported, claimed, "every reported append is readable");
            CollectionAssert.AreEqual(Enumerable.Range(0, claimed.Count).Select(i => (long)i).ToList(), claimed, "oldest first, without gaps");
            Assert.IsLessThanOrEqualTo(reported.Max() + 1, claimed.Max());
        }
    }
}
