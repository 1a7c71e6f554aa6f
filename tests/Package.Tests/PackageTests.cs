using System;
using System.Collections.Generic;
using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Security;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using System.Threading;
using System.Threading.Tasks;
using System.Xml.Linq;
using Firehose.Local;
using Microsoft.VisualStudio.TestTools.UnitTesting;
using NLog.Targets.Firehose.Testing;

namespace Package.Tests
{
    /// <summary>
    /// The NuGet package as a user gets it: <c>dotnet pack</c> of the library into a folder feed (once, for the class),
    /// console projects outside the repository (so none of the repository's build settings apply) that reference the
    /// package by version, each restored into a package folder of its own, configured only by its nlog.config,
    /// shipping to Firehose Local on a loopback port: one on the package's net8.0 library, as NuGet picks it for the
    /// runtime, and one on its netstandard2.0 library, as a .NET Framework application gets it.
    /// </summary>
    [TestClass]
    public sealed class PackageTests
    {
        private const string PackageId = "NLog.Targets.Firehose";
        private const string Stream = "package-test";
        private const string Bucket = "delivered";
        private const int EventCount = 5;

        // Packed once by PackAsync, for every test of the class.
        private static string s_root = null!;
        private static string s_feed = null!;
        private static string s_version = null!;
        private static string s_nupkg = null!;

        public TestContext TestContext { get; set; } = null!;

        /// <summary>Packs the library into a folder feed in a temporary directory outside the repository, as a release would.</summary>
        [ClassInitialize]
        [Timeout(180_000)]
        public static async Task PackAsync(TestContext context)
        {
            // A version no NuGet cache can hold yet, so a restore can only take the package packed here.
            s_version = "0.1.0-test." + DateTime.UtcNow.ToString("yyyyMMddHHmmss") + "." + Guid.NewGuid().ToString("N").Substring(0, 8);
            s_root = Path.Combine(Path.GetTempPath(), "firehose-package-test-" + Guid.NewGuid().ToString("N"));
            Assert.IsFalse(s_root.StartsWith(TestPaths.RepositoryRoot, StringComparison.Ordinal), "the consumers must live outside the repository");
            s_feed = Path.Combine(s_root, "feed");

            // Its own output paths, so the solution's build output is left alone.
            CliResult pack = await DotnetCli.RunAsync(
                TestPaths.RepositoryRoot,
                new[]
                {
                    "pack", Path.Combine("src", PackageId, PackageId + ".csproj"), "-c", "Release", "-o", s_feed,
                    "-p:Version=" + s_version, "--artifacts-path", Path.Combine(s_root, "artifacts"), "--disable-build-servers",
                },
                null, TimeSpan.FromSeconds(150), context.CancellationToken);
            context.WriteLine($"pack: {pack.Duration.TotalSeconds:0.0} s");
            Assert.AreEqual(0, pack.ExitCode, pack.Output);
            Assert.IsFalse(Regex.IsMatch(pack.Output, @":\s+warning\s"), "dotnet pack warned:\n" + pack.Output);

            s_nupkg = Path.Combine(s_feed, $"{PackageId}.{s_version}.nupkg");
            Assert.IsTrue(File.Exists(s_nupkg), "no package at " + s_nupkg + "\n" + pack.Output);
            Assert.IsTrue(File.Exists(Path.Combine(s_feed, $"{PackageId}.{s_version}.snupkg")), "no symbol package beside " + s_nupkg);
        }

        [ClassCleanup]
        public static void DeleteRoot()
        {
            try
            {
                if (s_root is not null && Directory.Exists(s_root))
                    Directory.Delete(s_root, recursive: true);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // best effort
            }
        }

        [TestMethod]
        public void Package_Packed_CarriesBothLibrariesAndTheirDependencyGroups()
        {
            AssertPackageContents(s_nupkg, s_version);
        }

        [TestMethod]
        [Timeout(180_000)]
        public async Task Package_RestoredFromFolderFeed_ShipsToLoopbackEndpoint()
        {
            await ShipThroughConsumerAsync(netStandardLibrary: false);
        }

        [TestMethod]
        [Timeout(180_000)]
        public async Task Package_NetStandard20LibraryRestoredFromFolderFeed_ShipsToLoopbackEndpoint()
        {
            await ShipThroughConsumerAsync(netStandardLibrary: true);
        }

