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
    /// </code>
    /// </summary>
    internal static class Program
    {
        private static int Main(string[] args)
        {
            if (args.Length >= 2 && args[0] == "buffer-append")
                return BufferAppend(args[1], Options(args, 2));
            Console.Error.WriteLine("usage: buffer-append <directory> [--max-bytes N] [--no-fsync] [--records N] [--record-bytes N] [--delay-ms N]");
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
