using System;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.RegularExpressions;
using System.Threading.Tasks;
using Firehose.Local.Tests.Infrastructure;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace Firehose.Local.Tests.Destinations
{
    /// <summary>S3 delivery: Firehose's key layout, records concatenated, flushed by size, by time and at shutdown.</summary>
    [TestClass]
    public sealed class S3DeliveryTests
    {
        private static readonly DateTimeOffset Start = new(2026, 3, 4, 5, 6, 7, TimeSpan.Zero);

        [TestMethod]
        [DataRow(false)]
        [DataRow(true)]
        public async Task Stop_BucketDirectoryUnwritable_StopAsyncReportsTheLoss(bool deleteFirst)
        {
            using var dir = new TempDirectory();
            File.WriteAllText(Path.Combine(dir.Path, "blocked"), "a file where the bucket directory should be");
            var server = await TestServer.StartAsync(dir.Path, o => o.Streams.Add(TestServer.S3Stream("lossy", bucket: "blocked")));
            using var client = new LocalClient(server);
            Assert.AreEqual(200, (await client.PutRecordBatchAsync("lossy", new[] { Encoding.UTF8.GetBytes("r1"), Encoding.UTF8.GetBytes("r2") })).Status);
            if (deleteFirst)
                Assert.AreEqual(200, (await client.CallAsync("DeleteDeliveryStream", new System.Text.Json.Nodes.JsonObject { ["DeliveryStreamName"] = "lossy" })).Status);

            IOException error = await Assert.ThrowsExactlyAsync<IOException>(() => server.StopAsync());

            StringAssert.Contains(error.Message, "stream lossy: 2 records (4 bytes) could not be delivered");
            Assert.AreEqual("a file where the bucket directory should be", File.ReadAllText(Path.Combine(dir.Path, "blocked")));
        }

        [TestMethod]
        public async Task Flush_DeliveryFailedThenRetriedWhileNewRequestsArrive_EveryRecordIntact()
        {
            // The records' data lives in pooled arrays until delivered: a failed delivery keeps them, so the requests that
            // come meanwhile must not get (and overwrite) those arrays.
            using var dir = new TempDirectory();
            string blocker = Path.Combine(dir.Path, "retry-bucket");
            File.WriteAllText(blocker, "a file where the bucket directory should be");
            await using var server = await TestServer.StartAsync(dir.Path, o => o.Streams.Add(TestServer.S3Stream("retry", bucket: "retry-bucket")));
            using var client = new LocalClient(server);
            byte[][] first = Enumerable.Range(0, 300).Select(i => Encoding.UTF8.GetBytes($"first-{i:D4}-" + new string('a', 200) + "\n")).ToArray();
            Assert.AreEqual(200, (await client.PutRecordBatchAsync("retry", first)).Status);
            await server.FlushAsync();   // fails: the records are kept to be tried again
            Assert.IsFalse(Directory.Exists(blocker));

            File.Delete(blocker);
            byte[][] second = Enumerable.Range(0, 300).Select(i => Encoding.UTF8.GetBytes($"second-{i:D4}-" + new string('b', 200) + "\n")).ToArray();
            for (int k = 0; k < 3; k++)
            {
                Assert.AreEqual(200, (await client.PutRecordBatchAsync("retry", second)).Status);
                await client.PutRecordAsync("retry", Encoding.UTF8.GetBytes($"single-{k}\n"));
            }
            await server.FlushAsync();

            string content = string.Concat(TestServer.Files(blocker).Select(f => File.ReadAllText(Path.Combine(blocker, f))));
            string expected = string.Concat(first.Select(Encoding.UTF8.GetString))
                + string.Concat(Enumerable.Range(0, 3).Select(k => string.Concat(second.Select(Encoding.UTF8.GetString)) + $"single-{k}\n"));
            Assert.AreEqual(expected, content);
        }

        [TestMethod]
        [DataRow(0)]
        [DataRow(5)]    // local 10:06:07 on the same day
        [DataRow(-8)]   // local 21:06:07 the day before
        public async Task Flush_TwoBatches_OneObjectInFirehoseKeyLayout(int clockOffsetHours)
        {
            using var dir = new TempDirectory();
            // The key is in UTC whatever the offset of the clock's times (and its local time zone).
            var clock = new ManualClock(Start, TimeSpan.FromHours(clockOffsetHours));
            await using var server = await TestServer.StartAsync(dir.Path, o =>
            {
                o.TimeProvider = clock;
                o.Streams.Add(TestServer.S3Stream("orders", bucket: "my-bucket", prefix: "logs/"));
            });
            using var client = new LocalClient(server);
            await client.PutRecordBatchAsync("orders", new[] { Encoding.UTF8.GetBytes("{\"a\":1}\n"), Encoding.UTF8.GetBytes("{\"a\":2}\n") });
            clock.Advance(TimeSpan.FromSeconds(3));
            await client.PutRecordBatchAsync("orders", new[] { Encoding.UTF8.GetBytes("{\"a\":3}") });

            await server.FlushAsync();

            string key = TestServer.Files(Path.Combine(dir.Path, "my-bucket")).Single();
            StringAssert.Matches(key, new Regex(@"^logs/2026/03/04/05/orders-1-2026-03-04-05-06-07-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"));
            Assert.AreEqual("{\"a\":1}\n{\"a\":2}\n{\"a\":3}", File.ReadAllText(Path.Combine(dir.Path, "my-bucket", key)));
        }

        [TestMethod]
        public async Task Buffer_ReachesSizeHint_DeliveredWithoutFlush()
        {
            using var dir = new TempDirectory();
            await using var server = await TestServer.StartAsync(dir.Path, o => o.Streams.Add(TestServer.S3Stream("s", sizeInMBs: 1, intervalInSeconds: 900)));
            using var client = new LocalClient(server);
            string bucket = Path.Combine(dir.Path, "bucket");

            await client.PutRecordBatchAsync("s", new[] { new byte[600_000] });
            await Task.Delay(300);
            Assert.IsEmpty(TestServer.Files(bucket), "below 1 MiB nothing is delivered yet");
            await client.PutRecordBatchAsync("s", new[] { new byte[600_000] });

            Assert.IsTrue(await TestServer.EventuallyAsync(() => TestServer.Files(bucket).Count == 1), "1 MiB reached: one object");
            Assert.AreEqual(1_200_000, new FileInfo(Path.Combine(bucket, TestServer.Files(bucket)[0])).Length);
        }

        [TestMethod]
        public async Task Buffer_ReachesIntervalHint_DeliveredWhenClockPassesIt()
        {
            using var dir = new TempDirectory();
            var clock = new ManualClock(Start);
            await using var server = await TestServer.StartAsync(dir.Path, o =>
            {
                o.TimeProvider = clock;
                o.Streams.Add(TestServer.S3Stream("s", sizeInMBs: 128, intervalInSeconds: 60));
            });
            using var client = new LocalClient(server);
            string bucket = Path.Combine(dir.Path, "bucket");

            await client.PutRecordAsync("s", Encoding.UTF8.GetBytes("x"));
            clock.Advance(TimeSpan.FromSeconds(59));
            await Task.Delay(300);   // a dozen buffer checks
            Assert.IsEmpty(TestServer.Files(bucket), "59 s: not yet");
            clock.Advance(TimeSpan.FromSeconds(1));

            Assert.IsTrue(await TestServer.EventuallyAsync(() => TestServer.Files(bucket).Count == 1), "60 s: delivered");
            StringAssert.StartsWith(TestServer.Files(bucket)[0], "2026/03/04/05/s-1-2026-03-04-05-06-07-");
        }

        [TestMethod]
        public async Task Stop_BufferedRecords_Delivered()
        {
            using var dir = new TempDirectory();
            var server = await TestServer.StartAsync(dir.Path, o => o.Streams.Add(TestServer.S3Stream("s")));
            using (var client = new LocalClient(server))
                await client.PutRecordAsync("s", Encoding.UTF8.GetBytes("last words"));

            await server.StopAsync();
            await server.DisposeAsync();

            string bucket = Path.Combine(dir.Path, "bucket");
            Assert.AreEqual("last words", File.ReadAllText(Path.Combine(bucket, TestServer.Files(bucket).Single())));
        }
    }
}
