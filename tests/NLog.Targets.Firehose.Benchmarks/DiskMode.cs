using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using NLog.Targets.Firehose.Buffering;

namespace NLog.Targets.Firehose.Benchmarks
{
    /// <summary>
    /// <c>disk</c> mode: what the disk buffer's fsync costs. Appends batches of 500 records of 300 bytes (one buffered
    /// call) to a DiskBuffer in a temporary directory (or <c>--dir</c>), with the device flush on each append and
    /// without, alternating in rounds of <c>--seconds</c> (default 2) each, <c>--rounds</c> times (default 3); prints
    /// appends/s and µs per append for each round, the medians, and the ratio.
    /// </summary>
    internal static class DiskMode
    {
        private const int RecordsPerBatch = 500;
        private const int RecordBytes = 300;

        public static int Run(string[] args)
        {
            double seconds = Option(args, "--seconds", 2);
            int rounds = (int)Option(args, "--rounds", 3);
            string root = OptionText(args, "--dir") ?? Path.GetTempPath();
            var records = Enumerable.Range(0, RecordsPerBatch)
                .Select(j => (ReadOnlyMemory<byte>)System.Text.Encoding.ASCII.GetBytes(j.ToString(CultureInfo.InvariantCulture).PadRight(RecordBytes, 'x')))
                .ToList();
            Console.WriteLine($"disk buffer appends, {RecordsPerBatch} records x {RecordBytes} bytes each, {rounds} rounds of {seconds:0.#} s per setting, in {root} ({DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC)");
            var withFlush = new List<double>();
            var without = new List<double>();
            for (int round = 0; round < rounds; round++)
            {
                foreach (bool fsync in round % 2 == 0 ? new[] { true, false } : new[] { false, true })
                {
                    double rate = Measure(root, fsync, records, seconds);
                    (fsync ? withFlush : without).Add(rate);
                    Console.WriteLine($"  round {round + 1}  fsync {(fsync ? "on " : "off")}  {rate,9:N0} appends/s  {1e6 / rate,8:N0} µs each");
                }
            }
            double on = Median(withFlush), off = Median(without);
            Console.WriteLine($"median: fsync on {on:N0} appends/s ({1e6 / on:N0} µs each), off {off:N0} appends/s ({1e6 / off:N0} µs each)");
            Console.WriteLine($"ratio on / off = {on / off:0.00}x  (each on-append waits for one device flush)");
            return 0;
        }

        private static double Measure(string root, bool fsync, List<ReadOnlyMemory<byte>> records, double seconds)
        {
            string directory = Path.Combine(root, "firehose-disk-bench-" + Guid.NewGuid().ToString("N"));
            try
            {
                long appends = 0;
                // A cap large enough that nothing is deleted during a round.
                using (var buffer = new DiskBuffer(directory, 8L * 1024 * 1024 * 1024, fsyncEachAppend: fsync))
                {
                    var clock = Stopwatch.StartNew();
                    while (clock.Elapsed.TotalSeconds < seconds)
                    {
                        if (!buffer.Append("bench-stream", records))
                            throw new InvalidOperationException("an append failed");
                        appends++;
                    }
                    return appends / clock.Elapsed.TotalSeconds;
                }
            }
            finally
            {
                try { Directory.Delete(directory, recursive: true); } catch (IOException) { }
            }
        }

        private static double Median(List<double> values)
        {
            var sorted = values.OrderBy(v => v).ToList();
            return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
        }

        private static double Option(string[] args, string name, double fallback)
            => OptionText(args, name) is string text ? double.Parse(text, CultureInfo.InvariantCulture) : fallback;

        private static string? OptionText(string[] args, string name)
        {
            int i = Array.IndexOf(args, name);
            return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
        }
    }
}