        /// <summary>
        /// A consumer of the package restores, builds and runs, and its events arrive. With
        /// <paramref name="netStandardLibrary"/> it runs the package's lib/netstandard2.0 assembly with the
        /// netstandard2.0 dependency group (what NuGet gives a .NET Framework project), on this runtime.
        /// </summary>
        private async Task ShipThroughConsumerAsync(bool netStandardLibrary)
        {
            CancellationToken cancel = TestContext.CancellationToken;
            string name = netStandardLibrary ? "netstandard2.0" : "default";
            string consumer = Path.Combine(s_root, "consumer-" + name);
            string packages = Path.Combine(s_root, "packages-" + name);
            Directory.CreateDirectory(consumer);
            var log = new StringBuilder();
            try
            {
                // 1. A consumer project outside the repository, with the folder feed and this machine's own sources.
                IReadOnlyList<(string Name, string Url)> sources = await MachineSourcesAsync(consumer, cancel);
                await WriteConsumerAsync(consumer, s_feed, sources, s_version, netStandardLibrary ? NetStandardDependencies(s_nupkg) : null, cancel);

                await using FirehoseLocalServer server = await FirehoseLocalServer.StartAsync(new FirehoseLocalOptions
                {
                    Port = 0,
                    Region = "eu-west-1",
                    AccessKey = "AKIDPACKAGETEST",
                    SecretKey = "package-test-secret",
                    DataDirectory = Path.Combine(s_root, "firehose-data-" + name),
                    Streams =
                    {
                        new DeliveryStreamDefinition
                        {
                            DeliveryStreamName = Stream,
                            DeliveryStreamType = "DirectPut",
                            ExtendedS3DestinationConfiguration = new S3DestinationConfiguration
                            {
                                RoleARN = "arn:aws:iam::000000000000:role/firehose",
                                BucketARN = "arn:aws:s3:::" + Bucket,
                                Prefix = Stream + "/",
                                BufferingHints = new BufferingHints { IntervalInSeconds = 900, SizeInMBs = 128 },
                            },
                        },
                    },
                }, cancel);
                await WriteNLogConfigAsync(consumer, server.Url, cancel);

                // 2. Restore (into a package folder of its own, not ~/.nuget/packages) and build, as a user would.
                var isolated = new Dictionary<string, string?> { ["NUGET_PACKAGES"] = packages };
                CliResult build = await DotnetCli.RunAsync(consumer, new[] { "build", "-c", "Release", "--disable-build-servers" }, isolated, TimeSpan.FromSeconds(150), cancel);
                log.AppendLine($"restore + build consumer ({name}): {build.Duration.TotalSeconds:0.0} s");
                Assert.AreEqual(0, build.ExitCode, build.Output);
                Assert.IsTrue(
                    File.Exists(Path.Combine(packages, PackageId.ToLowerInvariant(), s_version, $"{PackageId.ToLowerInvariant()}.{s_version}.nupkg")),
                    "the package was not restored from the folder feed into " + packages + "\n" + build.Output);

                // 3. Run it: the target comes from the package, configured by nlog.config alone.
                string dll = Path.Combine(consumer, "bin", "Release", ConsumerFramework, "Consumer.dll");
                var runEnvironment = new Dictionary<string, string?>
                {
                    ["AWS_EC2_METADATA_DISABLED"] = "true",
                    ["AWS_PROFILE"] = null,
                    ["AWS_REGION"] = null,
                    ["AWS_DEFAULT_REGION"] = null,
                    ["AWS_ACCESS_KEY_ID"] = null,
                    ["AWS_SECRET_ACCESS_KEY"] = null,
                    ["AWS_SESSION_TOKEN"] = null,
                };
                CliResult run = await DotnetCli.RunAsync(consumer, new[] { dll, EventCount.ToString(System.Globalization.CultureInfo.InvariantCulture) }, runEnvironment, TimeSpan.FromSeconds(60), cancel);
                log.AppendLine($"run consumer ({name}): {run.Duration.TotalSeconds:0.0} s");
                Assert.AreEqual(0, run.ExitCode, run.Output);
                StringAssert.Contains(run.Output, $"target NLog.Targets.FirehoseTarget {s_version}", "the target was not loaded from the packed package:\n" + run.Output);
                string expectedFramework = netStandardLibrary ? ".NETStandard,Version=v2.0" : ".NETCoreApp,Version=v8.0";
                StringAssert.Contains(run.Output, "built for " + expectedFramework, "the consumer did not run the package's " + expectedFramework + " library:\n" + run.Output);
                StringAssert.Contains(run.Output, "consumer done", run.Output);

                // 4. Every event arrived, signed with the static keys, as one JSON record each.
                List<JsonElement> records = (await DeliveredAsync(server, cancel)).Select(line => JsonDocument.Parse(line).RootElement).ToList();
                CollectionAssert.AreEquivalent(
                    Enumerable.Range(0, EventCount).Select(i => $"package event {i}").ToArray(),
                    records.Select(r => r.GetProperty("message").GetString()).ToArray(),
                    run.Output);
                Assert.IsTrue(records.All(r => r.GetProperty("service.name").GetString() == "package-consumer"), run.Output);
                Assert.IsTrue(records.All(r => r.GetProperty("log.level").GetString() == "info"), run.Output);
            }
            finally
            {
                TestContext.WriteLine(log.ToString());
            }
        }

