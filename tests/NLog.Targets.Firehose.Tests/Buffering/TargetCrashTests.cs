using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.VisualStudio.TestTools.UnitTesting;
using NLog.Targets.Firehose.Tests.Infrastructure;

namespace NLog.Targets.Firehose.Tests.Buffering
{
    /// <summary>
    /// A process running the real target with a disk buffer is killed with SIGKILL during an outage; a target started
    /// again on the same directory must deliver every event the killed process had written to the buffer.
    /// </summary>
    [TestClass]
    public class TargetCrashTests
    {
        [TestMethod]
        public async Task Target_KilledDuringOutageWithDiskBuffer_EveryBufferedEventArrivesAfterRestart()
        {
            await using var server = await LoopbackFirehose.StartAsync();
            server.Faults.Outage = true;
            using var dir = new TempDirectory();
            var environment = new Dictionary<string, string?>
            {
                ["AWS_ACCESS_KEY_ID"] = LoopbackFirehose.AccessKey,
                ["AWS_SECRET_ACCESS_KEY"] = LoopbackFirehose.SecretKey,
                ["AWS_EC2_METADATA_DISABLED"] = "true",
            };
            using var host = DiskBufferCrashTests.StartHost(new[] { "target", dir.Path, server.Url.ToString(), server.Region, "5000" }, environment);

            // Wait until the host has buffered at least two calls' worth, then kill it without warning.
            long buffered = 0;
            var readUntil = DateTime.UtcNow.AddSeconds(60);
            while (buffered < 1000 && DateTime.UtcNow < readUntil)
            {
                string? line = await host.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(60));
                if (line is null)
                    break;
                if (line.StartsWith("BUFFERED ", StringComparison.Ordinal))
                    buffered = long.Parse(line.Substring(9), CultureInfo.InvariantCulture);
            }
            host.Kill();   // SIGKILL: no flush, no close
            Assert.IsTrue(host.WaitForExit(30_000), "the host died");
            Assert.IsGreaterThanOrEqualTo(1000, buffered, "the host buffered events before it was killed: " + await host.StandardError.ReadToEndAsync());
            Assert.AreEqual(0, server.AcceptedCount, "nothing was delivered during the outage");

            // The service is back; a new target on the same directory replays what the dead process had buffered.
            server.Faults.Outage = false;
            var target = server.NewTarget("crash-target");
            target.BufferDirectory = dir.Path;
            using var factory = TargetHarness.Configure(new LogFactory { ThrowConfigExceptions = true }, target);
            var expected = Enumerable.Range(0, (int)buffered).Select(i => "e-" + i.ToString(CultureInfo.InvariantCulture)).ToList();
            bool arrived = SpinWait.SpinUntil(() => expected.All(server.DistinctAcceptedIds().Contains), TimeSpan.FromSeconds(60));
            var ids = server.DistinctAcceptedIds();
            Assert.IsTrue(arrived, $"{expected.Count(id => !ids.Contains(id))} of {buffered} buffered events did not arrive");
            Assert.AreEqual(0, server.DuplicateCount(), "nothing sent twice");
        }
    }
}
