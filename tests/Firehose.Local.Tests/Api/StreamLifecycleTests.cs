using System;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Tasks;
using Amazon.Runtime;
using Firehose.Local.Tests.Infrastructure;
using Microsoft.VisualStudio.TestTools.UnitTesting;
using NLog.Targets.Firehose.Client;

namespace Firehose.Local.Tests.Api
{
    /// <summary>CreateDeliveryStream, DescribeDeliveryStream, ListDeliveryStreams and DeleteDeliveryStream, and streams from the settings.</summary>
    [TestClass]
    public sealed class StreamLifecycleTests
    {
        [TestMethod]
        public async Task DescribeDeliveryStream_StreamFromSettings_ActiveDirectPutWithDestination()
        {
            using var dir = new TempDirectory();
            await using var server = await TestServer.StartAsync(dir.Path, o => o.Streams.Add(TestServer.S3Stream("logs", prefix: "p/", sizeInMBs: 2, intervalInSeconds: 60)));
            using var client = new LocalClient(server);

            ApiResponse response = await client.CallAsync("DescribeDeliveryStream", new JsonObject { ["DeliveryStreamName"] = "logs" });

            Assert.AreEqual(200, response.Status, response.ToString());
            JsonNode d = response.Body!["DeliveryStreamDescription"]!;
            Assert.AreEqual("logs", d["DeliveryStreamName"]!.GetValue<string>());
            Assert.AreEqual("arn:aws:firehose:us-east-1:000000000000:deliverystream/logs", d["DeliveryStreamARN"]!.GetValue<string>());
            Assert.AreEqual("ACTIVE", d["DeliveryStreamStatus"]!.GetValue<string>());
            Assert.AreEqual("DirectPut", d["DeliveryStreamType"]!.GetValue<string>());
            Assert.AreEqual("1", d["VersionId"]!.GetValue<string>());
            Assert.IsFalse(d["HasMoreDestinations"]!.GetValue<bool>());
            JsonNode s3 = d["Destinations"]![0]!["ExtendedS3DestinationDescription"]!;
            Assert.AreEqual("arn:aws:s3:::bucket", s3["BucketARN"]!.GetValue<string>());
            Assert.AreEqual("p/", s3["Prefix"]!.GetValue<string>());
            Assert.AreEqual(2, s3["BufferingHints"]!["SizeInMBs"]!.GetValue<int>());
            Assert.AreEqual(60, s3["BufferingHints"]!["IntervalInSeconds"]!.GetValue<int>());
        }

        [TestMethod]
        [DataRow("PutRecordBatch")]
        [DataRow("PutRecord")]
        public async Task Put_StreamDeletedBetweenLookupAndBufferAdd_ResourceNotFoundAndNothingAcknowledged(string operation)
        {
            using var dir = new TempDirectory();
            await using var server = await TestServer.StartAsync(dir.Path, o => o.Streams.Add(TestServer.S3Stream("racy", bucket: "racy-bucket")));
            using var client = new LocalClient(server);
            Assert.AreEqual(200, (await client.PutRecordAsync("racy", Encoding.UTF8.GetBytes("before;"))).Status);
            // The interleaving of the race: the put has looked the stream up; the delete removes it and its final flush
            // delivers the buffer before the put adds its records.
            server.Operations.BeforeAddForTests = stream =>
            {
                server.Operations.BeforeAddForTests = null;
                using JsonDocument delete = JsonDocument.Parse("{\"DeliveryStreamName\":\"racy\"}");
                server.Operations.DeleteDeliveryStream(delete.RootElement);
                server.FlushAsync().GetAwaiter().GetResult();
            };

            ApiResponse response = operation == "PutRecord"
                ? await client.PutRecordAsync("racy", Encoding.UTF8.GetBytes("after;"))
                : await client.PutRecordBatchAsync("racy", new[] { Encoding.UTF8.GetBytes("after;") });
            await server.StopAsync();

            string bucket = Path.Combine(dir.Path, "racy-bucket");
            string delivered = string.Concat(TestServer.Files(bucket).Select(f => File.ReadAllText(Path.Combine(bucket, f))));
            Assert.AreEqual(400, response.Status, "acknowledged but delivered only: " + delivered);
            Assert.AreEqual("ResourceNotFoundException", response.ErrorType);
            Assert.AreEqual("before;", delivered);
        }

