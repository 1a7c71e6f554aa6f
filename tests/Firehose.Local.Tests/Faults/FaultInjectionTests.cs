using System;
using System.Diagnostics;
using System.Linq;
using System.Net.Http;
using System.Text;
using System.Text.Json.Nodes;
using System.Threading.Tasks;
using Firehose.Local.Tests.Infrastructure;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace Firehose.Local.Tests.Faults
{
    /// <summary>Faults set in the settings at start, and changed at run time through the API and the admin endpoint.</summary>
    [TestClass]
    public sealed class FaultInjectionTests
    {
        private static readonly byte[][] ThreeRecords = { new byte[] { 1 }, new byte[] { 2 }, new byte[] { 3 } };

        private static Task<FirehoseLocalServer> StartAsync(TempDirectory dir, Action<FaultSettings>? faults = null)
            => TestServer.StartAsync(dir.Path, o =>
            {
                o.Streams.Add(TestServer.S3Stream("s"));
                faults?.Invoke(o.Faults);
            });

        [TestMethod]
        public async Task ThrottleRate_OneAtStart_ServiceUnavailable503()
        {
            using var dir = new TempDirectory();
            await using var server = await StartAsync(dir, f => f.ThrottleRate = 1);
            using var client = new LocalClient(server);

            ApiResponse batch = await client.PutRecordBatchAsync("s", ThreeRecords);
            ApiResponse single = await client.PutRecordAsync("s", new byte[] { 1 });
            ApiResponse describe = await client.CallAsync("DescribeDeliveryStream", new JsonObject { ["DeliveryStreamName"] = "s" });

            Assert.AreEqual(503, batch.Status);
            Assert.AreEqual("ServiceUnavailableException", batch.ErrorType);
            Assert.AreEqual("Slow down.", batch.Message);
            Assert.AreEqual(503, single.Status);
            Assert.AreEqual(200, describe.Status, "throttling applies to PutRecord and PutRecordBatch only");
        }

        [TestMethod]
        public async Task Outage_OnAtStart_EveryCall503UntilTurnedOff()
        {
            using var dir = new TempDirectory();
            await using var server = await StartAsync(dir, f => f.Outage = true);
            using var client = new LocalClient(server);

            ApiResponse during = await client.CallAsync("DescribeDeliveryStream", new JsonObject { ["DeliveryStreamName"] = "s" });
            server.Faults.Outage = false;
            ApiResponse after = await client.CallAsync("DescribeDeliveryStream", new JsonObject { ["DeliveryStreamName"] = "s" });

            Assert.AreEqual(503, during.Status);
            Assert.AreEqual("ServiceUnavailableException", during.ErrorType);
            Assert.AreEqual(200, after.Status);
        }

        [TestMethod]
        public async Task AdminPut_RecordFailureRateOne_EveryRecordFailsThenRecovers()
        {
            using var dir = new TempDirectory();
            await using var server = await StartAsync(dir);
            using var client = new LocalClient(server);
            using var http = new HttpClient();
            var faultsUrl = new Uri(server.Url, "_local/faults");

            using HttpResponseMessage put = await http.PutAsync(faultsUrl, new StringContent("{\"RecordFailureRate\":1}", Encoding.UTF8, "application/json"));
            JsonNode shown = JsonNode.Parse(await http.GetStringAsync(faultsUrl))!;
            double liveRate = server.Faults.RecordFailureRate;
            ApiResponse failing = await client.PutRecordBatchAsync("s", ThreeRecords);
            using HttpResponseMessage reset = await http.PutAsync(faultsUrl, new StringContent("{\"RecordFailureRate\":0}", Encoding.UTF8, "application/json"));
            ApiResponse passing = await client.PutRecordBatchAsync("s", ThreeRecords);

            Assert.AreEqual(200, (int)put.StatusCode);
            Assert.AreEqual(1.0, shown["RecordFailureRate"]!.GetValue<double>());
            Assert.AreEqual(0.0, shown["ThrottleRate"]!.GetValue<double>());
            Assert.AreEqual(1.0, liveRate);
            Assert.AreEqual(200, failing.Status);
            Assert.AreEqual(3, failing.Body!["FailedPutCount"]!.GetValue<int>());
            Assert.IsTrue(failing.Body!["RequestResponses"]!.AsArray().All(r => r!["ErrorCode"]!.GetValue<string>() == "ServiceUnavailableException" && r["RecordId"] is null));
            Assert.AreEqual(200, (int)reset.StatusCode);
            Assert.AreEqual(0.0, server.Faults.RecordFailureRate);
            Assert.AreEqual(0, passing.Body!["FailedPutCount"]!.GetValue<int>());
        }

        [TestMethod]
        [DataRow("{\"ThrottleRate\":1.5}")]
        [DataRow("{\"LatencyMilliseconds\":-1}")]
        [DataRow("{\"NoSuchFault\":true}")]
        [DataRow("{\"ThrottleRate\":0.5,\"Outage\":\"yes\"}")]
        [DataRow("not json")]
        public async Task AdminPut_BadSettings_400AndNothingChanged(string body)
        {
            using var dir = new TempDirectory();
            await using var server = await StartAsync(dir);
            using var http = new HttpClient();

            using HttpResponseMessage put = await http.PutAsync(new Uri(server.Url, "_local/faults"), new StringContent(body, Encoding.UTF8, "application/json"));

            Assert.AreEqual(400, (int)put.StatusCode);
            Assert.AreEqual(0.0, server.Faults.ThrottleRate);
            Assert.IsFalse(server.Faults.Outage);
        }

        [TestMethod]
        public async Task ServerErrorRate_OneAtRunTime_InternalFailure500()
        {
            using var dir = new TempDirectory();
            await using var server = await StartAsync(dir);
            using var client = new LocalClient(server);
            server.Faults.ServerErrorRate = 1;

            ApiResponse response = await client.PutRecordBatchAsync("s", ThreeRecords);

            Assert.AreEqual(500, response.Status);
            Assert.AreEqual("InternalFailure", response.ErrorType);
        }

        [TestMethod]
        public async Task Latency_SetAtRunTime_AnswerDelayed()
        {
            using var dir = new TempDirectory();
            await using var server = await StartAsync(dir);
            using var client = new LocalClient(server);
            using var http = new HttpClient();
            using (await http.PutAsync(new Uri(server.Url, "_local/faults"), new StringContent("{\"LatencyMilliseconds\":400}", Encoding.UTF8, "application/json"))) { }

            var watch = Stopwatch.StartNew();
            ApiResponse response = await client.PutRecordAsync("s", new byte[] { 1 });
            watch.Stop();

            Assert.AreEqual(200, response.Status);
            Assert.IsGreaterThanOrEqualTo(380, watch.ElapsedMilliseconds);
        }
    }
}
