using System;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using Amazon.Runtime;
using Microsoft.VisualStudio.TestTools.UnitTesting;
using NLog.Targets.Firehose.Client;
using NLog.Targets.Firehose.Tests.Infrastructure;

namespace NLog.Targets.Firehose.Tests.Client
{
    /// <summary>The request on the wire and the answers, against the loopback endpoint that verifies signatures.</summary>
    [TestClass]
    public class FirehoseHttpClientTests
    {
        private static readonly ReadOnlyMemory<byte>[] TwoRecords = { Encoding.UTF8.GetBytes("{\"a\":1}\n"), Encoding.UTF8.GetBytes("{\"b\":\"é\"}\n") };

        private static FirehoseHttpClient NewClient(LoopbackFirehose server, AWSCredentials? credentials = null, TimeSpan? timeout = null)
            => new FirehoseHttpClient(server.Url, server.Region, credentials ?? new BasicAWSCredentials(LoopbackFirehose.AccessKey, LoopbackFirehose.SecretKey), timeout ?? TimeSpan.FromSeconds(30));

        [TestMethod]
        public async Task PutRecordBatch_Request_HasAwsJsonHeadersSignedAndBase64Body()
        {
            await using var server = await LoopbackFirehose.StartAsync();
            using var client = NewClient(server);
            var response = await client.PutRecordBatchAsync("wire-stream", TwoRecords, CancellationToken.None);

            var call = server.Calls.Single();
            Assert.IsNull(call.SignatureProblem);
            Assert.AreEqual("POST", call.Method);
            Assert.AreEqual("/", call.Path);
            Assert.AreEqual("application/x-amz-json-1.1", call.Headers["Content-Type"]);
            Assert.AreEqual("Firehose_20150804.PutRecordBatch", call.Headers["X-Amz-Target"]);
            Assert.AreEqual($"127.0.0.1:{server.Url.Port}", call.Headers["Host"]);
            Assert.AreEqual(call.Body.Length.ToString(System.Globalization.CultureInfo.InvariantCulture), call.Headers["Content-Length"]);
            StringAssert.StartsWith(call.Headers["Authorization"], $"AWS4-HMAC-SHA256 Credential={LoopbackFirehose.AccessKey}/");
            StringAssert.Contains(call.Headers["Authorization"], "/us-east-1/firehose/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=");
            Assert.IsFalse(call.Headers.ContainsKey("X-Amz-Security-Token"));
            Assert.IsFalse(call.Headers["Authorization"].Contains(LoopbackFirehose.SecretKey, StringComparison.Ordinal));

            using var body = JsonDocument.Parse(call.Body);
            Assert.AreEqual("wire-stream", body.RootElement.GetProperty("DeliveryStreamName").GetString());
            var data = body.RootElement.GetProperty("Records").EnumerateArray().Select(r => r.GetProperty("Data").GetString()).ToArray();
            CollectionAssert.AreEqual(TwoRecords.Select(r => Convert.ToBase64String(r.Span)).ToArray(), data);
            Assert.AreEqual("DeliveryStreamName,Records", string.Join(",", body.RootElement.EnumerateObject().Select(p => p.Name)));

            Assert.AreEqual(0, response.FailedPutCount);
            Assert.HasCount(2, response.RequestResponses);
            Assert.IsTrue(response.RequestResponses.All(e => e.HasRecordId));
        }

        [TestMethod]
        public async Task PutRecordBatch_SessionToken_SentAndSigned()
        {
            await using var server = await LoopbackFirehose.StartAsync();
            using var client = NewClient(server, new SessionAWSCredentials(LoopbackFirehose.AccessKey, LoopbackFirehose.SecretKey, "session-token-value"));
            await client.PutRecordBatchAsync("s", TwoRecords, CancellationToken.None);
            var call = server.Calls.Single();
            Assert.IsNull(call.SignatureProblem);
            Assert.AreEqual("session-token-value", call.Headers["X-Amz-Security-Token"]);
            StringAssert.Contains(call.Headers["Authorization"], "x-amz-security-token");
        }