        /// <summary>The consumers target the runtime the tests run on (NuGet picks the package's net8.0 library for it).</summary>
        private static string ConsumerFramework => $"net{Environment.Version.Major}.0";

        private static void AssertPackageContents(string nupkg, string version)
        {
            using ZipArchive zip = ZipFile.OpenRead(nupkg);
            var entries = zip.Entries.Select(e => e.FullName).ToList();
            foreach (string expected in new[]
            {
                $"lib/net8.0/{PackageId}.dll", $"lib/net8.0/{PackageId}.xml",
                $"lib/netstandard2.0/{PackageId}.dll", $"lib/netstandard2.0/{PackageId}.xml",
                "PACKAGE.md", $"{PackageId}.nuspec",
            })
            {
                CollectionAssert.Contains(entries, expected, "the package lacks " + expected + "; it has: " + string.Join(", ", entries));
            }
            CollectionAssert.AreEquivalent(
                new[] { "lib/net8.0/", "lib/netstandard2.0/" },
                entries.Where(e => e.StartsWith("lib/", StringComparison.Ordinal)).Select(e => e.Substring(0, e.IndexOf('/', 4) + 1)).Distinct().ToArray(),
                "the package's lib folders");

            XDocument nuspec;
            using (Stream stream = zip.GetEntry($"{PackageId}.nuspec")!.Open())
                nuspec = XDocument.Load(stream);
            XElement metadata = nuspec.Root!.Elements().Single(e => e.Name.LocalName == "metadata");
            string? Value(string name) => metadata.Elements().SingleOrDefault(e => e.Name.LocalName == name)?.Value;
            XElement license = metadata.Elements().Single(e => e.Name.LocalName == "license");

            Assert.AreEqual(PackageId, Value("id"));
            Assert.AreEqual(version, Value("version"));
            Assert.AreEqual("expression", license.Attribute("type")?.Value);
            Assert.AreEqual("MIT", license.Value);
            Assert.AreEqual("PACKAGE.md", Value("readme"));
            Assert.IsFalse(string.IsNullOrWhiteSpace(Value("description")));
            Assert.IsFalse(string.IsNullOrWhiteSpace(Value("authors")));
            CollectionAssert.IsSubsetOf(new[] { "nlog", "firehose", "kinesis", "aws" }, (Value("tags") ?? "").Split(' '));

            // One dependency group per library. net8.0 has everything it needs in the box; netstandard2.0 adds the
            // packages that bring the same APIs (and none that only builds the library, such as PolySharp).
            Dictionary<string, Dictionary<string, string>> groups = DependencyGroups(metadata);
            CollectionAssert.AreEquivalent(new[] { "net8.0", ".NETStandard2.0" }, groups.Keys.ToArray());
            string[] common = { "NLog", "AWSSDK.Core", "AWSSDK.SecurityToken", "AWSSDK.SSO", "AWSSDK.SSOOIDC" };
            string[] polyfills = { "System.Text.Json", "System.Memory", "System.Diagnostics.DiagnosticSource", "Microsoft.Bcl.Memory" };
            CollectionAssert.AreEquivalent(common, groups["net8.0"].Keys.ToArray(), "net8.0 dependencies");
            CollectionAssert.AreEquivalent(common.Concat(polyfills).ToArray(), groups[".NETStandard2.0"].Keys.ToArray(), "netstandard2.0 dependencies");
            foreach (string id in common)
                Assert.AreEqual(groups["net8.0"][id], groups[".NETStandard2.0"][id], "both libraries depend on the same " + id);

            string readme;
            using (var reader = new StreamReader(zip.GetEntry("PACKAGE.md")!.Open()))
                readme = reader.ReadToEnd();
            StringAssert.Contains(readme, "dotnet add package " + PackageId);
            StringAssert.Contains(readme, "xsi:type=\"Firehose\"");
            // NuGet.org shows the README outside the repository: a relative link would lead nowhere.
            Assert.IsFalse(Regex.IsMatch(readme, @"\]\((?!https?://)"), "PACKAGE.md has a relative link");
        }

