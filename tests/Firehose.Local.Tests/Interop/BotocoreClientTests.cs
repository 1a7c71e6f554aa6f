using System;
using System.ComponentModel;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text.Json.Nodes;
using System.Threading;
using System.Threading.Tasks;
using Firehose.Local.Tests.Infrastructure;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace Firehose.Local.Tests.Interop
{
    /// <summary>
    /// Drives Firehose Local with a real AWS client, botocore (the engine of boto3 and the AWS CLI), in a <c>python3</c>
    /// child process: CreateDeliveryStream, PutRecordBatch, DescribeDeliveryStream, ListDeliveryStreams,
    /// DeleteDeliveryStream (ExtendedS3, OpenSearch and Elasticsearch destinations), and the error answers botocore must
    /// parse; and the AWS CLI itself with <c>--endpoint-url</c>. FIREHOSE_PYTHON picks the interpreter, FIREHOSE_AWS_CLI
    /// the CLI; without them the tests are inconclusive, or fail where FIREHOSE_REQUIRE_BOTOCORE=1 (CI).
    /// </summary>
    [TestClass]
    public sealed class BotocoreClientTests
    {
        private static readonly string Python = Environment.GetEnvironmentVariable("FIREHOSE_PYTHON") is { Length: > 0 } python ? python : "python3";
        private static readonly string AwsCli = Environment.GetEnvironmentVariable("FIREHOSE_AWS_CLI") is { Length: > 0 } aws ? aws : "aws";
        private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
        private static readonly DateTimeOffset Start = new(2026, 3, 4, 5, 6, 7, TimeSpan.Zero);

        private const string Script = """
            import json
            import sys

            try:
                import botocore
                import botocore.session
                from botocore.config import Config
                from botocore.exceptions import ClientError
            except ImportError as error:
                sys.stdout.write(json.dumps({"import_error": str(error)}))
                sys.exit(3)

            spec = json.load(sys.stdin)
            session = botocore.session.get_session()

            def client(secret):
                return session.create_client(
                    "firehose", region_name=spec["region"], endpoint_url=spec["endpoint"],
                    aws_access_key_id=spec["access_key"], aws_secret_access_key=secret,
                    config=Config(retries={"max_attempts": 1}))

            def error_of(call):
                try:
                    call()
                except ClientError as error:
                    return [error.response["Error"]["Code"], error.response["ResponseMetadata"]["HTTPStatusCode"]]
                return None

            firehose = client(spec["secret_key"])
            out = {"botocore": botocore.__version__}
            out["create"] = firehose.create_delivery_stream(
                DeliveryStreamName="boto", DeliveryStreamType="DirectPut",
                ExtendedS3DestinationConfiguration={
                    "RoleARN": "arn:aws:iam::123456789012:role/firehose",
                    "BucketARN": "arn:aws:s3:::boto-bucket", "Prefix": "b/",
                    "BufferingHints": {"SizeInMBs": 1, "IntervalInSeconds": 60}})["DeliveryStreamARN"]
            put = firehose.put_record_batch(DeliveryStreamName="boto", Records=[{"Data": b"one\n"}, {"Data": b"two\n"}])
            out["put"] = {"failed": put["FailedPutCount"], "ids": [r.get("RecordId") for r in put["RequestResponses"]]}
            single = firehose.put_record(DeliveryStreamName="boto", Record={"Data": b"three\n"})
            out["put_record_id"] = single["RecordId"]
            d = firehose.describe_delivery_stream(DeliveryStreamName="boto")["DeliveryStreamDescription"]
            out["describe"] = {"status": d["DeliveryStreamStatus"], "type": d["DeliveryStreamType"], "version": d["VersionId"],
                               "created_year": d["CreateTimestamp"].year,
                               "bucket": d["Destinations"][0]["ExtendedS3DestinationDescription"]["BucketARN"]}
            role = "arn:aws:iam::123456789012:role/firehose"
            firehose.create_delivery_stream(
                DeliveryStreamName="boto-os", DeliveryStreamType="DirectPut",
                AmazonopensearchserviceDestinationConfiguration={
                    "RoleARN": role, "ClusterEndpoint": spec["cluster"], "IndexName": "boto-os",
                    "IndexRotationPeriod": "OneHour", "BufferingHints": {"SizeInMBs": 1, "IntervalInSeconds": 60},
                    "RetryOptions": {"DurationInSeconds": 120}, "S3BackupMode": "AllDocuments",
                    "S3Configuration": {"RoleARN": role, "BucketARN": "arn:aws:s3:::boto-os-backup", "Prefix": "osb/"}})
            firehose.create_delivery_stream(
                DeliveryStreamName="boto-es", DeliveryStreamType="DirectPut",
                ElasticsearchDestinationConfiguration={
                    "RoleARN": role, "DomainARN": spec["es_domain"], "IndexName": "boto-es", "TypeName": "_doc",
                    "IndexRotationPeriod": "OneMonth", "RetryOptions": {"DurationInSeconds": 60},
                    "S3BackupMode": "FailedDocumentsOnly",
                    "S3Configuration": {"RoleARN": role, "BucketARN": "arn:aws:s3:::boto-es-backup"}})
            out["put_os"] = firehose.put_record_batch(DeliveryStreamName="boto-os", Records=[{"Data": b'{"os":1}'}, {"Data": b'{"os":2}'}])["FailedPutCount"]
            out["put_es"] = firehose.put_record(DeliveryStreamName="boto-es", Record={"Data": b'{"es":1}'})["RecordId"]
            out["describe_os"] = firehose.describe_delivery_stream(DeliveryStreamName="boto-os")["DeliveryStreamDescription"]["Destinations"][0]["AmazonopensearchserviceDestinationDescription"]
            out["describe_es"] = firehose.describe_delivery_stream(DeliveryStreamName="boto-es")["DeliveryStreamDescription"]["Destinations"][0]["ElasticsearchDestinationDescription"]
            out["list"] = firehose.list_delivery_streams()["DeliveryStreamNames"]
            out["missing"] = error_of(lambda: firehose.describe_delivery_stream(DeliveryStreamName="nope"))
            out["duplicate"] = error_of(lambda: firehose.create_delivery_stream(
                DeliveryStreamName="boto", ExtendedS3DestinationConfiguration={
                    "RoleARN": "arn:aws:iam::123456789012:role/firehose", "BucketARN": "arn:aws:s3:::boto-bucket"}))
            out["too_many"] = error_of(lambda: firehose.put_record_batch(DeliveryStreamName="boto", Records=[{"Data": b"x"}] * 501))
            out["bad_signature"] = error_of(lambda: client("wrong-secret").list_delivery_streams())
            for name in ["boto", "boto-os", "boto-es"]:
                firehose.delete_delivery_stream(DeliveryStreamName=name)
            out["after_delete"] = firehose.list_delivery_streams()["DeliveryStreamNames"]
            sys.stdout.write(json.dumps(out))
            """;

        private static void Unavailable(string message)
        {
            if (Environment.GetEnvironmentVariable("FIREHOSE_REQUIRE_BOTOCORE") == "1")
                Assert.Fail(message + " (FIREHOSE_REQUIRE_BOTOCORE=1: this check must run)");
            Assert.Inconclusive(message);
        }

        [TestMethod]
        public async Task Botocore_FullStreamLifecycle_ServedAndDelivered()
        {
            using var dir = new TempDirectory();
            await using var cluster = await LoopbackBulkEndpoint.StartAsync();
            var clock = new ManualClock(Start);
            const string esDomain = "arn:aws:es:us-east-1:123456789012:domain/boto-es-domain";
            string esIndexDir = Path.Combine(dir.Path, "es-index");
            await using var server = await TestServer.StartAsync(dir.Path, o =>
            {
                o.TimeProvider = clock;
                o.Streams.Add(TestServer.S3Stream("preset"));
                o.IndexUrls[esDomain] = new Uri(esIndexDir + "/").AbsoluteUri;
            });
            var spec = new JsonObject
            {
                ["cluster"] = cluster.Url.ToString(),
                ["es_domain"] = esDomain,
                ["endpoint"] = server.Url.ToString(),
                ["region"] = server.Region,
                ["access_key"] = TestServer.AccessKey,
                ["secret_key"] = TestServer.SecretKey,
            };

            var (exitCode, stdout, stderr) = await RunPythonAsync(spec.ToJsonString());
            if (exitCode == 3)
                Unavailable("botocore cannot be imported by " + Python + ": " + stdout);
            Assert.AreEqual(0, exitCode, "python failed: " + stderr);
            JsonNode result = JsonNode.Parse(stdout)!;

            Assert.AreEqual("arn:aws:firehose:us-east-1:000000000000:deliverystream/boto", result["create"]!.GetValue<string>());
            Assert.AreEqual(0, result["put"]!["failed"]!.GetValue<int>());
            Assert.HasCount(2, result["put"]!["ids"]!.AsArray());
            Assert.IsTrue(result["put"]!["ids"]!.AsArray().All(id => id!.GetValue<string>().Length > 0));
            Assert.AreEqual("ACTIVE", result["describe"]!["status"]!.GetValue<string>());
            Assert.AreEqual("DirectPut", result["describe"]!["type"]!.GetValue<string>());
            Assert.AreEqual("1", result["describe"]!["version"]!.GetValue<string>());
            Assert.AreEqual(Start.Year, result["describe"]!["created_year"]!.GetValue<int>());
            Assert.AreEqual("arn:aws:s3:::boto-bucket", result["describe"]!["bucket"]!.GetValue<string>());
            CollectionAssert.AreEqual(new[] { "boto", "boto-es", "boto-os", "preset" }, result["list"]!.AsArray().Select(n => n!.GetValue<string>()).ToArray());

            // OpenSearch and Elasticsearch destinations, described back to botocore as configured (and with the defaults filled in).
            Assert.AreEqual(0, result["put_os"]!.GetValue<int>());
            Assert.IsGreaterThan(0, result["put_es"]!.GetValue<string>().Length);
            JsonNode os = result["describe_os"]!;
            Assert.AreEqual(TestServer.RoleArn, os["RoleARN"]!.GetValue<string>());
            Assert.AreEqual(cluster.Url.ToString(), os["ClusterEndpoint"]!.GetValue<string>());
            Assert.AreEqual("boto-os", os["IndexName"]!.GetValue<string>());
            Assert.AreEqual("OneHour", os["IndexRotationPeriod"]!.GetValue<string>());
            Assert.AreEqual(1, os["BufferingHints"]!["SizeInMBs"]!.GetValue<int>());
            Assert.AreEqual(60, os["BufferingHints"]!["IntervalInSeconds"]!.GetValue<int>());
            Assert.AreEqual(120, os["RetryOptions"]!["DurationInSeconds"]!.GetValue<int>());
            Assert.AreEqual("AllDocuments", os["S3BackupMode"]!.GetValue<string>());
            Assert.AreEqual("arn:aws:s3:::boto-os-backup", os["S3DestinationDescription"]!["BucketARN"]!.GetValue<string>());
            Assert.AreEqual("osb/", os["S3DestinationDescription"]!["Prefix"]!.GetValue<string>());
            JsonNode es = result["describe_es"]!;
            Assert.AreEqual(esDomain, es["DomainARN"]!.GetValue<string>());
            Assert.IsNull(es["ClusterEndpoint"]);
            Assert.AreEqual("boto-es", es["IndexName"]!.GetValue<string>());
            Assert.AreEqual("_doc", es["TypeName"]!.GetValue<string>());
            Assert.AreEqual("OneMonth", es["IndexRotationPeriod"]!.GetValue<string>());
            Assert.AreEqual(5, es["BufferingHints"]!["SizeInMBs"]!.GetValue<int>(), "the service's default");
            Assert.AreEqual(300, es["BufferingHints"]!["IntervalInSeconds"]!.GetValue<int>(), "the service's default");
            Assert.AreEqual(60, es["RetryOptions"]!["DurationInSeconds"]!.GetValue<int>());
            Assert.AreEqual("FailedDocumentsOnly", es["S3BackupMode"]!.GetValue<string>());
            Assert.AreEqual("arn:aws:s3:::boto-es-backup", es["S3DestinationDescription"]!["BucketARN"]!.GetValue<string>());
            Assert.AreEqual("[\"ResourceNotFoundException\",400]", result["missing"]!.ToJsonString());
            Assert.AreEqual("[\"ResourceInUseException\",400]", result["duplicate"]!.ToJsonString());
            Assert.AreEqual("[\"InvalidArgumentException\",400]", result["too_many"]!.ToJsonString());
            Assert.AreEqual("[\"InvalidSignatureException\",400]", result["bad_signature"]!.ToJsonString());
            CollectionAssert.AreEqual(new[] { "preset" }, result["after_delete"]!.AsArray().Select(n => n!.GetValue<string>()).ToArray());

            await server.FlushAsync();
            string bucket = Path.Combine(dir.Path, "boto-bucket");
            string key = TestServer.Files(bucket).Single();
            StringAssert.StartsWith(key, "b/");
            Assert.AreEqual("one\ntwo\nthree\n", File.ReadAllText(Path.Combine(bucket, key)));

            // The records botocore put went to the cluster (hourly index) with every document backed up, and to the
            // Elasticsearch domain's file index (monthly).
            string bulk = cluster.Requests.Single().Body;
            StringAssert.Contains(bulk, "{\"index\":{\"_index\":\"boto-os-2026-03-04-05\",");
            StringAssert.Contains(bulk, "{\"os\":1}\n");
            StringAssert.Contains(bulk, "{\"os\":2}\n");
            string osBackup = Path.Combine(dir.Path, "boto-os-backup");
            string backupKey = TestServer.Files(osBackup).Single();
            StringAssert.StartsWith(backupKey, "osb/2026/03/04/05/boto-os-1-2026-03-04-05-06-07-");
            Assert.AreEqual("{\"os\":1}{\"os\":2}", File.ReadAllText(Path.Combine(osBackup, backupKey)));
            CollectionAssert.AreEqual(new[] { "boto-es-2026-03.ndjson" }, TestServer.Files(esIndexDir).ToArray());
            Assert.AreEqual("{\"es\":1}\n", File.ReadAllText(Path.Combine(esIndexDir, "boto-es-2026-03.ndjson")));
            Assert.IsEmpty(TestServer.Files(Path.Combine(dir.Path, "boto-es-backup")), "nothing failed");
        }

        [TestMethod]
        public async Task AwsCli_ListDeliveryStreamsWithEndpointUrl_NamesThePresetStream()
        {
            using var dir = new TempDirectory();
            await using var server = await TestServer.StartAsync(dir.Path, o => o.Streams.Add(TestServer.S3Stream("preset")));
            var start = new ProcessStartInfo(AwsCli)
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            foreach (string argument in new[] { "firehose", "list-delivery-streams", "--endpoint-url", server.Url.ToString(), "--region", server.Region, "--output", "json" })
                start.ArgumentList.Add(argument);
            // Firehose Local's keys through the environment; no real credentials or config files reach the CLI.
            start.Environment["AWS_ACCESS_KEY_ID"] = TestServer.AccessKey;
            start.Environment["AWS_SECRET_ACCESS_KEY"] = TestServer.SecretKey;
            start.Environment.Remove("AWS_SESSION_TOKEN");
            start.Environment.Remove("AWS_PROFILE");
            start.Environment["AWS_CONFIG_FILE"] = "/dev/null";
            start.Environment["AWS_SHARED_CREDENTIALS_FILE"] = "/dev/null";
            start.Environment["AWS_EC2_METADATA_DISABLED"] = "true";
            start.Environment["AWS_PAGER"] = string.Empty;
            Process process;
            try
            {
                process = Process.Start(start)!;
            }
            catch (Win32Exception ex)
            {
                Unavailable($"cannot run the AWS CLI ({AwsCli}): {ex.Message}");
                throw;
            }
            using (process)
            {
                var (exitCode, stdout, stderr) = await ChildProcess.RunToExitAsync(process, Timeout);
                Assert.AreEqual(0, exitCode, "aws failed: " + stderr);
                JsonNode result = JsonNode.Parse(stdout)!;
                CollectionAssert.AreEqual(new[] { "preset" }, result["DeliveryStreamNames"]!.AsArray().Select(n => n!.GetValue<string>()).ToArray());
                Assert.IsFalse(result["HasMoreDeliveryStreams"]!.GetValue<bool>());
            }
        }

        private static async Task<(int ExitCode, string Stdout, string Stderr)> RunPythonAsync(string stdin)
        {
            var start = new ProcessStartInfo(Python)
            {
                RedirectStandardInput = true,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            start.ArgumentList.Add("-c");
            start.ArgumentList.Add(Script);
            // No real credentials or config files may leak into the child: it gets the keys explicitly.
            start.Environment["AWS_CONFIG_FILE"] = "/dev/null";
            start.Environment["AWS_SHARED_CREDENTIALS_FILE"] = "/dev/null";
            start.Environment["AWS_EC2_METADATA_DISABLED"] = "true";
            Process process;
            try
            {
                process = Process.Start(start)!;
            }
            catch (Win32Exception ex)
            {
                Unavailable($"cannot run {Python}: {ex.Message}");
                throw;
            }
            using (process)
            {
                using var timeout = new CancellationTokenSource(Timeout);
                Task<string> stdout = process.StandardOutput.ReadToEndAsync(timeout.Token);
                Task<string> stderr = process.StandardError.ReadToEndAsync(timeout.Token);
                await process.StandardInput.WriteAsync(stdin.AsMemory(), timeout.Token);
                process.StandardInput.Close();
                try
                {
                    await process.WaitForExitAsync(timeout.Token);
                }
                catch (OperationCanceledException)
                {
                    process.Kill(entireProcessTree: true);
                    throw;
                }
                return (process.ExitCode, await stdout, await stderr);
            }
        }
    }
}
