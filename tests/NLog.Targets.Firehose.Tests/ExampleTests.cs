using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text.Json;
using System.Threading.Tasks;
using Microsoft.Extensions.Configuration;
using Microsoft.VisualStudio.TestTools.UnitTesting;
using NLog.Extensions.Logging;
using NLog.Targets.Firehose.Tests.Infrastructure;
using NLog.Targets.Firehose.Testing;

namespace NLog.Targets.Firehose.Tests
{
    /// <summary>
    /// The console example as a user runs it: its own process, its nlog.config, pointed by FIREHOSE_SERVICE_URL at a
    /// Firehose-compatible endpoint with credentials from environment variables.
    /// </summary>
    [TestClass]
    public class ExampleTests
    {
        [TestMethod]
        public async Task ConsoleExample_PointedAtEndpointWithEnvironmentCredentials_DeliversSignedRecords()
        {
            await using var server = await LocalFirehose.StartAsync("us-east-1", "example-stream");
            var environment = new Dictionary<string, string?>
            {
                ["AWS_PROFILE"] = null,
                ["AWS_SESSION_TOKEN"] = null,
                ["AWS_DEFAULT_REGION"] = null,
                ["FIREHOSE_SERVICE_URL"] = server.Url.ToString(),
                ["FIREHOSE_STREAM"] = "example-stream",
                ["AWS_REGION"] = "us-east-1",
                ["AWS_ACCESS_KEY_ID"] = server.AccessKey,
                ["AWS_SECRET_ACCESS_KEY"] = server.SecretKey,
                ["AWS_EC2_METADATA_DISABLED"] = "true",
            };
            using var process = BuiltProgram.Start(Path.Combine("examples", "ConsoleApp"), "ConsoleApp", System.Array.Empty<string>(), environment);
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            bool exited = process.WaitForExit(60_000);
            if (!exited)
                process.Kill(entireProcessTree: true);
            Assert.IsTrue(exited, "the example did not finish within 60 s");
            string output = await stdout + await stderr;
            Assert.AreEqual(0, process.ExitCode, output);

            // Firehose Local accepted only correctly signed calls within the limits, and delivered them to its local S3.
            var docs = (await server.DeliveredAsync("example-stream")).Select(t => JsonDocument.Parse(t).RootElement).ToList();
            CollectionAssert.AreEqual(new[] { "info", "warn", "error" }, docs.Select(d => d.GetProperty("log.level").GetString()).ToArray(), output);
            Assert.IsTrue(docs.All(d => d.GetProperty("service.name").GetString() == "firehose-console-example"));
            string stack = docs[2].GetProperty("error.stack_trace").GetString()!;
            StringAssert.Contains(stack, "PlaceOrder");
            StringAssert.Contains(stack, "System.TimeoutException: payment service did not answer for order 42");
        }
    

