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
    /// DeleteDeliveryStream, and the error answers botocore must parse. FIREHOSE_PYTHON picks the interpreter; without
    /// botocore the test is inconclusive, or fails where FIREHOSE_REQUIRE_BOTOCORE=1 (CI).
    /// </summary>
    [TestClass]
    public sealed class BotocoreClientTests
    {
        private static readonly string Python = Environment.GetEnvironmentVariable("FIREHOSE_PYTHON") is { Length: > 0 } python ? python : "python3";
        private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

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
            out["list"] = firehose.list_delivery_streams()["DeliveryStreamNames"]
            out["missing"] = error_of(lambda: firehose.describe_delivery_stream(DeliveryStreamName="nope"))
            out["duplicate"] = error_of(lambda: firehose.create_delivery_stream(
                DeliveryStreamName="boto", ExtendedS3DestinationConfiguration={
                    "RoleARN": "arn:aws:iam::123456789012:role/firehose", "BucketARN": "arn:aws:s3:::boto-bucket"}))
            out["too_many"] = error_of(lambda: firehose.put_record_batch(DeliveryStreamName="boto", Records=[{"Data": b"x"}] * 501))
            out["bad_signature"] = error_of(lambda: client("wrong-secret").list_delivery_streams())
            firehose.delete_delivery_stream(DeliveryStreamName="boto")
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
            await using var server = await TestServer.StartAsync(dir.Path, o => o.Streams.Add(TestServer.S3Stream("preset")));
            var spec = new JsonObject
            {
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
            Assert.AreEqual(DateTime.UtcNow.Year, result["describe"]!["created_year"]!.GetValue<int>());
            Assert.AreEqual("arn:aws:s3:::boto-bucket", result["describe"]!["bucket"]!.GetValue<string>());
            CollectionAssert.AreEqual(new[] { "boto", "preset" }, result["list"]!.AsArray().Select(n => n!.GetValue<string>()).ToArray());
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