        [TestMethod]
        public async Task PutRecordBatch_WrongSecret_ServerRefusesSignature()
        {
            await using var server = await LoopbackFirehose.StartAsync();
            using var client = NewClient(server, new BasicAWSCredentials(LoopbackFirehose.AccessKey, "wrong-secret"));
            var ex = await Assert.ThrowsExactlyAsync<FirehoseServiceException>(() => client.PutRecordBatchAsync("s", TwoRecords, CancellationToken.None));
            Assert.AreEqual("InvalidSignatureException", ex.ErrorCode);
            Assert.AreEqual(403, ex.StatusCode);
            Assert.IsNotNull(server.Calls.Single().SignatureProblem);
        }

        [TestMethod]
        public async Task PutRecordBatch_WrongRegion_ServerRefusesScope()
        {
            await using var server = await LoopbackFirehose.StartAsync("eu-west-1");
            using var client = new FirehoseHttpClient(server.Url, "us-east-1", new BasicAWSCredentials(LoopbackFirehose.AccessKey, LoopbackFirehose.SecretKey), TimeSpan.FromSeconds(30));
            var ex = await Assert.ThrowsExactlyAsync<FirehoseServiceException>(() => client.PutRecordBatchAsync("s", TwoRecords, CancellationToken.None));
            Assert.AreEqual("InvalidSignatureException", ex.ErrorCode);
        }

        [TestMethod]
        public async Task PutRecordBatch_PartialFailure_ParsedPerRecord()
        {
            await using var server = await LoopbackFirehose.StartAsync();
            server.FailRecord = i => i == 1 ? "ServiceUnavailableException" : null;
            using var client = NewClient(server);
            var response = await client.PutRecordBatchAsync("s", TwoRecords, CancellationToken.None);
            Assert.AreEqual(1, response.FailedPutCount);
            Assert.IsFalse(response.RequestResponses[0].Failed);
            Assert.AreEqual("ServiceUnavailableException", response.RequestResponses[1].ErrorCode);
            Assert.AreEqual("injected failure for record 1", response.RequestResponses[1].ErrorMessage);
        }

        [TestMethod]
        public async Task PutRecordBatch_Throttled_ServiceUnavailableWithStatusAndRequestId()
        {
            await using var server = await LoopbackFirehose.StartAsync();
            server.FailCall = _ => (503, "ServiceUnavailableException", "Slow down.");
            using var client = NewClient(server);
            var ex = await Assert.ThrowsExactlyAsync<FirehoseServiceException>(() => client.PutRecordBatchAsync("s", TwoRecords, CancellationToken.None));
            Assert.AreEqual("ServiceUnavailableException", ex.ErrorCode);
            Assert.AreEqual("Slow down.", ex.ServiceMessage);
            Assert.AreEqual(503, ex.StatusCode);
            Assert.IsFalse(string.IsNullOrEmpty(ex.RequestId));
        }

        [TestMethod]
        public async Task PutRecordBatch_NoServerListening_TransportExceptionQuickly()
        {
            int port;
            using (var probe = new TcpListener(IPAddress.Loopback, 0))
            {
                probe.Start();
                port = ((IPEndPoint)probe.LocalEndpoint).Port;
            }
            using var client = new FirehoseHttpClient(new Uri($"http://127.0.0.1:{port}/"), "us-east-1", new BasicAWSCredentials("a", "b"), TimeSpan.FromSeconds(20));
            await Assert.ThrowsAsync<System.Net.Http.HttpRequestException>(() => client.PutRecordBatchAsync("s", TwoRecords, CancellationToken.None));
        }

        [TestMethod]
        public async Task PutRecordBatch_ServerNeverAnswers_TimeoutException()
        {
            using var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            int port = ((IPEndPoint)listener.LocalEndpoint).Port;
            var accept = listener.AcceptTcpClientAsync();   // accept, read nothing, answer nothing
            using var client = new FirehoseHttpClient(new Uri($"http://127.0.0.1:{port}/"), "us-east-1", new BasicAWSCredentials("a", "b"), TimeSpan.FromMilliseconds(300));
            var ex = await Assert.ThrowsExactlyAsync<TimeoutException>(() => client.PutRecordBatchAsync("s", TwoRecords, CancellationToken.None));
            StringAssert.Contains(ex.Message, "300 ms");
            (await accept).Dispose();
        }

