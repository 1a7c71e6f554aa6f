using System;
using System.IO;
using System.Linq;
using System.Text.Json;
using System.Threading.Tasks;
using Microsoft.VisualStudio.TestTools.UnitTesting;
using NLog.Targets.Firehose.Tests.Infrastructure;

namespace NLog.Targets.Firehose.Tests
{
    /// <summary>
    /// A real LogFactory shipping through the real target and HTTP client to the loopback endpoint, which verifies
    /// every signature and decodes every record.
    /// </summary>
    [TestClass]
    public class EndToEndTests
    {
        private static LogFactory Factory(FirehoseTarget target) => TargetHarness.Configure(new LogFactory { ThrowConfigExceptions = true }, target);

        [TestMethod]
        public async Task EndToEnd_DefaultLayout_SignedRecordsDecodeToEvents()
        {
            await using var server = await LocalFirehose.StartAsync("eu-west-1", "e2e-stream");
            var target = server.NewTarget("e2e-stream");
            target.ServiceName = "e2e-service";
            using var factory = Factory(target);
            var logger = factory.GetLogger("E2E.Logger");
            for (int i = 0; i < 1200; i++)
                logger.Info("event {Index}", i);
            try
            {
                throw new InvalidOperationException("boom");
            }
            catch (InvalidOperationException ex)
            {
                logger.Error(ex, "failed");
            }
            factory.Flush(TimeSpan.FromSeconds(30));

            // Firehose Local checked every signature and limit, and delivered the records to its local S3.
            Assert.AreEqual(0, target.Statistics.RecordsRejected + target.Statistics.RequestsFailed);
            Assert.IsGreaterThanOrEqualTo(3, target.Statistics.Requests, "1201 events need at least 3 calls of at most 500");
            var docs = (await server.DeliveredAsync("e2e-stream")).Select(t => JsonDocument.Parse(t).RootElement).ToList();
            Assert.HasCount(1201, docs);
            // Calls in flight at once may finish in any order: the records are all there, each once.
            var infos = docs.Where(d => d.TryGetProperty("Index", out _)).ToList();
            CollectionAssert.AreEquivalent(Enumerable.Range(0, 1200).ToList(), infos.Select(d => d.GetProperty("Index").GetInt32()).ToList());
            Assert.IsTrue(docs.All(d => d.GetProperty("service.name").GetString() == "e2e-service"));
            var error = docs.Single(d => !d.TryGetProperty("Index", out _));
            Assert.AreEqual("System.InvalidOperationException", error.GetProperty("error.type").GetString());
            StringAssert.Contains(error.GetProperty("error.stack_trace").GetString(), nameof(EndToEnd_DefaultLayout_SignedRecordsDecodeToEvents));
        }

        [TestMethod]
        public async Task EndToEnd_CredentialsFromEnvironmentVariables_AcceptedAsSigned()
        {
            await using var server = await LoopbackFirehose.StartAsync();
            var saved = new[] { "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN" }.ToDictionary(n => n, Environment.GetEnvironmentVariable);
            Environment.SetEnvironmentVariable("AWS_ACCESS_KEY_ID", LoopbackFirehose.AccessKey);
            Environment.SetEnvironmentVariable("AWS_SECRET_ACCESS_KEY", LoopbackFirehose.SecretKey);
            Environment.SetEnvironmentVariable("AWS_SESSION_TOKEN", "env-session-token");
            try
            {
                using var factory = Factory(new FirehoseTarget
                {
                    Name = "firehose",
                    DeliveryStreamName = "env-creds",
                    Region = "us-east-1",
                    ServiceUrl = server.Url.ToString(),
                });
                factory.GetLogger("Env").Info("from env credentials");
                factory.Flush(TimeSpan.FromSeconds(30));
            }
            finally
            {
                foreach (var pair in saved)
                    Environment.SetEnvironmentVariable(pair.Key, pair.Value);
            }
            var call = server.Calls.Single();
            Assert.IsNull(call.SignatureProblem);
            Assert.AreEqual("env-session-token", call.Headers["X-Amz-Security-Token"]);
            Assert.HasCount(1, server.Accepted);
        }

        [TestMethod]
        public async Task EndToEnd_CredentialsAndRegionFromProfile_AcceptedAsSigned()
        {
            await using var server = await LocalFirehose.StartAsync("eu-west-3", "profile-creds");
            string file = Path.GetTempFileName();
            File.WriteAllText(file, $"[logging]\naws_access_key_id = {server.AccessKey}\naws_secret_access_key = {server.SecretKey}\nregion = eu-west-3\n");
            try
            {
                var target = new FirehoseTarget("firehose")
                {
                    DeliveryStreamName = "profile-creds",
                    ServiceUrl = server.Url.ToString(),
                    Profile = "logging",
                    ProfilesLocation = file,
                };
                using var factory = Factory(target);
                Assert.AreEqual("eu-west-3", target.ResolvedRegion);
                factory.GetLogger("Profile").Info("from profile");
                factory.Flush(TimeSpan.FromSeconds(30));
            }
            finally
            {
                File.Delete(file);
            }
            CollectionAssert.AreEqual(new[] { "from profile" }, (await server.DeliveredAsync("profile-creds")).Select(t => JsonDocument.Parse(t).RootElement.GetProperty("message").GetString()).ToList(),
                "signed for eu-west-3 with the profile's keys, which Firehose Local checked");
        }

        [TestMethod]
        public async Task EndToEnd_NoCredentialsAnywhere_ClearErrorNotCrash()
        {
            await using var server = await LoopbackFirehose.StartAsync();
            using var log = new Infrastructure.InternalLogCapture(LogLevel.Warn);
            var saved = new[] { "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE", "AWS_SHARED_CREDENTIALS_FILE", "AWS_CONFIG_FILE", "AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_CONTAINER_CREDENTIALS_FULL_URI" }
                .ToDictionary(n => n, Environment.GetEnvironmentVariable);
            foreach (var name in saved.Keys)
                Environment.SetEnvironmentVariable(name, null);
            Environment.SetEnvironmentVariable("AWS_SHARED_CREDENTIALS_FILE", Path.Combine(Path.GetTempPath(), "no-such-credentials-" + Guid.NewGuid()));
            Environment.SetEnvironmentVariable("AWS_CONFIG_FILE", Path.Combine(Path.GetTempPath(), "no-such-config-" + Guid.NewGuid()));
            try
            {
                using var factory = Factory(new FirehoseTarget("firehose") { DeliveryStreamName = "no-creds", Region = "us-east-1", ServiceUrl = server.Url.ToString(), DeliveryTimeoutMilliseconds = 0 });
                factory.GetLogger("NoCreds").Info("nowhere to go");
                factory.Flush(TimeSpan.FromSeconds(30));
            }
            finally
            {
                foreach (var pair in saved)
                    Environment.SetEnvironmentVariable(pair.Key, pair.Value);
            }
            Assert.IsEmpty(server.Calls);
            StringAssert.Contains(log.Text, "No AWS credentials found");
            StringAssert.Contains(log.Text, "stopped sending to stream 'no-creds': NoCredentials. To fix: set AccessKey/SecretKey");
        }
    }
}
