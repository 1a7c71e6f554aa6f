using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.VisualStudio.TestTools.UnitTesting;
using NLog.Targets.Firehose.Tests.Infrastructure;

namespace NLog.Targets.Firehose.Tests.Hosting
{
    /// <summary>
    /// examples/WorkerService as a user runs it: a Generic Host BackgroundService logging through ILogger&lt;T&gt;, its
    /// appsettings.json "NLog" section pointed at Firehose Local by environment variables, stopped with SIGTERM while it
    /// logs every few milliseconds: every event logged before the stop, and the one logged by StopAsync, is delivered.
    /// </summary>
    [TestClass]
    public class WorkerServiceTests
    {
        [TestMethod]
        [OSCondition(OperatingSystems.Linux | OperatingSystems.OSX)]
        public async Task WorkerService_SigtermWhileLogging_EveryEventDeliveredAndMetricsExported()
        {
            await using var server = await LocalFirehose.StartAsync("us-east-1", "worker-logs");
            var environment = new Dictionary<string, string?>
            {
                ["AWS_PROFILE"] = null,
                ["AWS_EC2_METADATA_DISABLED"] = "true",
                ["DOTNET_ENVIRONMENT"] = "Production",
                ["NLog__targets__firehose__serviceUrl"] = server.Url.ToString(),
                ["NLog__targets__firehose__accessKey"] = server.AccessKey,
                ["NLog__targets__firehose__secretKey"] = server.SecretKey,
            };
            using Process process = BuiltProgram.Start(Path.Combine("examples", "WorkerService"), "WorkerService",
                new[] { "--Metrics:Console", "true", "--Metrics:ExportIntervalMilliseconds", "1000" }, environment);
            var output = new ConcurrentQueue<string>();
            using var started = new ManualResetEventSlim();
            process.OutputDataReceived += (_, e) =>
            {
                if (e.Data is null)
                    return;
                output.Enqueue(e.Data);
                if (e.Data.Contains("Worker started", StringComparison.Ordinal))
                    started.Set();
            };
            process.ErrorDataReceived += (_, e) =>
            {
                if (e.Data != null)
                    output.Enqueue("stderr: " + e.Data);
            };
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            string Output() => string.Join("\n", output);

            try
            {
                Assert.IsTrue(started.Wait(TimeSpan.FromSeconds(60)), "the worker did not start: " + Output());
                await Task.Delay(1500);   // logging every 5 ms, with calls in flight and events queued
                using (Process kill = Process.Start("kill", "-TERM " + process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture))!)
                    await kill.WaitForExitAsync();
                Assert.IsTrue(process.WaitForExit(60_000), "the host did not stop within 60 s after SIGTERM: " + Output());
                process.WaitForExit();   // the rest of the redirected output
            }
            finally
            {
                if (!process.HasExited)
                    process.Kill(entireProcessTree: true);
            }
            Assert.AreEqual(0, process.ExitCode, Output());
            // After host.Run() the example asks the target it kept: NLog closed it (a target left open says Idle).
            StringAssert.Contains(Output(), "Host stopped; Firehose target state: NotInitialized", "the host's stop closed the target");

            var docs = (await server.DeliveredAsync("worker-logs")).Select(t => JsonDocument.Parse(t).RootElement).ToList();
            JsonElement stopping = docs.Single(d => d.TryGetProperty("EventName", out var n) && n.GetString() == "Stopping");
            long count = stopping.GetProperty("Count").GetInt64();
            Assert.IsGreaterThan(10L, count, "the worker logged for a while: " + Output());
            var numbers = docs.Where(d => d.TryGetProperty("Number", out _)).Select(d => d.GetProperty("Number").GetInt64()).ToList();
            CollectionAssert.AreEquivalent(Enumerable.Range(1, (int)count).Select(i => (long)i).ToList(), numbers.Distinct().ToList(),
                "every numbered event logged before SIGTERM was delivered");
            JsonElement tick = docs.First(d => d.TryGetProperty("Number", out _));
            Assert.AreEqual("firehose-worker-example", tick.GetProperty("service.name").GetString());
            Assert.AreEqual(process.Id, tick.GetProperty("WorkerId").GetInt32(), "the BeginScope state");
            Assert.AreEqual("Firehose.Examples.WorkerService.Worker", tick.GetProperty("log.logger").GetString());

            // --Metrics:Console true: OpenTelemetry's console exporter printed the target's metrics.
            StringAssert.Contains(Output(), "firehose.events.received");
            StringAssert.Contains(Output(), "firehose.request.duration");
        }
    }
}
