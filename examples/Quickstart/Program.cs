using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using System.Threading.Tasks;
using Firehose.Local;
using NLog;

namespace Firehose.Examples.Quickstart
{
    /// <summary>
    /// The seed's pipeline end to end on one machine, with no AWS account: several app instances log through NLog and the
    /// Firehose target to a delivery stream <c>logging-test</c> in Firehose Local, which delivers to an OpenSearch index
    /// (as local files, rotated daily) with an S3 backup of all documents (a local directory). Then it prints where the
    /// records landed and one of them. With <c>--aws</c> it sends the same events to a real stream instead.
    /// </summary>
    public static class Program
    {
        private const string Stream = "logging-test";

        private static readonly (string Service, string Instance)[] Instances =
        {
            ("orders-api", "orders-api-1"),
            ("orders-api", "orders-api-2"),
            ("billing-api", "billing-api-1"),
        };

        public static async Task<int> Main(string[] args)
        {
            if (args.Contains("--aws"))
                return RunAgainstAws();

            string dataDirectory = ArgumentAfter(args, "--data") ?? Path.Combine(Path.GetTempPath(), "firehose-quickstart-" + DateTime.UtcNow.ToString("yyyyMMdd-HHmmss"));
            var options = new FirehoseLocalOptions
            {
                Port = 0,   // a free loopback port
                DataDirectory = dataDirectory,
                Streams =
                {
                    new DeliveryStreamDefinition
                    {
                        DeliveryStreamName = Stream,
                        DeliveryStreamType = "DirectPut",
                        AmazonopensearchserviceDestinationConfiguration = new OpenSearchDestinationConfiguration
                        {
                            RoleARN = "arn:aws:iam::000000000000:role/firehose-delivery",
                            DomainARN = "arn:aws:es:us-east-1:000000000000:domain/logging",
                            IndexName = Stream,
                            IndexRotationPeriod = "OneDay",
                            BufferingHints = new BufferingHints { IntervalInSeconds = 60, SizeInMBs = 5 },
                            RetryOptions = new RetryOptions { DurationInSeconds = 300 },
                            S3BackupMode = "AllDocuments",
                            S3Configuration = new S3DestinationConfiguration
                            {
                                RoleARN = "arn:aws:iam::000000000000:role/firehose-delivery",
                                BucketARN = "arn:aws:s3:::logging-test-backup",
                            },
                        },
                    },
                },
            };

            // A data directory used before keeps its files (the index files are appended to): count only this run's documents.
            Dictionary<string, long> before = ExistingFiles(dataDirectory);
            await using FirehoseLocalServer server = await FirehoseLocalServer.StartAsync(options);
            Console.WriteLine($"Firehose Local on {server.Url} (region {server.Region}), stream '{Stream}': OpenSearch index '{Stream}' rotated daily (as files), S3 backup of all documents");

            // What nlog.config reads: the endpoint and the keys Firehose Local accepts.
            Environment.SetEnvironmentVariable("QUICKSTART_SERVICE_URL", server.Url.ToString());
            Environment.SetEnvironmentVariable("QUICKSTART_ACCESS_KEY", options.AccessKey);
            Environment.SetEnvironmentVariable("QUICKSTART_SECRET_KEY", options.SecretKey);
            Environment.SetEnvironmentVariable("AWS_REGION", server.Region);
            Environment.SetEnvironmentVariable("FIREHOSE_STREAM", Stream);

            int logged = await RunInstancesAsync();
            await server.FlushAsync();   // Firehose would deliver at its buffering interval; deliver now

            return Report(server.DataDirectory, logged, before);
        }

        /// <summary>Runs the app instances side by side, each with its own LogFactory loaded from nlog.config; returns the events logged.</summary>
        private static async Task<int> RunInstancesAsync()
        {
            int[] counts = await Task.WhenAll(Instances.Select(instance => Task.Run(() => RunInstance(instance.Service, instance.Instance))));
            return counts.Sum();
        }

        private static int RunInstance(string service, string instance)
        {
            var factory = new LogFactory();
            factory.Setup().LoadConfigurationFromFile(Path.Combine(AppContext.BaseDirectory, "nlog.config"));
            factory.Configuration!.Variables["service"] = service;
            Logger log = factory.GetLogger(service == "orders-api" ? "Orders.Checkout" : "Billing.Invoices").WithProperty("instance", instance);
            int logged = 0;
            for (int order = 1; order <= 5; order++)
            {
                log.Info("Order {OrderId} placed for {Amount} EUR", $"{instance}-{order}", 10 * order + 0.5);
                logged++;
            }
            log.Warn("Payment provider slow: {LatencyMs} ms", 1800);
            logged++;
            try
            {
                ChargeCard(instance);
            }
            catch (InvalidOperationException ex)
            {
                log.Error(ex, "Could not charge order {OrderId}", $"{instance}-6");
                logged++;
            }
            factory.Shutdown();   // flushes (up to 15 s) and closes the target: nothing is left behind
            return logged;
        }

