using System;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Tasks;
using Firehose.Local.Tests.Infrastructure;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace Firehose.Local.Tests.Api
{
    /// <summary>The model's limits, at and just past each one, and the error shapes of bad input.</summary>
    [TestClass]
    public sealed class ValidationTests
    {
        private static async Task<(TempDirectory Dir, FirehoseLocalServer Server, LocalClient Client)> StartAsync(Action<FirehoseLocalOptions>? configure = null)
        {
            var dir = new TempDirectory();
            var server = await TestServer.StartAsync(dir.Path, o =>
            {
                o.Streams.Add(TestServer.S3Stream("s"));
                configure?.Invoke(o);
            });
            return (dir, server, new LocalClient(server));
        }

        private static byte[][] Records(int count, int size = 10) => Enumerable.Range(0, count).Select(_ => new byte[size]).ToArray();

        [TestMethod]
        public async Task Request_ContentLengthPastTheBodyLimit_RefusedWith413()
        {
            // A body declared larger than the server takes is refused as it is read; the declared length alone must not
            // make the server allocate it (it reads such a body as a stream, which Kestrel stops at its limit).
            var (dir, server, client) = await StartAsync(o => o.VerifySignatures = false);
            using (dir) using (client) await using (server)
            {
                using var tcp = new System.Net.Sockets.TcpClient();
                await tcp.ConnectAsync(server.Url.Host, server.Url.Port);
                using var stream = tcp.GetStream();
                string head = "POST / HTTP/1.1\r\nHost: " + server.Url.Authority + "\r\nContent-Type: application/x-amz-json-1.1\r\n"
                    + "X-Amz-Target: Firehose_20150804.PutRecordBatch\r\nContent-Length: 2000000000\r\n\r\n{\"DeliveryStreamName\":";
                long allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
                await stream.WriteAsync(Encoding.ASCII.GetBytes(head));
                var buffer = new byte[4096];
                using var timeout = new System.Threading.CancellationTokenSource(TimeSpan.FromSeconds(30));
                int read = await stream.ReadAsync(buffer, timeout.Token);
                string answer = Encoding.ASCII.GetString(buffer, 0, read);
                StringAssert.StartsWith(answer, "HTTP/1.1 413", answer);
                long allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
                Assert.IsLessThan(256L * 1024 * 1024, allocated, "the declared 2 GB were not allocated");
            }
        }

        [TestMethod]
        public async Task PutRecordBatch_500Records_AllAccepted()
        {
            var (dir, server, client) = await StartAsync();
            using (dir) using (client) await using (server)
            {
                ApiResponse response = await client.PutRecordBatchAsync("s", Records(500));

                Assert.AreEqual(200, response.Status, response.ToString());
                Assert.AreEqual(0, response.Body!["FailedPutCount"]!.GetValue<int>());
                Assert.HasCount(500, response.Body!["RequestResponses"]!.AsArray());
                Assert.IsTrue(response.Body!["RequestResponses"]!.AsArray().All(r => r!["RecordId"]!.GetValue<string>().Length > 0));
            }
        }

        [TestMethod]
        public async Task PutRecordBatch_501Records_InvalidArgument400()
        {
            var (dir, server, client) = await StartAsync();
            using (dir) using (client) await using (server)
            {
                ApiResponse response = await client.PutRecordBatchAsync("s", Records(501));

                Assert.AreEqual(400, response.Status);
                Assert.AreEqual("InvalidArgumentException", response.ErrorType);
                Assert.AreEqual("InvalidArgumentException", response.Body!["__type"]!.GetValue<string>());
                StringAssert.Contains(response.Message, "less than or equal to 500");
            }
        }

        [TestMethod]
        public async Task PutRecordBatch_ZeroRecords_InvalidArgument400()
        {
            var (dir, server, client) = await StartAsync();
            using (dir) using (client) await using (server)
            {
                ApiResponse response = await client.PutRecordBatchAsync("s", Array.Empty<byte[]>());

                Assert.AreEqual(400, response.Status);
                Assert.AreEqual("InvalidArgumentException", response.ErrorType);
            }
        }

        [TestMethod]
        public async Task PutRecordBatch_Exactly4MiBOfData_Accepted()
        {
            var (dir, server, client) = await StartAsync();
            using (dir) using (client) await using (server)
            {
                // 4 records of 1,024,000 bytes + one of 98,304: 4,194,304 bytes = 4 MiB.
                byte[][] records = Records(4, 1_024_000).Append(new byte[4 * 1024 * 1024 - 4 * 1_024_000]).ToArray();
                Assert.AreEqual(4L * 1024 * 1024, records.Sum(r => (long)r.Length));

                ApiResponse response = await client.PutRecordBatchAsync("s", records);

                Assert.AreEqual(200, response.Status, response.ToString());
                Assert.AreEqual(0, response.Body!["FailedPutCount"]!.GetValue<int>());
            }
        }

        [TestMethod]
        public async Task PutRecordBatch_4MiBPlusOneByte_InvalidArgument400()
        {
            var (dir, server, client) = await StartAsync();
            using (dir) using (client) await using (server)
            {
                byte[][] records = Records(4, 1_024_000).Append(new byte[4 * 1024 * 1024 - 4 * 1_024_000 + 1]).ToArray();

                ApiResponse response = await client.PutRecordBatchAsync("s", records);

                Assert.AreEqual(400, response.Status);
                Assert.AreEqual("InvalidArgumentException", response.ErrorType);
                StringAssert.Contains(response.Message, "4 MB");
            }
        }

        [TestMethod]
        public async Task PutRecordBatch_Record1024000Bytes_Accepted()
        {
            var (dir, server, client) = await StartAsync();
            using (dir) using (client) await using (server)
            {
                ApiResponse response = await client.PutRecordBatchAsync("s", Records(1, 1_024_000));

                Assert.AreEqual(200, response.Status, response.ToString());
            }
        }

        [TestMethod]
        public async Task PutRecordBatch_Record1024001Bytes_InvalidArgument400()
        {
            var (dir, server, client) = await StartAsync();
            using (dir) using (client) await using (server)
            {
                ApiResponse response = await client.PutRecordBatchAsync("s", new[] { new byte[1], new byte[1_024_001] });

                Assert.AreEqual(400, response.Status);
                Assert.AreEqual("InvalidArgumentException", response.ErrorType);
                StringAssert.Contains(response.Message, "'records.2.member.data'");
                StringAssert.Contains(response.Message, "1024000");
            }
        }

        [TestMethod]
        public async Task PutRecord_1024000And1024001Bytes_AcceptedThenInvalidArgument()
        {
            var (dir, server, client) = await StartAsync();
            using (dir) using (client) await using (server)
            {
                ApiResponse ok = await client.PutRecordAsync("s", new byte[1_024_000]);
                ApiResponse tooBig = await client.PutRecordAsync("s", new byte[1_024_001]);

                Assert.AreEqual(200, ok.Status, ok.ToString());
                Assert.IsFalse(string.IsNullOrEmpty(ok.Body!["RecordId"]!.GetValue<string>()));
                Assert.AreEqual(400, tooBig.Status);
                Assert.AreEqual("InvalidArgumentException", tooBig.ErrorType);
            }
        }

        [TestMethod]
        [DataRow("a", 200, null)]
        [DataRow("Az09_.-", 200, null)]
        [DataRow("x64", 200, null)]
        [DataRow("x65", 400, "InvalidArgumentException")]
        [DataRow("", 400, "InvalidArgumentException")]
        [DataRow("has space", 400, "InvalidArgumentException")]
        [DataRow("slash/no", 400, "InvalidArgumentException")]
        [DataRow("ünïcode", 400, "InvalidArgumentException")]
        public async Task CreateDeliveryStream_NameRules_AcceptedOrInvalidArgument(string name, int status, string? errorType)
        {
            name = name switch { "x64" => new string('n', 64), "x65" => new string('n', 65), _ => name };
            var (dir, server, client) = await StartAsync();
            using (dir) using (client) await using (server)
            {
                JsonNode body = JsonSerializer.SerializeToNode(TestServer.S3Stream(name))!;

                ApiResponse response = await client.CallAsync("CreateDeliveryStream", body);

                Assert.AreEqual(status, response.Status, response.ToString());
                Assert.AreEqual(errorType, response.ErrorType);
                if (status == 200)
                    Assert.AreEqual($"arn:aws:firehose:us-east-1:000000000000:deliverystream/{name}", response.Body!["DeliveryStreamARN"]!.GetValue<string>());
            }
        }

        [TestMethod]
        public async Task PutRecordBatch_UnknownStream_ResourceNotFound400()
        {
            var (dir, server, client) = await StartAsync();
            using (dir) using (client) await using (server)
            {
                ApiResponse response = await client.PutRecordBatchAsync("missing", Records(1));

                Assert.AreEqual(400, response.Status);
                Assert.AreEqual("ResourceNotFoundException", response.ErrorType);
                Assert.AreEqual("Firehose missing under account 000000000000 not found.", response.Message);
            }
        }

        [TestMethod]
        public async Task CreateDeliveryStream_ExistingName_ResourceInUse400()
        {
            var (dir, server, client) = await StartAsync();
            using (dir) using (client) await using (server)
            {
                ApiResponse response = await client.CallAsync("CreateDeliveryStream", JsonSerializer.SerializeToNode(TestServer.S3Stream("s"))!);

                Assert.AreEqual(400, response.Status);
                Assert.AreEqual("ResourceInUseException", response.ErrorType);
            }
        }

        [TestMethod]
        public async Task CreateDeliveryStream_BeyondMaxStreams_LimitExceeded400()
        {
            var (dir, server, client) = await StartAsync(o => o.MaxDeliveryStreams = 1);
            using (dir) using (client) await using (server)
            {
                ApiResponse response = await client.CallAsync("CreateDeliveryStream", JsonSerializer.SerializeToNode(TestServer.S3Stream("second"))!);

                Assert.AreEqual(400, response.Status);
                Assert.AreEqual("LimitExceededException", response.ErrorType);
            }
        }

        [TestMethod]
        [DataRow("{\"DeliveryStreamName\":\"b\",\"ExtendedS3DestinationConfiguration\":{\"RoleARN\":\"arn:aws:iam::123456789012:role/r\",\"BucketARN\":\"not-an-arn\"}}", "InvalidArgumentException")]
        [DataRow("{\"DeliveryStreamName\":\"b\",\"ExtendedS3DestinationConfiguration\":{\"RoleARN\":\"arn:aws:iam::123456789012:role/r\",\"BucketARN\":\"arn:aws:s3:::b\",\"BufferingHints\":{\"SizeInMBs\":129}}}", "InvalidArgumentException")]
        [DataRow("{\"DeliveryStreamName\":\"b\",\"ExtendedS3DestinationConfiguration\":{\"RoleARN\":\"arn:aws:iam::123456789012:role/r\",\"BucketARN\":\"arn:aws:s3:::b\",\"BufferingHints\":{\"SizeInMBs\":\"big\"}}}", "SerializationException")]
        [DataRow("{\"DeliveryStreamName\":\"b\"}", "InvalidArgumentException")]
        [DataRow("{\"DeliveryStreamName\":\"b\",\"RedshiftDestinationConfiguration\":{}}", "InvalidArgumentException")]
        [DataRow("{\"DeliveryStreamName\":\"b\",\"DeliveryStreamType\":\"KinesisStreamAsSource\",\"ExtendedS3DestinationConfiguration\":{\"RoleARN\":\"arn:aws:iam::123456789012:role/r\",\"BucketARN\":\"arn:aws:s3:::b\"}}", "InvalidArgumentException")]
        [DataRow("{\"DeliveryStreamName\":\"b\",\"AmazonopensearchserviceDestinationConfiguration\":{\"RoleARN\":\"arn:aws:iam::123456789012:role/r\",\"IndexName\":\"i\",\"ClusterEndpoint\":\"https://x\",\"IndexRotationPeriod\":\"OneYear\",\"S3Configuration\":{\"RoleARN\":\"arn:aws:iam::123456789012:role/r\",\"BucketARN\":\"arn:aws:s3:::b\"}}}", "InvalidArgumentException")]
        [DataRow("{\"DeliveryStreamName\":\"b\",\"AmazonopensearchserviceDestinationConfiguration\":{\"RoleARN\":\"arn:aws:iam::123456789012:role/r\",\"IndexName\":\"i\",\"ClusterEndpoint\":\"https://x\"}}", "InvalidArgumentException")]
        [DataRow("[1,2]", "SerializationException")]
        [DataRow("{not json", "SerializationException")]
        public async Task CreateDeliveryStream_BadInput_ServiceError400(string json, string errorType)
        {
            var (dir, server, client) = await StartAsync();
            using (dir) using (client) await using (server)
            {
                ApiResponse response = await client.CallAsync("CreateDeliveryStream", Encoding.UTF8.GetBytes(json));

                Assert.AreEqual(400, response.Status, response.ToString());
                Assert.AreEqual(errorType, response.ErrorType, response.ToString());
                Assert.IsFalse(string.IsNullOrEmpty(response.Message));
                CollectionAssert.AreEqual(new[] { "s" }, server.ListStreams().ToArray());
            }
        }

        [TestMethod]
        [DataRow("\"DeliveryStreamEncryptionConfigurationInput\":{\"KeyType\":\"AWS_OWNED_CMK\"}", "", "encryption")]
        [DataRow("", "\"ProcessingConfiguration\":{\"Enabled\":true,\"Processors\":[{\"Type\":\"Lambda\"}]}", "data transformation")]
        [DataRow("", "\"DynamicPartitioningConfiguration\":{\"Enabled\":true}", "dynamic partitioning")]
        [DataRow("", "\"DataFormatConversionConfiguration\":{\"Enabled\":true}", "record format conversion")]
        [DataRow("", "\"DataFormatConversionConfiguration\":{}", "record format conversion")]
        public async Task CreateDeliveryStream_UnsupportedFeatureEnabled_InvalidArgument(string topLevel, string inDestination, string feature)
        {
            var (dir, server, client) = await StartAsync();
            using (dir) using (client) await using (server)
            {
                string json = "{\"DeliveryStreamName\":\"feat\"," + (topLevel.Length > 0 ? topLevel + "," : "")
                    + "\"ExtendedS3DestinationConfiguration\":{\"RoleARN\":\"arn:aws:iam::123456789012:role/r\",\"BucketARN\":\"arn:aws:s3:::bucket\"" + (inDestination.Length > 0 ? "," + inDestination : "") + "}}";

                ApiResponse response = await client.CallAsync("CreateDeliveryStream", Encoding.UTF8.GetBytes(json));

                Assert.AreEqual(400, response.Status, response.ToString());
                Assert.AreEqual("InvalidArgumentException", response.ErrorType, response.ToString());
                StringAssert.Contains(response.Message, feature);
                CollectionAssert.AreEqual(new[] { "s" }, server.ListStreams().ToArray());
            }
        }

        [TestMethod]
        public async Task CreateDeliveryStream_FeaturesExplicitlyDisabled_Accepted()
        {
            var (dir, server, client) = await StartAsync();
            using (dir) using (client) await using (server)
            {
                const string json = "{\"DeliveryStreamName\":\"off\",\"ExtendedS3DestinationConfiguration\":{\"RoleARN\":\"arn:aws:iam::123456789012:role/r\",\"BucketARN\":\"arn:aws:s3:::bucket\","
                    + "\"ProcessingConfiguration\":{\"Enabled\":false},\"DynamicPartitioningConfiguration\":{\"Enabled\":false},\"DataFormatConversionConfiguration\":{\"Enabled\":false}}}";

                ApiResponse response = await client.CallAsync("CreateDeliveryStream", Encoding.UTF8.GetBytes(json));

                Assert.AreEqual(200, response.Status, response.ToString());
            }
        }

        [TestMethod]
        public async Task CreateDeliveryStream_NonHttpClusterEndpoint_MessageSaysHttpAccepted()
        {
            var (dir, server, client) = await StartAsync();
            using (dir) using (client) await using (server)
            {
                const string json = "{\"DeliveryStreamName\":\"ep\",\"AmazonopensearchserviceDestinationConfiguration\":{\"RoleARN\":\"arn:aws:iam::123456789012:role/r\",\"IndexName\":\"i\",\"ClusterEndpoint\":\"ftp://x\","
                    + "\"S3Configuration\":{\"RoleARN\":\"arn:aws:iam::123456789012:role/r\",\"BucketARN\":\"arn:aws:s3:::bucket\"}}}";

                ApiResponse response = await client.CallAsync("CreateDeliveryStream", Encoding.UTF8.GetBytes(json));

                Assert.AreEqual("InvalidArgumentException", response.ErrorType, response.ToString());
                StringAssert.Contains(response.Message, "http://");
            }
        }

        [TestMethod]
        [DataRow("..")]
        [DataRow(".")]
        [DataRow("a..b")]
        [DataRow("ab")]
        [DataRow("-bucket")]
        [DataRow("bucket.")]
        [DataRow("My-Bucket")]
        [DataRow("under_score")]
        public async Task CreateDeliveryStream_InvalidBucketName_InvalidArgumentAndNoStream(string bucket)
        {
            var (dir, server, client) = await StartAsync();
            using (dir) using (client) await using (server)
            {
                ApiResponse response = await client.CallAsync("CreateDeliveryStream", JsonSerializer.SerializeToNode(TestServer.S3Stream("escape", bucket: bucket))!);

                Assert.AreEqual(400, response.Status, response.ToString());
                Assert.AreEqual("InvalidArgumentException", response.ErrorType, response.ToString());
                StringAssert.Contains(response.Message, "bucket name");
                CollectionAssert.AreEqual(new[] { "s" }, server.ListStreams().ToArray());
            }
        }

        [TestMethod]
        public async Task CreateDeliveryStream_ValidDottedBucketName_ObjectsInsideDataDirectory()
        {
            var (dir, server, client) = await StartAsync();
            using (dir) using (client) await using (server)
            {
                Assert.AreEqual(200, (await client.CallAsync("CreateDeliveryStream", JsonSerializer.SerializeToNode(TestServer.S3Stream("dotted", bucket: "logs.example-1"))!)).Status);
                Assert.AreEqual(200, (await client.PutRecordAsync("dotted", Encoding.UTF8.GetBytes("x"))).Status);
                await server.FlushAsync();

                Assert.HasCount(1, TestServer.Files(Path.Combine(dir.Path, "logs.example-1")));
            }
        }

        [TestMethod]
        [DataRow("{\"DeliveryStreamName\":\"s\",\"Records\":[{\"Data\":\"***\"}]}", "SerializationException")]
        [DataRow("{\"DeliveryStreamName\":\"s\",\"Records\":[{}]}", "InvalidArgumentException")]
        [DataRow("{\"DeliveryStreamName\":\"s\"}", "InvalidArgumentException")]
        [DataRow("{\"Records\":[{\"Data\":\"AA==\"}]}", "InvalidArgumentException")]
        [DataRow("{\"DeliveryStreamName\":5,\"Records\":[{\"Data\":\"AA==\"}]}", "SerializationException")]
        [DataRow("{\"DeliveryStreamName\":\"s\",\"Records\":\"x\"}", "SerializationException")]
        public async Task PutRecordBatch_BadInput_ServiceError400(string json, string errorType)
        {
            var (dir, server, client) = await StartAsync();
            using (dir) using (client) await using (server)
            {
                ApiResponse response = await client.CallAsync("PutRecordBatch", Encoding.UTF8.GetBytes(json));

                Assert.AreEqual(400, response.Status, response.ToString());
                Assert.AreEqual(errorType, response.ErrorType, response.ToString());
            }
        }

        [TestMethod]
        public async Task Call_UnknownOperation_UnknownOperation400()
        {
            var (dir, server, client) = await StartAsync();
            using (dir) using (client) await using (server)
            {
                ApiResponse response = await client.CallAsync("UpdateDestination", Encoding.UTF8.GetBytes("{}"));

                Assert.AreEqual(400, response.Status);
                Assert.AreEqual("UnknownOperationException", response.ErrorType);
            }
        }
    }
}
