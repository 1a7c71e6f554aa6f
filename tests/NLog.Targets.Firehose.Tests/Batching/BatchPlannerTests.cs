using System.Collections.Generic;
using System.Linq;
using Microsoft.VisualStudio.TestTools.UnitTesting;
using NLog.Targets.Firehose.Batching;

namespace NLog.Targets.Firehose.Tests.Batching
{
    [TestClass]
    public class BatchPlannerTests
    {
        /// <summary>Splits records of the given sizes into calls the way the target does, one record at a time.</summary>
        private static List<(int Start, int Count)> Plan(IEnumerable<int> sizes)
        {
            var planner = new BatchPlanner();
            var calls = new List<(int, int)>();
            int start = 0, count = 0;
            long bytes = 0;
            foreach (int size in sizes)
            {
                if (planner.StartsNewCall(count, bytes, size))
                {
                    calls.Add((start, count));
                    start += count;
                    count = 0;
                    bytes = 0;
                }
                count++;
                bytes += size;
            }
            if (count > 0)
                calls.Add((start, count));
            return calls;
        }

        [TestMethod]
        public void Plan_500SmallRecords_OneCall()
            => CollectionAssert.AreEqual(new[] { (0, 500) }, Plan(Enumerable.Repeat(10, 500)));

        [TestMethod]
        public void Plan_501SmallRecords_TwoCalls()
            => CollectionAssert.AreEqual(new[] { (0, 500), (500, 1) }, Plan(Enumerable.Repeat(10, 501)));

        [TestMethod]
        public void Plan_ExactlyFourMiB_OneCall()
        {
            // 4 × 1,024,000 + 98,304 = 4,194,304 bytes.
            var sizes = new[] { 1_024_000, 1_024_000, 1_024_000, 1_024_000, 98_304 };
            Assert.AreEqual(FirehoseLimits.MaxBatchBytes, sizes.Sum());
            CollectionAssert.AreEqual(new[] { (0, 5) }, Plan(sizes));
        }

        [TestMethod]
        public void Plan_OneByteOverFourMiB_TwoCalls()
        {
            var sizes = new[] { 1_024_000, 1_024_000, 1_024_000, 1_024_000, 98_305 };
            CollectionAssert.AreEqual(new[] { (0, 4), (4, 1) }, Plan(sizes));
        }

        [TestMethod]
        public void Plan_Empty_NoCalls() => Assert.IsEmpty(Plan(new int[0]));

        [TestMethod]
        public void Plan_ManyMixedRecords_EveryCallWithinLimitsAndEveryRecordOnce()
        {
            var sizes = Enumerable.Range(0, 5000).Select(i => (i * 7919) % 300_000 + 1).ToList();
            var calls = Plan(sizes);
            int next = 0;
            foreach (var (start, count) in calls)
            {
                Assert.AreEqual(next, start);
                Assert.IsTrue(count is >= 1 and <= FirehoseLimits.MaxRecordsPerBatch);
                Assert.IsLessThanOrEqualTo(FirehoseLimits.MaxBatchBytes, sizes.Skip(start).Take(count).Sum());
                next = start + count;
            }
            Assert.AreEqual(sizes.Count, next);
        }
    }
}