        private static void ChargeCard(string instance)
            => throw new InvalidOperationException($"card declined (instance {instance})");

        /// <summary>Prints where the records landed — the index files and the backup objects — and one record; 0 when all arrived.</summary>
        /// <summary>Every file under the directory and its size now.</summary>
        private static Dictionary<string, long> ExistingFiles(string directory)
            => !Directory.Exists(directory) ? new Dictionary<string, long>()
                : Directory.GetFiles(directory, "*", SearchOption.AllDirectories).ToDictionary(f => Path.GetFullPath(f), f => new FileInfo(f).Length, StringComparer.Ordinal);

        /// <summary>The lines of a file written after it had <paramref name="offset"/> bytes.</summary>
        private static List<string> LinesAfter(string file, long offset)
        {
            using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            stream.Seek(Math.Min(offset, stream.Length), SeekOrigin.Begin);
            using var reader = new StreamReader(stream);
            var lines = new List<string>();
            while (reader.ReadLine() is { } line)
            {
                if (line.Length > 0)
                    lines.Add(line);
            }
            return lines;
        }

        private static int Report(string dataDirectory, int logged, Dictionary<string, long> before)
        {
            string indexDirectory = Path.Combine(dataDirectory, "_indexes", Stream);
            string backupDirectory = Path.Combine(dataDirectory, "logging-test-backup");
            long SizeBefore(string file) => before.TryGetValue(Path.GetFullPath(file), out long size) ? size : 0;
            var indexFiles = (Directory.Exists(indexDirectory) ? Directory.GetFiles(indexDirectory, "*.ndjson").OrderBy(f => f, StringComparer.Ordinal).ToList() : new List<string>())
                .Select(f => (File: f, Lines: LinesAfter(f, SizeBefore(f)))).Where(f => f.Lines.Count > 0).ToList();
            var backupObjects = Directory.Exists(backupDirectory)
                ? Directory.GetFiles(backupDirectory, "*", SearchOption.AllDirectories).Where(f => !before.ContainsKey(Path.GetFullPath(f))).OrderBy(f => f, StringComparer.Ordinal).ToList()
                : new List<string>();

            Console.WriteLine();
            Console.WriteLine($"Logged {logged} events from {Instances.Length} app instances.");
            Console.WriteLine("OpenSearch index (one file per daily index):");
            int indexed = 0;
            foreach (var (file, lines) in indexFiles)
            {
                indexed += lines.Count;
                Console.WriteLine($"  {file}  ({lines.Count} documents)");
            }
            Console.WriteLine("S3 backup (all documents):");
            foreach (string file in backupObjects)
                Console.WriteLine($"  {file}  ({new FileInfo(file).Length} bytes)");

            string? error = indexFiles.SelectMany(f => f.Lines).FirstOrDefault(line => line.Contains("\"error.type\"", StringComparison.Ordinal));
            if (error != null)
            {
                Console.WriteLine("One record (the caught exception):");
                using var doc = JsonDocument.Parse(error);
                Console.WriteLine(JsonSerializer.Serialize(doc.RootElement, new JsonSerializerOptions { WriteIndented = true }));
            }

            bool complete = indexed == logged && backupObjects.Count > 0 && error != null;
            Console.WriteLine(complete
                ? $"All {logged} events reached the index and the backup."
                : $"Only {indexed} of {logged} events reached the index (backup objects: {backupObjects.Count}).");
            return complete ? 0 : 1;
        }

        /// <summary>The same app instances against a real delivery stream (FIREHOSE_STREAM, AWS_REGION, default credential chain).</summary>
        private static int RunAgainstAws()
        {
            if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable("FIREHOSE_STREAM")) || string.IsNullOrEmpty(Environment.GetEnvironmentVariable("AWS_REGION")))
            {
                Console.Error.WriteLine("--aws needs FIREHOSE_STREAM (your delivery stream) and AWS_REGION; credentials come from the AWS default chain");
                return 2;
            }
            int logged = RunInstancesAsync().GetAwaiter().GetResult();
            Console.WriteLine($"Logged {logged} events to stream '{Environment.GetEnvironmentVariable("FIREHOSE_STREAM")}' in {Environment.GetEnvironmentVariable("AWS_REGION")}; look for them in your OpenSearch index and S3 backup.");
            return 0;
        }

        private static string? ArgumentAfter(string[] args, string name)
        {
            int at = Array.IndexOf(args, name);
            return at >= 0 && at + 1 < args.Length ? args[at + 1] : null;
        }
    }
}