        /// <summary>The nuspec's dependency groups: target framework to package id to version.</summary>
        private static Dictionary<string, Dictionary<string, string>> DependencyGroups(XElement metadata)
            => metadata.Elements().Single(e => e.Name.LocalName == "dependencies")
                .Elements().Where(e => e.Name.LocalName == "group")
                .ToDictionary(
                    g => g.Attribute("targetFramework")?.Value ?? "",
                    g => g.Elements().Where(d => d.Name.LocalName == "dependency")
                        .ToDictionary(d => d.Attribute("id")!.Value, d => d.Attribute("version")!.Value, StringComparer.Ordinal),
                    StringComparer.Ordinal);

        /// <summary>The dependencies the package's netstandard2.0 group lists.</summary>
        private static IReadOnlyList<(string Id, string Version)> NetStandardDependencies(string nupkg)
        {
            using ZipArchive zip = ZipFile.OpenRead(nupkg);
            XDocument nuspec;
            using (Stream stream = zip.GetEntry($"{PackageId}.nuspec")!.Open())
                nuspec = XDocument.Load(stream);
            var groups = DependencyGroups(nuspec.Root!.Elements().Single(e => e.Name.LocalName == "metadata"));
            return groups[".NETStandard2.0"].Select(d => (d.Key, d.Value)).ToList();
        }

        /// <summary>The package sources a user of this machine has (user and machine NuGet.Config), as `dotnet nuget list source` reports them.</summary>
        private static async Task<IReadOnlyList<(string Name, string Url)>> MachineSourcesAsync(string directory, CancellationToken cancel)
        {
            CliResult list = await DotnetCli.RunAsync(directory, new[] { "nuget", "list", "source", "--format", "detailed" }, null, TimeSpan.FromSeconds(60), cancel);
            Assert.AreEqual(0, list.ExitCode, list.Output);
            var sources = new List<(string, string)>();
            string[] lines = list.Output.Split('\n').Select(l => l.TrimEnd('\r')).ToArray();
            for (int i = 0; i + 1 < lines.Length; i++)
            {
                Match match = Regex.Match(lines[i], @"^\s*\d+\.\s+(?<name>.+?)\s+\[Enabled\]\s*$");
                if (match.Success)
                    sources.Add((match.Groups["name"].Value, lines[i + 1].Trim()));
            }

            Assert.AreNotEqual(0, sources.Count, "no enabled NuGet source on this machine:\n" + list.Output);
            return sources;
        }

