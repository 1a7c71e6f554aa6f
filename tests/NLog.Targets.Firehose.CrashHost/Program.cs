using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;
using System.Threading;
using NLog.Targets.Firehose.Buffering;

namespace NLog.Targets.Firehose.CrashHost
{
    /// <summary>
    /// A process for crash tests to kill: it works on a directory it is given and reports progress on stdout, one line
    /// per step that is done, so the test knows what must survive the kill.
    /// <code>
    /// buffer-append &lt;directory&gt; [--max-bytes N] [--no-fsync] [--records N] [--record-bytes N] [--delay-ms N]
    ///     Appends batches numbered 0, 1, 2, … to a DiskBuffer on the directory, forever; after each Append that
    ///     returns true prints "APPENDED n". Record j of batch n is "n:j:" followed by 'x' up to --record-bytes.
    /// target &lt;directory&gt; &lt;serviceUrl&gt; &lt;region&gt; &lt;events&gt;
    ///     Logs events with ids "e-0" … through a real FirehoseTarget with its disk buffer on the directory
    ///     (credentials from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY), then waits forever; each time the count of
    ///     events the target has written to the disk buffer grows, prints "BUFFERED n".
    /// exit &lt;serviceUrl&gt; &lt;region&gt; &lt;events&gt;
    ///     Logs events with ids "x-0" … through a real FirehoseTarget (no disk buffer) whose TaskDelayMilliseconds is
    ///     60 s, so that they all wait in NLog's queue; prints "QUEUED n" with the count NLog's queue holds, and returns
    ///     from Main without Flush or Shutdown: what arrives is what the close at process exit delivers.
    /// </code>
    /// </summary>
    internal static class Program
    {
        private static int Main(string[] args)
        {
            if (args.Length >= 2 && args[0] == "buffer-append")
                return BufferAppend(args[1], Options(args, 2));
            if (args.Length >= 5 && args[0] == "target")
                return TargetMode(args[1], args[2], args[3], int.Parse(args[4], CultureInfo.InvariantCulture));
            if (args.Length >= 4 && args[0] == "exit")
                return ExitMode(args[1], args[2], int.Parse(args[3], CultureInfo.InvariantCulture));
            Console.Error.WriteLine("usage: buffer-append <directory> [--max-bytes N] [--no-fsync] [--records N] [--record-bytes N] [--delay-ms N]");
            Console.Error.WriteLine("       target <directory> <serviceUrl> <region> <events>");
            Console.Error.WriteLine("       exit <serviceUrl> <region> <events>");
            return 2;
        }

        private static int BufferAppend(string directory, Dictionary<string, string?> options)
        {
            long maxBytes = Number(options, "--max-bytes", 64L * 1024 * 1024);
            int recordsPerBatch = (int)Number(options, "--records", 20);
            int recordBytes = (int)Number(options, "--record-bytes", 1000);
            int delay = (int)Number(options, "--delay-ms", 0);
            using var buffer = new DiskBuffer(directory, maxBytes, fsyncEachAppend: !options.ContainsKey("--no-fsync"));
            Console.WriteLine("READY");
            for (long n = 0; ; n++)
            {
                var records = new List<ReadOnlyMemory<byte>>(recordsPerBatch);
                for (int j = 0; j < recordsPerBatch; j++)
                    records.Add(Record(n, j, recordBytes));
                if (buffer.Append("crash-stream", records))
                    Console.WriteLine("APPENDED " + n.ToString(CultureInfo.InvariantCulture));
                else
                    Console.WriteLine("FAILED " + n.ToString(CultureInfo.InvariantCulture));
                if (delay > 0)
                    Thread.Sleep(delay);
            }
        }

        private static int TargetMode(string directory, string serviceUrl, string region, int events)
        {
            var target = new FirehoseTarget("firehose")
            {
                DeliveryStreamName = "crash-target",
                Region = region,
                ServiceUrl = serviceUrl,
                BufferDirectory = directory,
                DeliveryTimeoutMilliseconds = 200,
                RetryBaseDelayMilliseconds = 10,
                RetryMaxDelayMilliseconds = 50,
                Layout = "{\"event.id\":\"${event-properties:n}\"}",
                // One call at a time, so events reach the disk in the order logged and the count printed below names a
                // prefix of the ids (the test checks exactly those arrive); calls in flight would finish in any order.
                MaxRequestsInFlight = 1,
            };
            LogEvents(target, "e-", events);
            Console.WriteLine("LOGGED " + events.ToString(CultureInfo.InvariantCulture));
            long reported = 0;
            while (true)
            {
                long buffered = target.Statistics.EventsBuffered;
                if (buffered != reported)
                {
                    reported = buffered;
                    Console.WriteLine("BUFFERED " + buffered.ToString(CultureInfo.InvariantCulture));
                }
                Thread.Sleep(5);
            }
        }

        private static int ExitMode(string serviceUrl, string region, int events)
        {
            var target = new FirehoseTarget("firehose")
            {
                DeliveryStreamName = "exit-target",
                Region = region,
                ServiceUrl = serviceUrl,
                TaskDelayMilliseconds = 60_000,
                QueueLimit = Math.Max(10_000, events),
                Layout = "{\"event.id\":\"${event-properties:n}\"}",
            };
            LogFactory factory = LogEvents(target, "x-", events);
            Console.WriteLine("QUEUED " + target.QueuedCount.ToString(CultureInfo.InvariantCulture));
            GC.KeepAlive(factory);
            return 0;   // no Flush, no Shutdown: NLog's ProcessExit handler closes the target
        }

        /// <summary>Sends every level to <paramref name="target"/> in a new LogFactory, and logs events with the ids <paramref name="prefix"/>0, 1, ….</summary>
        private static LogFactory LogEvents(Target target, string prefix, int events)
        {
            var factory = new LogFactory { ThrowConfigExceptions = true };
            var config = new NLog.Config.LoggingConfiguration(factory);
            config.AddRuleForAllLevels(target);
            factory.Configuration = config;
            var logger = factory.GetLogger("CrashHost");
            for (int i = 0; i < events; i++)
                logger.WithProperty("n", prefix + i.ToString(CultureInfo.InvariantCulture)).Info("crash host event");
            return factory;
        }

        /// <summary>Record <paramref name="j"/> of batch <paramref name="n"/>: "n:j:" padded with 'x' to the size.</summary>
        private static byte[] Record(long n, int j, int size)
        {
            var text = new StringBuilder(n.ToString(CultureInfo.InvariantCulture)).Append(':').Append(j.ToString(CultureInfo.InvariantCulture)).Append(':');
            if (text.Length < size)
                text.Append('x', size - text.Length);
            return Encoding.ASCII.GetBytes(text.ToString());
        }

        private static Dictionary<string, string?> Options(string[] args, int start)
        {
            var options = new Dictionary<string, string?>(StringComparer.Ordinal);
            for (int i = start; i < args.Length; i++)
            {
                if (args[i] == "--no-fsync")
                    options[args[i]] = null;
                else if (i + 1 < args.Length)
                    options[args[i]] = args[++i];
            }
            return options;
        }

        private static long Number(Dictionary<string, string?> options, string name, long fallback) =>
            options.TryGetValue(name, out string? value) && value is not null ? long.Parse(value, CultureInfo.InvariantCulture) : fallback;
    }
}
