using System;
using System.Linq;
using System.Threading.Tasks;

namespace NLog.Targets.Firehose.Benchmarks
{
    internal static class Program
    {
        private static async Task<int> Main(string[] args)
        {
            string mode = args.Length > 0 ? args[0] : string.Empty;
            string[] rest = args.Skip(1).ToArray();
            switch (mode)
            {
                case "throughput":
                    return await ThroughputMode.RunAsync(rest).ConfigureAwait(false);
                case "micro":
                    return MicroMode.Run(rest);
                case "disk":
                    return DiskMode.Run(rest);
                default:
                    Console.Error.WriteLine("usage: dotnet run -c Release --project tests/NLog.Targets.Firehose.Benchmarks -- throughput [--quick] [--events N] [--reps N] [--caller-calls N]");
                    Console.Error.WriteLine("       dotnet run -c Release --project tests/NLog.Targets.Firehose.Benchmarks -- micro [BenchmarkDotNet arguments, e.g. --filter *Caller*]");
                    Console.Error.WriteLine("       dotnet run -c Release --project tests/NLog.Targets.Firehose.Benchmarks -- disk [--seconds N] [--rounds N] [--dir DIR]");
                    return 2;
            }
        }
    }
}
