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

            Assert.AreEqual(1, process.ExitCode);
            StringAssert.Contains(await stderr, "FirehoseLocal:Streams:0");
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
