using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json.Nodes;
using System.Threading.Tasks;
using Firehose.Local.Tests.Infrastructure;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace Firehose.Local.Tests.Destinations
{
    /// <summary>OpenSearch/Elasticsearch delivery: _bulk requests to a loopback cluster, retries, and the S3 backup of failed (or all) documents.</summary>
    [TestClass]
    public sealed class OpenSearchDeliveryTests
    {
        private static readonly DateTimeOffset Start = new(2026, 3, 4, 5, 6, 7, TimeSpan.Zero);

        private static DeliveryStreamDefinition Stream(string name, string clusterEndpoint, bool openSearch = true, string rotation = "OneDay", int retrySeconds = 0, string backupMode = "FailedDocumentsOnly", string? typeName = null)
        {
            var configuration = new OpenSearchDestinationConfiguration
            {
                RoleARN = TestServer.RoleArn,
                ClusterEndpoint = clusterEndpoint,
                IndexName = "app",
                TypeName = typeName,
                IndexRotationPeriod = rotation,
                RetryOptions = new RetryOptions { DurationInSeconds = retrySeconds },
                S3BackupMode = backupMode,
                BufferingHints = new BufferingHints { SizeInMBs = 5, IntervalInSeconds = 300 },
                S3Configuration = new S3DestinationConfiguration { RoleARN = TestServer.RoleArn, BucketARN = "arn:aws:s3:::backup", Prefix = "os/" },
            };
            return openSearch
                ? new DeliveryStreamDefinition { DeliveryStreamName = name, AmazonopensearchserviceDestinationConfiguration = configuration }
                : new DeliveryStreamDefinition { DeliveryStreamName = name, ElasticsearchDestinationConfiguration = configuration };
        }

        private static byte[][] Docs(params string[] json) => json.Select(j => Encoding.UTF8.GetBytes(j)).ToArray();

        [TestMethod]
        public async Task Flush_ClusterAcceptsAll_BulkIndexRequestsWithRotatedIndexAndNoBackup()
        {
            using var dir = new TempDirectory();
            await using var cluster = await LoopbackBulkEndpoint.StartAsync();
            var clock = new ManualClock(Start);
            await using var server = await TestServer.StartAsync(dir.Path, o =>
            {
                o.TimeProvider = clock;
                o.Streams.Add(Stream("os", cluster.Url.ToString()));
            });
            using var client = new LocalClient(server);
            ApiResponse put = await client.PutRecordBatchAsync("os", Docs("{\"m\":1}\n", "{\n  \"m\": 2\n}"));

            await server.FlushAsync();

            BulkRequest request = cluster.Requests.Single();
            Assert.AreEqual("POST", request.Method);
            Assert.AreEqual("/_bulk", request.Path);
            Assert.AreEqual("application/x-ndjson", request.ContentType);
            string[] lines = request.Body.Split('\n');
            Assert.HasCount(5, lines);   // 2 × (action, source) + the empty string after the final newline
            string id0 = put.Body!["RequestResponses"]![0]!["RecordId"]!.GetValue<string>();
            Assert.AreEqual($"{{\"index\":{{\"_index\":\"app-2026-03-04\",\"_id\":\"{id0}\"}}}}", lines[0]);
            Assert.AreEqual("{\"m\":1}", lines[1]);
            Assert.AreEqual("{\"m\":2}", lines[3]);
            Assert.AreEqual(string.Empty, lines[4]);
            Assert.IsEmpty(TestServer.Files(Path.Combine(dir.Path, "backup")));
        }

        [TestMethod]
        [DataRow("2026-03-04T20:30:00Z", 5, "app-2026-03-04")]    // local 2026-03-05 01:30 +05:00
        [DataRow("2026-03-04T05:06:07Z", -8, "app-2026-03-04")]   // local 2026-03-03 21:06 -08:00
        public async Task Flush_ClockInNonUtcOffset_IndexRotatedByUtcDate(string utcArrival, int clockOffsetHours, string expectedIndex)
        {
            using var dir = new TempDirectory();
            await using var cluster = await LoopbackBulkEndpoint.StartAsync();
            var clock = new ManualClock(DateTimeOffset.Parse(utcArrival, System.Globalization.CultureInfo.InvariantCulture), TimeSpan.FromHours(clockOffsetHours));
            await using var server = await TestServer.StartAsync(dir.Path, o =>
            {
                o.TimeProvider = clock;
                o.Streams.Add(Stream("os", cluster.Url.ToString(), rotation: "OneDay"));
            });
            using var client = new LocalClient(server);
            await client.PutRecordBatchAsync("os", Docs("{\"m\":1}"));

            await server.FlushAsync();

            StringAssert.StartsWith(cluster.Requests.Single().Body, $"{{\"index\":{{\"_index\":\"{expectedIndex}\",");
        }

        [TestMethod]
        public async Task Flush_ClusterRejectsOneDocument_FailedDocumentInBackupLayout()
        {
            using var dir = new TempDirectory();
            await using var cluster = await LoopbackBulkEndpoint.StartAsync();
            cluster.Respond = (_, request) => (200, LoopbackBulkEndpoint.Answer(request, i => i == 1 ? (400, "mapper_parsing_exception", "failed to parse field [m]") : null));
            var clock = new ManualClock(Start);
            await using var server = await TestServer.StartAsync(dir.Path, o =>
            {
                o.TimeProvider = clock;
                o.Streams.Add(Stream("es", cluster.Url.ToString(), openSearch: false, typeName: "_doc"));
            });
            using var client = new LocalClient(server);
            ApiResponse put = await client.PutRecordBatchAsync("es", Docs("{\"m\":1}", "{\"m\":\"bad\"}", "{\"m\":3}"));
            clock.Advance(TimeSpan.FromSeconds(2));

            await server.FlushAsync();

            string backup = Path.Combine(dir.Path, "backup");
            string key = TestServer.Files(backup).Single();
            StringAssert.StartsWith(key, "os/elasticsearch-failed/2026/03/04/05/es-1-2026-03-04-05-06-07-");
            string[] lines = File.ReadAllLines(Path.Combine(backup, key));
            Assert.HasCount(1, lines);
            JsonNode failed = JsonNode.Parse(lines[0])!;
            CollectionAssert.AreEqual(
                new[] { "attemptsMade", "arrivalTimestamp", "errorCode", "errorMessage", "attemptEndingTimestamp", "rawData", "subsequenceNumber", "esDocumentId", "esIndexName", "esTypeName" },
                failed.AsObject().Select(p => p.Key).ToArray());
            Assert.AreEqual(1, failed["attemptsMade"]!.GetValue<int>());
            Assert.AreEqual(Start.ToUnixTimeMilliseconds(), failed["arrivalTimestamp"]!.GetValue<long>());
            Assert.AreEqual(Start.AddSeconds(2).ToUnixTimeMilliseconds(), failed["attemptEndingTimestamp"]!.GetValue<long>());
            Assert.AreEqual("400", failed["errorCode"]!.GetValue<string>());
            StringAssert.Contains(failed["errorMessage"]!.GetValue<string>(), "mapper_parsing_exception");
            Assert.AreEqual("{\"m\":\"bad\"}", Encoding.UTF8.GetString(Convert.FromBase64String(failed["rawData"]!.GetValue<string>())));
            Assert.AreEqual(0, failed["subsequenceNumber"]!.GetValue<int>());
            Assert.AreEqual(put.Body!["RequestResponses"]![1]!["RecordId"]!.GetValue<string>(), failed["esDocumentId"]!.GetValue<string>());
            Assert.AreEqual("app-2026-03-04", failed["esIndexName"]!.GetValue<string>());
            Assert.AreEqual("_doc", failed["esTypeName"]!.GetValue<string>());
            StringAssert.Contains(cluster.Requests.Single().Body, "\"_type\":\"_doc\"");
        }

        [TestMethod]
        public async Task Flush_ClusterUnavailableThenRecovers_RetriedWithinDurationAndDelivered()
        {
            using var dir = new TempDirectory();
            await using var cluster = await LoopbackBulkEndpoint.StartAsync();
            cluster.Respond = (call, request) => call == 1 ? (503, "{\"error\":\"busy\"}") : (200, LoopbackBulkEndpoint.Answer(request, _ => null));
            await using var server = await TestServer.StartAsync(dir.Path, o => o.Streams.Add(Stream("os", cluster.Url.ToString(), retrySeconds: 30)));
            using var client = new LocalClient(server);
            await client.PutRecordBatchAsync("os", Docs("{\"m\":1}"));

            await server.FlushAsync();

            Assert.HasCount(2, cluster.Requests);
            Assert.AreEqual(cluster.Requests.First().Body, cluster.Requests.Last().Body);
            Assert.IsEmpty(TestServer.Files(Path.Combine(dir.Path, "backup")));
        }

        [TestMethod]
        public async Task Flush_ClusterDownPastRetryDuration_AllDocumentsBackedUpAsFailed()
        {
            using var dir = new TempDirectory();
            await using var cluster = await LoopbackBulkEndpoint.StartAsync();
            cluster.Respond = (_, _) => (503, "{\"error\":\"busy\"}");
            await using var server = await TestServer.StartAsync(dir.Path, o => o.Streams.Add(Stream("os", cluster.Url.ToString(), retrySeconds: 1)));
            using var client = new LocalClient(server);
            await client.PutRecordBatchAsync("os", Docs("{\"m\":1}", "{\"m\":2}"));

            await server.FlushAsync();

            Assert.IsGreaterThanOrEqualTo(2, cluster.Requests.Count);
            string backup = Path.Combine(dir.Path, "backup");
            string key = TestServer.Files(backup).Single();
            StringAssert.StartsWith(key, "os/AmazonOpenSearchService-failed/");
            JsonNode[] failed = File.ReadAllLines(Path.Combine(backup, key)).Select(l => JsonNode.Parse(l)!).ToArray();
            Assert.HasCount(2, failed);
            Assert.IsTrue(failed.All(f => f["errorCode"]!.GetValue<string>() == "503"));
            Assert.IsTrue(failed.All(f => f["attemptsMade"]!.GetValue<int>() == cluster.Requests.Count));
        }

        [TestMethod]
        [DataRow(false)]
        [DataRow(true)]
        public async Task Stop_ClusterDownWithLongRetryDuration_StopsAtOnceAndBacksUpAsFailed(bool deliveryUnderWay)
        {
            using var dir = new TempDirectory();
            await using var cluster = await LoopbackBulkEndpoint.StartAsync();
            cluster.Respond = (_, _) => (503, "{\"error\":\"busy\"}");
            var server = await TestServer.StartAsync(dir.Path, o => o.Streams.Add(Stream("os", cluster.Url.ToString(), retrySeconds: 7200)));
            using var client = new LocalClient(server);
            await client.PutRecordBatchAsync("os", Docs("{\"m\":1}"));
            Task flushing = Task.CompletedTask;
            if (deliveryUnderWay)
            {
                flushing = server.FlushAsync();
                Assert.IsTrue(await TestServer.EventuallyAsync(() => !cluster.Requests.IsEmpty));
            }

            var elapsed = System.Diagnostics.Stopwatch.StartNew();
            await server.StopAsync().WaitAsync(TimeSpan.FromSeconds(15));
            await flushing.WaitAsync(TimeSpan.FromSeconds(5));

            Assert.IsLessThan(10.0, elapsed.Elapsed.TotalSeconds, "the retry duration (7200 s) is not waited out at stop");
            string backup = Path.Combine(dir.Path, "backup");
            string key = TestServer.Files(backup).Single();
            StringAssert.StartsWith(key, "os/AmazonOpenSearchService-failed/");
            JsonNode failed = JsonNode.Parse(File.ReadAllLines(Path.Combine(backup, key)).Single())!;
            Assert.AreEqual("503", failed["errorCode"]!.GetValue<string>());
            Assert.AreEqual("{\"m\":1}", Encoding.UTF8.GetString(Convert.FromBase64String(failed["rawData"]!.GetValue<string>())));
        }

        [TestMethod]
        public async Task Flush_BackupWriteFailsAfterBulk_OnlyTheBackupIsRetriedNotTheDocuments()
        {
            using var dir = new TempDirectory();
            string blocker = Path.Combine(dir.Path, "backup");
            File.WriteAllText(blocker, "blocks the backup bucket directory");
            await using var cluster = await LoopbackBulkEndpoint.StartAsync();
            await using var server = await TestServer.StartAsync(dir.Path, o => o.Streams.Add(Stream("os", cluster.Url.ToString(), backupMode: "AllDocuments")));
            using var client = new LocalClient(server);
            await client.PutRecordBatchAsync("os", Docs("{\"m\":1}"));

            await server.FlushAsync();
            Assert.HasCount(1, cluster.Requests);
            File.Delete(blocker);
            await server.FlushAsync();

            Assert.HasCount(1, cluster.Requests, "the documents were indexed once; only the backup object is written again");
            string key = TestServer.Files(blocker).Single();
            Assert.AreEqual("{\"m\":1}", File.ReadAllText(Path.Combine(blocker, key)));
        }

        [TestMethod]
        public async Task Flush_AllDocumentsBackupMode_RawRecordsAlsoInBackupBucket()
        {
            using var dir = new TempDirectory();
            await using var cluster = await LoopbackBulkEndpoint.StartAsync();
            var clock = new ManualClock(Start);
            await using var server = await TestServer.StartAsync(dir.Path, o =>
            {
                o.TimeProvider = clock;
                o.Streams.Add(Stream("os", cluster.Url.ToString(), backupMode: "AllDocuments"));
            });
            using var client = new LocalClient(server);
            await client.PutRecordBatchAsync("os", Docs("{\"m\":1}\n", "{\"m\":2}\n"));

            await server.FlushAsync();

            Assert.HasCount(1, cluster.Requests);
            string backup = Path.Combine(dir.Path, "backup");
            string key = TestServer.Files(backup).Single();
            StringAssert.StartsWith(key, "os/2026/03/04/05/os-1-2026-03-04-05-06-07-");
            Assert.AreEqual("{\"m\":1}\n{\"m\":2}\n", File.ReadAllText(Path.Combine(backup, key)));
        }

        [TestMethod]
        public async Task Flush_FileIndexUrlWithHourRotation_OneFilePerIndexAndBadRecordBackedUp()
        {
            using var dir = new TempDirectory();
            string indexDir = Path.Combine(dir.Path, "indexes");
            var clock = new ManualClock(new DateTimeOffset(2026, 3, 4, 5, 59, 59, TimeSpan.Zero));
            const string domainArn = "arn:aws:es:us-east-1:123456789012:domain/my-domain";
            await using var server = await TestServer.StartAsync(dir.Path, o =>
            {
                o.TimeProvider = clock;
                o.IndexUrls[domainArn] = new Uri(indexDir + "/").AbsoluteUri;
                DeliveryStreamDefinition stream = Stream("files", "unused");
                stream.AmazonopensearchserviceDestinationConfiguration!.ClusterEndpoint = null;
                stream.AmazonopensearchserviceDestinationConfiguration.DomainARN = domainArn;
                stream.AmazonopensearchserviceDestinationConfiguration.IndexRotationPeriod = "OneHour";
                o.Streams.Add(stream);
            });
            using var client = new LocalClient(server);
            await client.PutRecordBatchAsync("files", Docs("{\"n\":1}"));
            clock.Advance(TimeSpan.FromSeconds(1));
            await client.PutRecordBatchAsync("files", Docs("{\"n\":2}", "not json"));

            await server.FlushAsync();

            CollectionAssert.AreEqual(new[] { "app-2026-03-04-05.ndjson", "app-2026-03-04-06.ndjson" }, TestServer.Files(indexDir).ToArray());
            Assert.AreEqual("{\"n\":1}\n", File.ReadAllText(Path.Combine(indexDir, "app-2026-03-04-05.ndjson")));
            Assert.AreEqual("{\"n\":2}\n", File.ReadAllText(Path.Combine(indexDir, "app-2026-03-04-06.ndjson")));
            string backup = Path.Combine(dir.Path, "backup");
            string key = TestServer.Files(backup).Single();
            StringAssert.StartsWith(key, "os/AmazonOpenSearchService-failed/2026/03/04/06/files-1-2026-03-04-06-00-00-");
            JsonNode failed = JsonNode.Parse(File.ReadAllLines(Path.Combine(backup, key)).Single())!;
            Assert.AreEqual("not json", Encoding.UTF8.GetString(Convert.FromBase64String(failed["rawData"]!.GetValue<string>())));
            Assert.AreEqual("app-2026-03-04-06", failed["esIndexName"]!.GetValue<string>());
            Assert.AreEqual(0, failed["attemptsMade"]!.GetValue<int>(), "never sent");
        }

        [TestMethod]
        public async Task Create_UnmappedNonHttpEndpoint_DefaultFileIndexUnderDataDirectory()
        {
            using var dir = new TempDirectory();
            await using var server = await TestServer.StartAsync(dir.Path);
            using var client = new LocalClient(server);
            var stream = Stream("dflt", "unused", rotation: "NoRotation");
            stream.AmazonopensearchserviceDestinationConfiguration!.ClusterEndpoint = null;
            stream.AmazonopensearchserviceDestinationConfiguration.DomainARN = "arn:aws:es:us-east-1:123456789012:domain/other";
            ApiResponse created = await client.CallAsync("CreateDeliveryStream", System.Text.Json.JsonSerializer.SerializeToNode(stream)!);
            Assert.AreEqual(200, created.Status, created.ToString());

            await client.PutRecordAsync("dflt", Encoding.UTF8.GetBytes("{\"x\":true}"));
            await server.FlushAsync();

            Assert.AreEqual("{\"x\":true}\n", File.ReadAllText(Path.Combine(dir.Path, "_indexes", "dflt", "app.ndjson")));
        }
    }
}