        /// <summary>
        /// Writes the consumer project. With <paramref name="netStandardDependencies"/> it compiles and runs against the
        /// package's lib/netstandard2.0 assembly instead of the net8.0 one NuGet picks for this runtime: the package is
        /// restored without its assets (NuGet carries that exclusion to its dependencies too), and the consumer
        /// references the package's netstandard2.0 dependency group itself, as NuGet gives it to a .NET Framework
        /// project. Those of them that this runtime has in the box are pruned by restore (warning NU1510, silenced).
        /// </summary>
        private static async Task WriteConsumerAsync(string directory, string feed, IReadOnlyList<(string Name, string Url)> sources, string version, IReadOnlyList<(string Id, string Version)>? netStandardDependencies, CancellationToken cancel)
        {
            var config = new StringBuilder();
            config.AppendLine("<?xml version=\"1.0\" encoding=\"utf-8\"?>");
            config.AppendLine("<configuration>");
            config.AppendLine("  <packageSources>");
            config.AppendLine("    <clear />");
            config.AppendLine($"    <add key=\"package-test-feed\" value=\"{SecurityElement.Escape(feed)}\" />");
            foreach (var (name, url) in sources)
                config.AppendLine($"    <add key=\"{SecurityElement.Escape(name)}\" value=\"{SecurityElement.Escape(url)}\" />");
            config.AppendLine("  </packageSources>");
            config.AppendLine("</configuration>");
            await File.WriteAllTextAsync(Path.Combine(directory, "nuget.config"), config.ToString(), cancel);

            // Nothing above the temporary directory (a stray Directory.Build.props in /tmp) takes part in the build.
            await File.WriteAllTextAsync(Path.Combine(directory, "Directory.Build.props"), "<Project />\n", cancel);
            await File.WriteAllTextAsync(Path.Combine(directory, "Directory.Build.targets"), "<Project />\n", cancel);
            await File.WriteAllTextAsync(Path.Combine(directory, "Directory.Packages.props"), "<Project />\n", cancel);

            string references = netStandardDependencies is null
                ? $"""
                    <PackageReference Include="{PackageId}" Version="{version}" />
                  """
                : $"""
                    <PackageReference Include="{PackageId}" Version="{version}" ExcludeAssets="all" />
                    <Reference Include="{PackageId}" HintPath="$([MSBuild]::EnsureTrailingSlash('$(NuGetPackageRoot)')){PackageId.ToLowerInvariant()}/{version.ToLowerInvariant()}/lib/netstandard2.0/{PackageId}.dll" />
                  """ + string.Concat(netStandardDependencies.Select(d => $"""

                    <PackageReference Include="{d.Id}" Version="{d.Version}" />
                  """));
            await File.WriteAllTextAsync(Path.Combine(directory, "Consumer.csproj"), $"""
                <Project Sdk="Microsoft.NET.Sdk">
                  <PropertyGroup>
                    <OutputType>Exe</OutputType>
                    <TargetFramework>{ConsumerFramework}</TargetFramework>
                    <NoWarn>$(NoWarn);NU1510</NoWarn>
                    <Nullable>enable</Nullable>
                    <ImplicitUsings>enable</ImplicitUsings>
                  </PropertyGroup>
                  <ItemGroup>
                {references}
                  </ItemGroup>
                  <ItemGroup>
                    <None Update="nlog.config" CopyToOutputDirectory="PreserveNewest" />
                  </ItemGroup>
                </Project>
                """, cancel);

            await File.WriteAllTextAsync(Path.Combine(directory, "Program.cs"), """
                using System.Reflection;
                using NLog;

                int count = int.Parse(args[0]);
                var target = LogManager.Configuration?.FindTargetByName("firehose") ?? throw new InvalidOperationException("nlog.config has no target 'firehose'");
                string? loaded = target.GetType().Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion;
                Console.WriteLine($"target {target.GetType().FullName} {loaded}");
                string? framework = target.GetType().Assembly.GetCustomAttribute<System.Runtime.Versioning.TargetFrameworkAttribute>()?.FrameworkName;
                Console.WriteLine($"built for {framework}");
                Logger logger = LogManager.GetLogger("Package.Consumer");
                for (int i = 0; i < count; i++)
                    logger.Info("package event {Index}", i);
                LogManager.Shutdown();
                Console.WriteLine("consumer done");
                """, cancel);
        }

        private static Task WriteNLogConfigAsync(string directory, Uri serviceUrl, CancellationToken cancel) =>
            File.WriteAllTextAsync(Path.Combine(directory, "nlog.config"), $"""
                <?xml version="1.0" encoding="utf-8"?>
                <nlog xmlns="http://www.nlog-project.org/schemas/NLog.xsd" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
                      throwConfigExceptions="true" internalLogLevel="Warn" internalLogToConsoleError="true">
                  <extensions>
                    <add assembly="NLog.Targets.Firehose" />
                  </extensions>
                  <targets>
                    <target xsi:type="Firehose" name="firehose" deliveryStreamName="{Stream}" region="eu-west-1"
                            serviceUrl="{serviceUrl}" accessKey="AKIDPACKAGETEST" secretKey="package-test-secret"
                            serviceName="package-consumer" />
                  </targets>
                  <rules>
                    <logger name="*" minlevel="Info" writeTo="firehose" />
                  </rules>
                </nlog>
                """, cancel);

        /// <summary>Delivers Firehose Local's buffers now and returns the records the stream delivered to its local S3, one per line.</summary>
        private static async Task<List<string>> DeliveredAsync(FirehoseLocalServer server, CancellationToken cancel)
        {
            await server.FlushAsync(cancel);
            string directory = Path.Combine(server.DataDirectory, Bucket, Stream);
            if (!Directory.Exists(directory))
                return new List<string>();
            return Directory.GetFiles(directory, "*", SearchOption.AllDirectories)
                .OrderBy(f => f, StringComparer.Ordinal)
                .SelectMany(f => File.ReadAllText(f, Encoding.UTF8).Split('\n'))
                .Where(line => line.Length > 0)
                .ToList();
        }
    }
}