        [TestMethod]
        public async Task ListDeliveryStreams_LimitAndExclusiveStart_PagesInNameOrder()
        {
            using var dir = new TempDirectory();
            await using var server = await TestServer.StartAsync(dir.Path, o =>
            {
                foreach (string name in new[] { "c", "a", "b" })
                    o.Streams.Add(TestServer.S3Stream(name));
            });
            using var client = new LocalClient(server);

            ApiResponse first = await client.CallAsync("ListDeliveryStreams", new JsonObject { ["Limit"] = 2 });
            ApiResponse second = await client.CallAsync("ListDeliveryStreams", new JsonObject { ["Limit"] = 2, ["ExclusiveStartDeliveryStreamName"] = "b" });

            CollectionAssert.AreEqual(new[] { "a", "b" }, first.Body!["DeliveryStreamNames"]!.AsArray().Select(n => n!.GetValue<string>()).ToArray());
            Assert.IsTrue(first.Body!["HasMoreDeliveryStreams"]!.GetValue<bool>());
            CollectionAssert.AreEqual(new[] { "c" }, second.Body!["DeliveryStreamNames"]!.AsArray().Select(n => n!.GetValue<string>()).ToArray());
            Assert.IsFalse(second.Body!["HasMoreDeliveryStreams"]!.GetValue<bool>());
            CollectionAssert.AreEqual(new[] { "a", "b", "c" }, server.ListStreams().ToArray());
        }

        [TestMethod]
        public async Task DeleteDeliveryStream_BufferedData_DeliveredAndStreamGone()
        {
            using var dir = new TempDirectory();
            await using var server = await TestServer.StartAsync(dir.Path, o => o.Streams.Add(TestServer.S3Stream("s")));
            using var client = new LocalClient(server);
            Assert.AreEqual(200, (await client.PutRecordAsync("s", Encoding.UTF8.GetBytes("kept\n"))).Status);

            ApiResponse deleted = await client.CallAsync("DeleteDeliveryStream", new JsonObject { ["DeliveryStreamName"] = "s" });
            ApiResponse describe = await client.CallAsync("DescribeDeliveryStream", new JsonObject { ["DeliveryStreamName"] = "s" });
            ApiResponse again = await client.CallAsync("DeleteDeliveryStream", new JsonObject { ["DeliveryStreamName"] = "s" });
            await server.FlushAsync();

            Assert.AreEqual(200, deleted.Status, deleted.ToString());
            Assert.AreEqual("ResourceNotFoundException", describe.ErrorType);
            Assert.AreEqual("ResourceNotFoundException", again.ErrorType);
            Assert.IsEmpty(server.ListStreams());
            string file = TestServer.Files(Path.Combine(dir.Path, "bucket")).Single();
            Assert.AreEqual("kept\n", File.ReadAllText(Path.Combine(dir.Path, "bucket", file)));
        }

        [TestMethod]
        public async Task CreateDeliveryStream_ThenLibraryClientPutRecordBatch_Accepted()
        {
            using var dir = new TempDirectory();
            await using var server = await TestServer.StartAsync(dir.Path);
            using var client = new LocalClient(server);
            ApiResponse created = await client.CallAsync("CreateDeliveryStream", JsonSerializer.SerializeToNode(TestServer.S3Stream("made"))!);
            Assert.AreEqual(200, created.Status, created.ToString());
            using var library = new FirehoseHttpClient(server.Url, server.Region, new BasicAWSCredentials(TestServer.AccessKey, TestServer.SecretKey), TimeSpan.FromSeconds(10));

            PutRecordBatchResponse response = await library.PutRecordBatchAsync("made", new ReadOnlyMemory<byte>[] { Encoding.UTF8.GetBytes("a"), Encoding.UTF8.GetBytes("b") }, default);
            await server.FlushAsync();

            Assert.AreEqual(0, response.FailedPutCount);
            string file = TestServer.Files(Path.Combine(dir.Path, "bucket")).Single();
            Assert.AreEqual("ab", File.ReadAllText(Path.Combine(dir.Path, "bucket", file)));
        }

        [TestMethod]
        public async Task StartAsync_InvalidStreamInSettings_ArgumentExceptionNamingIt()
        {
            using var dir = new TempDirectory();

            var ex = await Assert.ThrowsExactlyAsync<ArgumentException>(() => TestServer.StartAsync(dir.Path, o => o.Streams.Add(TestServer.S3Stream("bad name"))));

            StringAssert.Contains(ex.Message, "FirehoseLocal:Streams:0");
            StringAssert.Contains(ex.Message, "InvalidArgumentException");
        }

        [TestMethod]
        [DataRow("not-an-address")]
        [DataRow("example.com")]
        public async Task StartAsync_InvalidHost_ArgumentException(string host)
        {
            using var dir = new TempDirectory();

            var ex = await Assert.ThrowsExactlyAsync<ArgumentException>(() => TestServer.StartAsync(dir.Path, o => o.Host = host));

            StringAssert.Contains(ex.Message, host);
        }
    }
}