        [TestMethod]
        public async Task PutRecordBatch_CallerCancels_OperationCanceled()
        {
            using var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            int port = ((IPEndPoint)listener.LocalEndpoint).Port;
            using var client = new FirehoseHttpClient(new Uri($"http://127.0.0.1:{port}/"), "us-east-1", new BasicAWSCredentials("a", "b"), TimeSpan.FromSeconds(30));
            using var cts = new CancellationTokenSource(200);
            await Assert.ThrowsAsync<OperationCanceledException>(() => client.PutRecordBatchAsync("s", TwoRecords, cts.Token));
        }

        [TestMethod]
        public void HostHeaderOf_DefaultAndExplicitPorts_AsHttpSendsThem()
        {
            Assert.AreEqual("firehose.us-east-1.amazonaws.com", FirehoseHttpClient.HostHeaderOf(new Uri("https://firehose.us-east-1.amazonaws.com")));
            Assert.AreEqual("localhost:4573", FirehoseHttpClient.HostHeaderOf(new Uri("http://localhost:4573/")));
            Assert.AreEqual("[::1]:8080", FirehoseHttpClient.HostHeaderOf(new Uri("http://[::1]:8080/")));
        }

        [TestMethod]
        public async Task PutRecordBatch_LocalClock30MinutesSlow_CorrectedFromServerDateAndRetried()
        {
            await using var server = await LoopbackFirehose.StartAsync();
            using var client = new FirehoseHttpClient(server.Url, server.Region, new BasicAWSCredentials(LoopbackFirehose.AccessKey, LoopbackFirehose.SecretKey),
                TimeSpan.FromSeconds(30), utcNow: () => DateTime.UtcNow.AddMinutes(-30));
            var response = await client.PutRecordBatchAsync("s", TwoRecords, CancellationToken.None);
            Assert.AreEqual(0, response.FailedPutCount);
            var calls = server.Calls.ToList();
            Assert.HasCount(2, calls);
            StringAssert.Contains(calls[0].SignatureProblem, "Signature expired");
            Assert.IsNull(calls[1].SignatureProblem);
            Assert.IsTrue(Math.Abs(client.ClockOffset.TotalMinutes - 30) < 1, client.ClockOffset.ToString());

            // The correction holds for later calls: no more refusals.
            await client.PutRecordBatchAsync("s", TwoRecords, CancellationToken.None);
            Assert.HasCount(3, server.Calls);
        }

        [TestMethod]
        public async Task PutRecordBatch_ExpiredToken_CredentialsRefreshedAndRetried()
        {
            await using var server = await LoopbackFirehose.StartAsync();
            server.FailCall = call => server.Calls.Count == 1 ? (400, "ExpiredTokenException", "The security token included in the request is expired") : null;
            var credentials = new CountingRefreshingCredentials();
            using var client = NewClient(server, credentials);
            var response = await client.PutRecordBatchAsync("s", TwoRecords, CancellationToken.None);
            Assert.AreEqual(0, response.FailedPutCount);
            Assert.HasCount(2, server.Calls);
            Assert.AreEqual(2, credentials.Generated, "expired credentials are fetched anew before the retry");
        }

        [TestMethod]
        public async Task PutRecordBatch_ExpiredTokenTwice_Throws()
        {
            await using var server = await LoopbackFirehose.StartAsync();
            server.FailCall = _ => (400, "ExpiredTokenException", "The security token included in the request is expired");
            using var client = NewClient(server, new CountingRefreshingCredentials());
            var ex = await Assert.ThrowsExactlyAsync<FirehoseServiceException>(() => client.PutRecordBatchAsync("s", TwoRecords, CancellationToken.None));
            Assert.AreEqual("ExpiredTokenException", ex.ErrorCode);
            Assert.HasCount(2, server.Calls, "one refresh-and-retry, not a loop");
        }

        private sealed class CountingRefreshingCredentials : RefreshingAWSCredentials
        {
            public int Generated;

            protected override CredentialsRefreshState GenerateNewCredentials()
            {
                Interlocked.Increment(ref Generated);
                return new CredentialsRefreshState(new ImmutableCredentials(LoopbackFirehose.AccessKey, LoopbackFirehose.SecretKey, null), DateTime.UtcNow.AddHours(1));
            }
        }
    }
}
