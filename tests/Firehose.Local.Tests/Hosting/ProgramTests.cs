using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.RegularExpressions;
using System.Threading;
using System.Threading.Tasks;
using Firehose.Local.Tests.Infrastructure;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace Firehose.Local.Tests.Hosting
{
    /// <summary>The <c>firehose-local</c> tool as a process: settings from appsettings.json and the command line, startup line, SIGTERM.</summary>
    [TestClass]
    public sealed class ProgramTests
    {
        [TestMethod]
        public async Task Program_SettingsFileAndCommandLine_ServesThenFlushesOnSigterm()
        {
            if (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS())
                Assert.Inconclusive("sends SIGTERM with kill(1)");
            using var dir = new TempDirectory();
            // appsettings.json in the working directory declares the stream; the command line sets the port, keys and data directory.
            File.WriteAllText(Path.Combine(dir.Path, "appsettings.json"), """
                {"FirehoseLocal":{"Port":4573,"Streams":[{"DeliveryStreamName":"tool","ExtendedS3DestinationConfiguration":
                  {"RoleARN":"arn:aws:iam::123456789012:role/r","BucketARN":"arn:aws:s3:::tool-bucket"}}]}}
                """);
            var start = new ProcessStartInfo("dotnet")
            {
                WorkingDirectory = dir.Path,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Firehose.Local.dll"));
            start.ArgumentList.Add("--FirehoseLocal:Port=0");
            start.ArgumentList.Add("--FirehoseLocal:AccessKey=" + TestServer.AccessKey);
            start.ArgumentList.Add("--FirehoseLocal:SecretKey=" + TestServer.SecretKey);
            start.ArgumentList.Add("--FirehoseLocal:DataDirectory=" + Path.Combine(dir.Path, "data"));
            using var process = Process.Start(start)!;
            try
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
                string line = await process.StandardOutput.ReadLineAsync(timeout.Token) ?? string.Empty;
                Match url = Regex.Match(line, @"listening on (http://127\.0\.0\.1:\d+/)");
                Assert.IsTrue(url.Success, "startup line: " + line + " / " + await ReadErrorAsync(process));
                StringAssert.Contains(line, "streams: tool");
                Assert.AreNotEqual("4573", new Uri(url.Groups[1].Value).Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "the command line overrides appsettings.json");

                using (var client = new LocalClient(new Uri(url.Groups[1].Value), "us-east-1", TestServer.AccessKey, TestServer.SecretKey))
                    Assert.AreEqual(200, (await client.PutRecordAsync("tool", Encoding.UTF8.GetBytes("via the tool"))).Status);
                using (var kill = Process.Start("kill", new[] { "-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture) })!)
                    await kill.WaitForExitAsync(timeout.Token);
                await process.WaitForExitAsync(timeout.Token);

                Assert.AreEqual(0, process.ExitCode);
                string bucket = Path.Combine(dir.Path, "data", "tool-bucket");
                Assert.AreEqual("via the tool", File.ReadAllText(Path.Combine(bucket, TestServer.Files(bucket).Single())));
            }
            finally
            {
                if (!process.HasExited)
                    process.Kill(entireProcessTree: true);
            }
        }

        [TestMethod]
        public async Task Program_InvalidStreamSetting_ExitCode1WithMessage()
        {
            using var dir = new TempDirectory();
            var start = new ProcessStartInfo("dotnet")
            {
                WorkingDirectory = dir.Path,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Firehose.Local.dll"));
            start.ArgumentList.Add("--FirehoseLocal:Port=0");
            start.ArgumentList.Add("--FirehoseLocal:Streams:0:DeliveryStreamName=bad name");
            using var process = Process.Start(start)!;
            var (exitCode, _, stderr) = await ChildProcess.RunToExitAsync(process, TimeSpan.FromSeconds(30));

            Assert.AreEqual(1, exitCode);
            StringAssert.Contains(stderr, "FirehoseLocal:Streams:0");
        }

        [TestMethod]
        public async Task Program_SecondCtrlCWhileStopDelivers_ExitsAtOnce()
        {
            if (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS())
                Assert.Inconclusive("sends SIGINT with kill(1)");
            using var dir = new TempDirectory();
            await using var cluster = await LoopbackBulkEndpoint.StartAsync();
            var never = new TaskCompletionSource();
            cluster.Gate = never.Task;   // the cluster never answers
            File.WriteAllText(Path.Combine(dir.Path, "appsettings.json"), """
                {"FirehoseLocal":{"Streams":[{"DeliveryStreamName":"os","AmazonopensearchserviceDestinationConfiguration":
                  {"RoleARN":"arn:aws:iam::123456789012:role/r","ClusterEndpoint":"CLUSTER","IndexName":"i","RetryOptions":{"DurationInSeconds":7200},
                   "S3Configuration":{"RoleARN":"arn:aws:iam::123456789012:role/r","BucketARN":"arn:aws:s3:::backup"}}}]}}
                """.Replace("CLUSTER", cluster.Url.ToString(), StringComparison.Ordinal));
            using Process process = StartTool(dir.Path);
            try
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
                string line = await process.StandardOutput.ReadLineAsync(timeout.Token) ?? string.Empty;
                Match url = Regex.Match(line, @"listening on (http://127\.0\.0\.1:\d+/)");
                Assert.IsTrue(url.Success, "startup line: " + line + " / " + await ReadErrorAsync(process));
                using (var client = new LocalClient(new Uri(url.Groups[1].Value), "us-east-1", TestServer.AccessKey, TestServer.SecretKey))
                    Assert.AreEqual(200, (await client.PutRecordAsync("os", Encoding.UTF8.GetBytes("{\"m\":1}"))).Status);

                await SignalAsync(process, "-INT", timeout.Token);
                string stopping = await process.StandardOutput.ReadLineAsync(timeout.Token) ?? string.Empty;
                StringAssert.Contains(stopping, "Firehose Local stopping: delivering buffered data");
                Assert.IsTrue(await TestServer.EventuallyAsync(() => !cluster.Requests.IsEmpty), "the final delivery reaches the (hanging) cluster");
                await SignalAsync(process, "-INT", timeout.Token);
                using var quick = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                await process.WaitForExitAsync(quick.Token);

                Assert.AreEqual(130, process.ExitCode);
            }
            finally
            {
                never.TrySetResult();
                if (!process.HasExited)
                    process.Kill(entireProcessTree: true);
            }
        }

        [TestMethod]
        public async Task Program_DeliveryImpossibleAtStop_StderrLineAndExitCode1()
        {
            if (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS())
                Assert.Inconclusive("sends SIGTERM with kill(1)");
            using var dir = new TempDirectory();
            Directory.CreateDirectory(Path.Combine(dir.Path, "data"));
            File.WriteAllText(Path.Combine(dir.Path, "data", "blocked"), "a file where the bucket directory should be");
            File.WriteAllText(Path.Combine(dir.Path, "appsettings.json"), """
                {"FirehoseLocal":{"Streams":[{"DeliveryStreamName":"tool","ExtendedS3DestinationConfiguration":
                  {"RoleARN":"arn:aws:iam::123456789012:role/r","BucketARN":"arn:aws:s3:::blocked"}}]}}
                """);
            using Process process = StartTool(dir.Path);
            try
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
                Task<string> stderr = process.StandardError.ReadToEndAsync(timeout.Token);
                string line = await process.StandardOutput.ReadLineAsync(timeout.Token) ?? string.Empty;
                Match url = Regex.Match(line, @"listening on (http://127\.0\.0\.1:\d+/)");
                Assert.IsTrue(url.Success, "startup line: " + line);
                using (var client = new LocalClient(new Uri(url.Groups[1].Value), "us-east-1", TestServer.AccessKey, TestServer.SecretKey))
                    Assert.AreEqual(200, (await client.PutRecordAsync("tool", Encoding.UTF8.GetBytes("lost"))).Status);

                await SignalAsync(process, "-TERM", timeout.Token);
                await process.WaitForExitAsync(timeout.Token);

                string error = await stderr;
                Assert.AreEqual(1, process.ExitCode, error);
                StringAssert.Contains(error, "firehose-local: stream tool: 1 records (4 bytes) could not be delivered");
            }
            finally
            {
                if (!process.HasExited)
                    process.Kill(entireProcessTree: true);
            }
        }

        private static Process StartTool(string workingDirectory)
        {
            var start = new ProcessStartInfo("dotnet")
            {
                WorkingDirectory = workingDirectory,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Firehose.Local.dll"));
            start.ArgumentList.Add("--FirehoseLocal:Port=0");
            start.ArgumentList.Add("--FirehoseLocal:AccessKey=" + TestServer.AccessKey);
            start.ArgumentList.Add("--FirehoseLocal:SecretKey=" + TestServer.SecretKey);
            start.ArgumentList.Add("--FirehoseLocal:DataDirectory=" + Path.Combine(workingDirectory, "data"));
            return Process.Start(start)!;
        }

        private static async Task SignalAsync(Process process, string signal, CancellationToken cancellationToken)
        {
            using var kill = Process.Start("kill", new[] { signal, process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture) })!;
            await kill.WaitForExitAsync(cancellationToken);
        }

        [TestMethod]
        public async Task Program_FaultRateOutOfRange_ExitCode1WithMessage()
        {
            using var dir = new TempDirectory();
            var start = new ProcessStartInfo("dotnet")
            {
                WorkingDirectory = dir.Path,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Firehose.Local.dll"));
            start.ArgumentList.Add("--FirehoseLocal:Port=0");
            start.ArgumentList.Add("--FirehoseLocal:Faults:ThrottleRate=2");
            using var process = Process.Start(start)!;
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            Task<string> stderr = process.StandardError.ReadToEndAsync(timeout.Token);
            try
            {
                await process.WaitForExitAsync(timeout.Token);
            }
            finally
            {
                if (!process.HasExited)
                    process.Kill(entireProcessTree: true);
            }

            string error = await stderr;
            Assert.AreEqual(1, process.ExitCode, error);
            StringAssert.StartsWith(error, "firehose-local: ");
            StringAssert.Contains(error, "between 0 and 1");
            Assert.DoesNotContain("   at ", error, "no stack trace");
        }

        private static async Task<string> ReadErrorAsync(Process process)
        {
            if (!process.HasExited)
                return "(still running)";
            return await process.StandardError.ReadToEndAsync();
        }
    }
}