        [TestMethod]
        public async Task Quickstart_OneCommand_RecordsInDailyIndexAndBackup()
        {
            string data = Path.Combine(Path.GetTempPath(), "quickstart-test-" + System.Guid.NewGuid().ToString("N"));
            try
            {
                // A previous run into the same directory: its index file and backup object stay, and are not this run's events.
                string previousIndex = Path.Combine(data, "_indexes", "logging-test", "logging-test-2020-01-01.ndjson");
                string previousBackup = Path.Combine(data, "logging-test-backup", "2020", "01", "01", "00", "logging-test-1-2020-01-01-00-00-00-00000000-0000-0000-0000-000000000000");
                Directory.CreateDirectory(Path.GetDirectoryName(previousIndex)!);
                Directory.CreateDirectory(Path.GetDirectoryName(previousBackup)!);
                File.WriteAllText(previousIndex, "{\"previous\":\"run\"}\n");
                File.WriteAllText(previousBackup, "{\"previous\":\"run\"}\n");
                var environment = new Dictionary<string, string?> { ["AWS_EC2_METADATA_DISABLED"] = "true" };
                using var process = BuiltProgram.Start(Path.Combine("examples", "Quickstart"), "Quickstart", new[] { "--data", data }, environment);
                var stdout = process.StandardOutput.ReadToEndAsync();
                var stderr = process.StandardError.ReadToEndAsync();
                bool exited = process.WaitForExit(90_000);
                if (!exited)
                    process.Kill(entireProcessTree: true);
                Assert.IsTrue(exited, "the quickstart did not finish within 90 s");
                string output = await stdout + await stderr;
                Assert.AreEqual(0, process.ExitCode, output);
                StringAssert.Contains(output, "All 21 events reached the index and the backup.", output);

                // The index is rotated daily: logging-test-YYYY-MM-DD, one JSON document per line.
                StringAssert.DoesNotMatch(output, new System.Text.RegularExpressions.Regex("2020-01-01"), "the previous run's files are not listed");
                string[] indexFiles = Directory.GetFiles(Path.Combine(data, "_indexes", "logging-test"), "*.ndjson").Where(f => f != previousIndex).ToArray();
                Assert.IsNotEmpty(indexFiles, output);
                StringAssert.Matches(Path.GetFileName(indexFiles[0]), new System.Text.RegularExpressions.Regex(@"^logging-test-\d{4}-\d{2}-\d{2}\.ndjson$"));
                var docs = indexFiles.SelectMany(File.ReadLines).Where(l => l.Length > 0).Select(l => JsonDocument.Parse(l).RootElement).ToList();
                Assert.HasCount(21, docs);
                CollectionAssert.AreEquivalent(new[] { "orders-api", "billing-api" }, docs.Select(d => d.GetProperty("service.name").GetString()).Distinct().ToList());
                Assert.AreEqual(3, docs.Count(d => d.GetProperty("log.level").GetString() == "error"));
                Assert.AreEqual(3, docs.Select(d => d.GetProperty("instance").GetString()).Distinct().Count(), "three app instances");
                Assert.IsTrue(docs.Where(d => d.GetProperty("log.level").GetString() == "error").All(d => d.GetProperty("error.stack_trace").GetString()!.Contains("ChargeCard")));

                // The S3 backup (AllDocuments) holds every record, under Firehose's key layout YYYY/MM/DD/HH/.
                var backup = Directory.GetFiles(Path.Combine(data, "logging-test-backup"), "*", SearchOption.AllDirectories).Where(f => f != previousBackup).ToArray();
                Assert.IsNotEmpty(backup, output);
                StringAssert.Matches(Path.GetRelativePath(Path.Combine(data, "logging-test-backup"), backup[0]).Replace('\\', '/'),
                    new System.Text.RegularExpressions.Regex(@"^\d{4}/\d{2}/\d{2}/\d{2}/logging-test-1-\d{4}-\d{2}-\d{2}-\d{2}-\d{2}-\d{2}-[0-9a-f-]{36}$"));
                Assert.AreEqual(21, backup.Sum(f => File.ReadAllText(f).Split('\n', System.StringSplitOptions.RemoveEmptyEntries).Length));
            }
            finally
            {
                if (Directory.Exists(data))
                    Directory.Delete(data, recursive: true);
            }
        }

        [TestMethod]
        public void ReadmeSnippets_HostingLambdaMetricsAndHealth_CompiledInExamples()
        {
            // Every C# block of these README sections appears, line for line (comment-only lines aside), in
            // examples/Snippets or examples/WorkerService, which the solution compiles.
            static string Code(string text) => string.Join("\n", text.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith("//", System.StringComparison.Ordinal)));
            string readme = File.ReadAllText(Path.Combine(TestPaths.RepositoryRoot, "README.md")).Replace("\r\n", "\n");
            string snippets = string.Join("\n", Directory.GetFiles(Path.Combine(TestPaths.RepositoryRoot, "examples", "Snippets"), "*.cs")
                .Concat(Directory.GetFiles(Path.Combine(TestPaths.RepositoryRoot, "examples", "WorkerService"), "*.cs"))
                .Select(f => Code(File.ReadAllText(f))));
            int checkedBlocks = 0;
            foreach (string section in new[] { "## .NET hosting", "## AWS Lambda and other short-lived processes", "## Metrics", "## Health" })
            {
                int start = readme.IndexOf(section, System.StringComparison.Ordinal);
                Assert.IsGreaterThanOrEqualTo(0, start, section);
                int end = readme.IndexOf("\n## ", start + section.Length, System.StringComparison.Ordinal);
                string body = readme.Substring(start, (end < 0 ? readme.Length : end) - start);
                foreach (System.Text.RegularExpressions.Match block in System.Text.RegularExpressions.Regex.Matches(body, "```csharp\n(.*?)```", System.Text.RegularExpressions.RegexOptions.Singleline))
                {
                    StringAssert.Contains(snippets, Code(block.Groups[1].Value), "README block not in examples/Snippets: " + block.Groups[1].Value);
                    checkedBlocks++;
                }
            }
            Assert.AreEqual(5, checkedBlocks);
        }

