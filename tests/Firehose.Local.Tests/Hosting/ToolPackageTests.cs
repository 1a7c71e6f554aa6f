using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using System.Threading;
using System.Threading.Tasks;
using System.Xml.Linq;
using Firehose.Local.Tests.Infrastructure;
using Microsoft.VisualStudio.TestTools.UnitTesting;
using NLog.Targets.Firehose.Testing;

namespace Firehose.Local.Tests.Hosting
{
    /// <summary>
    /// Firehose Local as a user gets it: <c>dotnet pack</c> makes a dotnet tool package, <c>dotnet tool install</c>
    /// installs it in a temporary tool path (with NuGet's package folder and HTTP cache in the temporary directory, so
    /// nothing global changes), and the installed <c>firehose-local</c> command serves the API.
    /// </summary>
    [TestClass]
    public sealed class ToolPackageTests
    {
        [TestMethod]
        [Timeout(120_000, CooperativeCancellation = true)]
        public async Task ToolPackage_PackInstallAndRun_FirehoseLocalCommandServesListDeliveryStreams()
        {
            using var dir = new TempDirectory();
            string feed = Path.Combine(dir.Path, "feed");
            string toolPath = Path.Combine(dir.Path, "tools");
            var isolated = new Dictionary<string, string>
            {
                ["NUGET_PACKAGES"] = Path.Combine(dir.Path, "pkgs"),
                ["NUGET_HTTP_CACHE_PATH"] = Path.Combine(dir.Path, "http-cache"),
                ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1",
                ["DOTNET_NOLOGO"] = "1",
            };

            // The test project's build has built src/Firehose.Local in the same configuration: pack without rebuilding it.
            await RunAsync("dotnet", new[] { "pack", Path.Combine(TestPaths.RepositoryRoot, "src", "Firehose.Local"), "-c", TestPaths.Configuration, "--no-build", "-o", feed }, isolated, dir.Path);
            string package = Directory.GetFiles(feed, "Firehose.Local.*.nupkg").Single();
            using (ZipArchive zip = ZipFile.OpenRead(package))
            {
                ZipArchiveEntry settings = zip.Entries.Single(e => Regex.IsMatch(e.FullName, @"^tools/[^/]+/any/DotnetToolSettings\.xml$"));
                XElement toolCommand;
                using (Stream stream = settings.Open())
                    toolCommand = XDocument.Load(stream).Descendants("Command").Single();
                Assert.AreEqual("firehose-local", toolCommand.Attribute("Name")?.Value);
                Assert.AreEqual("Firehose.Local.dll", toolCommand.Attribute("EntryPoint")?.Value);
                Assert.IsTrue(zip.Entries.Any(e => e.FullName == settings.FullName.Replace("DotnetToolSettings.xml", "Firehose.Local.dll", StringComparison.Ordinal)), "the entry point is in the package");
            }

            await RunAsync("dotnet", new[] { "tool", "install", "--tool-path", toolPath, "--add-source", feed, "Firehose.Local" }, isolated, dir.Path);
            string command = Path.Combine(toolPath, OperatingSystem.IsWindows() ? "firehose-local.exe" : "firehose-local");
            Assert.IsTrue(File.Exists(command), "installed command: " + command);

            // The installed tool with its packaged defaults (keys, signatures verified) and a stream from the command line.
            var start = new ProcessStartInfo(command)
            {
                WorkingDirectory = dir.Path,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            foreach (string argument in new[]
            {
                "--FirehoseLocal:Port=0",
                "--FirehoseLocal:DataDirectory=" + Path.Combine(dir.Path, "data"),
                "--FirehoseLocal:Streams:0:DeliveryStreamName=packed",
                "--FirehoseLocal:Streams:0:ExtendedS3DestinationConfiguration:RoleARN=" + TestServer.RoleArn,
                "--FirehoseLocal:Streams:0:ExtendedS3DestinationConfiguration:BucketARN=arn:aws:s3:::packed-bucket",
            })
                start.ArgumentList.Add(argument);
            using Process process = Process.Start(start)!;
            try
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
                string line = await process.StandardOutput.ReadLineAsync(timeout.Token) ?? string.Empty;
                Match url = Regex.Match(line, @"listening on (http://127\.0\.0\.1:\d+/)");
                Assert.IsTrue(url.Success, "startup line: " + line + (process.HasExited ? " / " + await process.StandardError.ReadToEndAsync() : string.Empty));
                StringAssert.Contains(line, "signatures verified");

                using (var client = new LocalClient(new Uri(url.Groups[1].Value), "us-east-1", "AKIAFIREHOSELOCAL", "firehose-local-secret"))
                {
                    ApiResponse list = await client.CallAsync("ListDeliveryStreams", new JsonObject());
                    Assert.AreEqual(200, list.Status, list.ToString());
                    CollectionAssert.AreEqual(new[] { "packed" }, list.Body!["DeliveryStreamNames"]!.AsArray().Select(n => n!.GetValue<string>()).ToArray());
                }

                if (OperatingSystem.IsLinux() || OperatingSystem.IsMacOS())
                {
                    using (Process kill = Process.Start("kill", new[] { "-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture) })!)
                        await kill.WaitForExitAsync(timeout.Token);
                    await process.WaitForExitAsync(timeout.Token);
                    Assert.AreEqual(0, process.ExitCode, "a clean stop on SIGTERM");
                }
            }
            finally
            {
                if (!process.HasExited)
                    process.Kill(entireProcessTree: true);
            }
        }

        private static async Task RunAsync(string file, IEnumerable<string> arguments, IReadOnlyDictionary<string, string> environment, string workingDirectory)
        {
            var start = new ProcessStartInfo(file)
            {
                WorkingDirectory = workingDirectory,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            foreach (string argument in arguments)
                start.ArgumentList.Add(argument);
            foreach (var pair in environment)
                start.Environment[pair.Key] = pair.Value;
            using Process process = Process.Start(start)!;
            var (exitCode, stdout, stderr) = await ChildProcess.RunToExitAsync(process, TimeSpan.FromSeconds(90));
            Assert.AreEqual(0, exitCode, $"{file} {string.Join(' ', arguments)}:\n{stdout}\n{stderr}");
        }
    }
}