        [TestMethod]
        public void ReadmeAppSettingsBlock_LoadedThroughNLogExtensionsLogging_BuildsFirehoseTarget()
        {
            // The README's appsettings.json block (".NET hosting"), as Microsoft.Extensions.Configuration reads the file,
            // loaded the way the WorkerService does; throwConfigExceptions in the block makes an unknown option throw.
            string readme = File.ReadAllText(Path.Combine(TestPaths.RepositoryRoot, "README.md")).Replace("\r\n", "\n");
            int start = readme.IndexOf("## .NET hosting", System.StringComparison.Ordinal);
            int end = readme.IndexOf("\n## ", start + 1, System.StringComparison.Ordinal);
            var blocks = System.Text.RegularExpressions.Regex.Matches(readme.Substring(start, end - start), "```json\n(.*?)```", System.Text.RegularExpressions.RegexOptions.Singleline);
            Assert.HasCount(1, blocks, "one appsettings.json block in the hosting section");
            IConfiguration configuration = new ConfigurationBuilder()
                .AddJsonStream(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(blocks[0].Groups[1].Value)))
                .Build();

            using var factory = new LogFactory();
            factory.Setup().LoadConfigurationFromSection(configuration);

            var target = factory.Configuration!.FindTargetByName<FirehoseTarget>("firehose");
            Assert.IsNotNull(target, "the block's \"firehose\" target is a FirehoseTarget");
            var info = LogEventInfo.CreateNullEvent();
            Assert.AreEqual("worker-logs", target.DeliveryStreamName.Render(info));
            Assert.AreEqual("us-east-1", target.Region!.Render(info));
            Assert.AreEqual("orders-api", target.ServiceName!.Render(info));
            Assert.IsNotNull(target.ResolvedEndpoint, "initialised from the block");
            Assert.IsTrue(factory.GetLogger("Orders.Api").IsInfoEnabled, "the catch-all rule writes Info to the target");
            Assert.IsFalse(factory.GetLogger("Microsoft.Hosting.Lifetime").IsDebugEnabled, "Microsoft.* below Info is dropped");
            CollectionAssert.Contains(factory.Configuration.LoggingRules.SelectMany(r => r.Targets).ToList(), target);
        }

        [TestMethod]
        public void SampleConfig_EveryOptionWrittenOut_LoadsWithoutUnknownOptions()
        {
            string path = Path.Combine(TestPaths.RepositoryRoot, "nlog.sample.config");
            using var factory = new LogFactory();
            factory.Setup().LoadConfigurationFromFile(path);   // throwConfigExceptions="true" in the file: an unknown option throws
            var target = factory.Configuration!.FindTargetByName<FirehoseTarget>("firehose");
            Assert.IsNotNull(target);
            Assert.AreEqual(2000, target.BatchSize);
            Assert.AreEqual("\\n", target.RecordDelimiter);
            Assert.IsNotNull(target.ResolvedEndpoint, "the sample initialises with its defaults");

            // Every public option of the target (its own and inherited ones a user sets) is written out as an attribute.
            string text = File.ReadAllText(path);
            var options = typeof(FirehoseTarget).GetProperties(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Instance)
                .Where(p => p.CanWrite && p.SetMethod!.IsPublic && p.DeclaringType != typeof(Target) && p.DeclaringType != typeof(TargetWithLayout) && p.DeclaringType != typeof(TargetWithContext))
                .Select(p => p.Name)
                .ToList();
            CollectionAssert.IsSubsetOf(new[] { "DeliveryStreamName", "OversizeAction", "BatchSize", "QueueLimit", "OverflowAction" }, options);
            foreach (string option in options)
            {
                string attribute = char.ToLowerInvariant(option[0]) + option.Substring(1) + "=\"";
                StringAssert.Contains(text, attribute, "nlog.sample.config must write out " + option);
            }
        }
    }
}
