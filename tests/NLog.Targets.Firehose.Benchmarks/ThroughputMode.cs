using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using System.Threading;
using System.Threading.Tasks;
using Firehose.Local;
using NLog.Layouts;
using NLog.Targets.Wrappers;

namespace NLog.Targets.Firehose.Benchmarks
{
    /// <summary>
    /// The <c>throughput</c> mode: end-to-end events/s, caller cost, requests and billing per event, peak memory and
    /// scaling with requests in flight, each pipeline measured side by side in one process.
    /// </summary>
    internal static class ThroughputMode
    {
        private static readonly TimeSpan FlushTimeout = TimeSpan.FromMinutes(2);

        public static async Task<int> RunAsync(string[] args)
        {
            int events = IntOption(args, "--events", 120_000);
            int reps = IntOption(args, "--reps", 5);
            int callerCalls = IntOption(args, "--caller-calls", 100_000);
            bool quick = args.Contains("--quick");
            TaskDelayOverride = IntOption(args, "--task-delay", -1);
            BatchSizeOverride = IntOption(args, "--batch-size", -1);
            if (quick)
            {
                events = 30_000;
                reps = 2;
                callerCalls = 20_000;
            }

            var total = Stopwatch.StartNew();
            // A run that hangs (a logging thread blocked on a full queue that no write drains) must not hang the harness.
            using var watchdog = new Timer(_ =>
            {
                Console.WriteLine($"!! throughput mode still running after {total.Elapsed.TotalMinutes:F0} minutes: a pipeline hangs (see the last run line above); exiting");
                Environment.Exit(3);
            }, null, TimeSpan.FromMinutes(IntOption(args, "--watchdog-minutes", 6)), Timeout.InfiniteTimeSpan);
            string root = Path.Combine(Path.GetTempPath(), "firehose-bench-" + Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
            Directory.CreateDirectory(root);
            var report = new List<string>();
            int failures = 0;
            try
            {
                await using FirehoseLocalServer server = await BenchEvent.StartServerAsync(Path.Combine(root, "firehose-local")).ConfigureAwait(false);
                Console.WriteLine($"Firehose Local at {server.Url} (signatures verified); temp data in {root}");
                Console.WriteLine($"{events:N0} events per run, {reps} runs per pipeline (median), after a warm-up run; pipelines alternate.");

                // 1 + 4: end-to-end events/s and peak memory, Firehose target vs AsyncWrapper(Block) → FileTarget.
                var firehose = new FirehosePipeline(server);
                var file = new FilePipeline(Path.Combine(root, "file", "bench.json"), BenchEvent.PlainJsonLayout());
                var canned = new FirehosePipeline(server, cannedHttp: true);
                var wrapped = new FirehosePipeline(server, wrapped: true);
                var fileDeferred = new FilePipeline(Path.Combine(root, "file", "bench-deferred.json"), BenchEvent.JsonLayout());
                var throughput = Alternate(new IPipeline[] { firehose, file, canned, wrapped, fileDeferred }, events, reps, ref failures);
                double fhRate = Median(throughput[0].Select(r => r.EventsPerSecond));
                double fileRate = Median(throughput[1].Select(r => r.EventsPerSecond));
                long fhRequests = throughput[0].Sum(r => r.Requests);
                long fhEvents = throughput[0].Count * (long)events;
                double avgBytes = firehose.Target.Statistics.BytesSent / (double)firehose.Target.Statistics.RecordsSent;

                // 2: caller-thread cost per Logger.Info.
                Console.WriteLine($"Caller cost: {callerCalls:N0} Logger.Info calls per run in bursts of {CallerBurst:N0} (< QueueLimit), flushed between bursts; {reps} runs, median.");
                var callerFirehose = new CallerPipeline("Firehose target", firehose.Factory);
                var bareDefault = CallerPipeline.Bare("bare AsyncTaskTarget (default layout)", null);
                var bareJson = CallerPipeline.Bare("bare AsyncTaskTarget (the target's default layout)", BenchEvent.JsonLayout());
                var barePlain = CallerPipeline.Bare("bare AsyncTaskTarget (same document, NLog JsonLayout)", BenchEvent.PlainJsonLayout());
                var bareNoScope = CallerPipeline.Bare("bare AsyncTaskTarget (that, IncludeScopeProperties=false)", BenchEvent.PlainJsonLayout(scopeProperties: false));
                var caller = MeasureCaller(new[] { callerFirehose, bareDefault, bareJson, barePlain, bareNoScope }, callerCalls, reps);

                // 3: requests and billed 5 KB units per event, packing off and on (real HTTP client behind a counter).
                var billing = new List<(string Name, BillingResult Result)>();
                foreach (bool pack in new[] { false, true })
                    billing.Add((pack ? "PackRecords=true" : "PackRecords=false", await MeasureBillingAsync(server, pack, events).ConfigureAwait(false)));

                // Every event of the Firehose runs reached Firehose Local's S3 directory.
                await server.FlushAsync().ConfigureAwait(false);
                long delivered = BenchEvent.CountLines(Path.Combine(server.DataDirectory, "bench-bucket"));
                long expectedDelivered = firehose.TotalLogged + wrapped.TotalLogged + callerFirehose.Logged + billing.Sum(b => b.Result.TotalEvents);
                if (delivered != expectedDelivered)
                {
                    failures++;
                    Console.WriteLine($"!! Firehose Local delivered {delivered:N0} lines, expected {expectedDelivered:N0}");
                }

                firehose.Dispose();
                file.Dispose();
                fileDeferred.Dispose();
                canned.Dispose();
                wrapped.Dispose();
                callerFirehose.Dispose();
                bareDefault.Dispose();
                bareJson.Dispose();
                barePlain.Dispose();
                bareNoScope.Dispose();

                // 5: scaling with requests in flight at 30 ms service latency.
                server.Faults.LatencyMilliseconds = 30;
                var scaling = new List<(int InFlight, double Rate, double Requests)>();
                foreach (int inFlight in new[] { 1, 2, 4, 8 })
                {
                    int n = quick ? 500 * inFlight * 8 : 500 * inFlight * 24;
                    using var pipeline = new FirehosePipeline(server, inFlight);
                    var runs = Alternate(new IPipeline[] { pipeline }, n, quick ? 1 : 3, ref failures);
                    scaling.Add((inFlight, Median(runs[0].Select(r => r.EventsPerSecond)), runs[0].Sum(r => r.Requests) / (double)(runs[0].Count * (long)n)));
                }
                server.Faults.LatencyMilliseconds = 0;

                // The table.
                Console.WriteLine();
                Console.WriteLine($"== NLog.Targets.Firehose throughput benchmark, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC ==");
                Console.WriteLine($"{RuntimeInformation.OSDescription.Trim()}, {RuntimeInformation.FrameworkDescription}, {Environment.ProcessorCount} cores, {RuntimeInformation.ProcessArchitecture}, GC {(System.Runtime.GCSettings.IsServerGC ? "server" : "workstation")}");
                Console.WriteLine($"Event: Logger.Info(\"Order {{OrderId}} shipped to {{Customer}} in {{ElapsedMs}} ms\") → default JSON layout, {avgBytes:F0} bytes/record incl. delimiter");
                Console.WriteLine();
                Console.WriteLine("1+4. End to end (first Logger.Info → Flush returned, every event verified), median of runs:");
                Console.WriteLine($"  {"pipeline",-52} {"events/s",10} {"min",9} {"max",9} {"peak heap Δ",12} {"peak WS Δ",10}");
                PrintThroughputRow("Firehose target → Firehose Local (signed HTTP)", throughput[0]);
                PrintThroughputRow("AsyncWrapper(Block) → FileTarget, same JSON (JsonLayout)", throughput[1]);
                PrintThroughputRow("(attribution) Firehose target → canned HTTP handler", throughput[2]);
                Console.WriteLine($"  ratio Firehose / File = {fhRate / fileRate:F2}×   (goal ≥ 0.9×, aim ≥ 1.0×) {Verdict(fhRate / fileRate >= 0.9)}");
                Console.WriteLine($"  (attribution: the target without socket and server reaches {Median(throughput[2].Select(r => r.EventsPerSecond)) / fileRate:F2}× File)");
                PrintThroughputRow("AsyncWrapper(Block) → Firehose target → Firehose Local", throughput[3]);
                double wrappedRatio = Median(throughput[3].Select(r => r.EventsPerSecond)) / fhRate;
                Console.WriteLine($"  ratio wrapped / unwrapped = {wrappedRatio:F2}×   (goal ≥ 0.8×) {Verdict(wrappedRatio >= 0.8)}");
                PrintThroughputRow("(attribution) AsyncWrapper(Block) → FileTarget, target's layout", throughput[4]);
                Console.WriteLine($"  (the file pipeline with the target's own layout, which renders on the wrapper's thread: Firehose / that = {fhRate / Median(throughput[4].Select(r => r.EventsPerSecond)):F2}×)");
                Console.WriteLine();
                Console.WriteLine("2. Caller thread per Logger.Info (Stopwatch and GC.GetAllocatedBytesForCurrentThread, background draining), median:");
                foreach (var c in caller)
                    Console.WriteLine($"  {c.Name,-52} {c.Nanoseconds,8:F0} ns {c.Bytes,8:F0} B");
                double callerRatio = caller[0].Nanoseconds / caller[1].Nanoseconds;
                Console.WriteLine($"  ratio Firehose / bare (default layout) = {callerRatio:F2}× time, {caller[0].Bytes / Math.Max(1, caller[1].Bytes):F2}× bytes   (goal ≤ 1.1×) {Verdict(callerRatio <= 1.1)}");
                double sameLayoutRatio = caller[0].Nanoseconds / caller[2].Nanoseconds;
                Console.WriteLine($"  ratio Firehose / bare (the target's layout) = {sameLayoutRatio:F2}× time, {caller[0].Bytes / Math.Max(1, caller[2].Bytes):F2}× bytes   (goal ≤ 1.1×) {Verdict(sameLayoutRatio <= 1.1)}");
                Console.WriteLine($"  ratio Firehose / bare (same document, NLog JsonLayout) = {caller[0].Nanoseconds / caller[3].Nanoseconds:F2}× time, {caller[0].Bytes / Math.Max(1, caller[3].Bytes):F2}× bytes");
                Console.WriteLine("  (NLog's JsonLayout with IncludeScopeProperties renders the whole document on the logging thread; the target's layout does so only for events with scope properties, an exception or a mutable value)");
                Console.WriteLine();
                Console.WriteLine($"3. Requests and billing ({events:N0} events each, real client behind a counter):");
                double reqPerEvent = fhRequests / (double)fhEvents;
                Console.WriteLine($"  throughput runs (defaults): {reqPerEvent * 1000:F3} requests per 1000 events = 1/{1 / reqPerEvent:F0}   (goal ≤ 1/500) {Verdict(reqPerEvent <= 1 / 500.0 + 1e-12)}");
                foreach (var (name, b) in billing)
                {
                    double units = b.Units / (double)b.Events;
                    double raw = b.Bytes / (double)BillingClient.BillingUnit / b.Events;
                    Console.WriteLine($"  {name,-18} {b.Requests / (double)b.Events * 1000,7:F3} req/1000 ev, {b.Records / (double)b.Events,6:F4} records/ev, billed {units:F4} units/ev, raw {raw:F4} units/ev → {units / raw,6:F2}× raw, {b.EventsPerSecond,9:N0} ev/s");
                }
                var packed = billing[1].Result;
                double packedRatio = packed.Units / (packed.Bytes / (double)BillingClient.BillingUnit);
                Console.WriteLine($"  packing billed / raw = {packedRatio:F3}×   (goal ≤ 1.1×) {Verdict(packedRatio <= 1.1)}");
                Console.WriteLine($"  Firehose Local delivered {delivered:N0} lines to its S3 directory (expected {expectedDelivered:N0}) {Verdict(delivered == expectedDelivered)}");
                Console.WriteLine();
                Console.WriteLine("5. Scaling with requests in flight (Firehose Local latency 30 ms, BatchSize = 500 × in flight), median of 3:");
                double baseRate = scaling[0].Rate;
                foreach (var s in scaling)
                    Console.WriteLine($"  MaxRequestsInFlight {s.InFlight,-2} BatchSize {500 * s.InFlight,-5} {s.Rate,10:N0} ev/s  {s.Rate / baseRate,5:F2}× of 1  ({s.Requests * 1000:F2} req/1000 ev)");
                bool scales = scaling[1].Rate > 1.5 * scaling[0].Rate && scaling[2].Rate > 1.3 * scaling[1].Rate;
                Console.WriteLine($"  scales (2 > 1.5×1 and 4 > 1.3×2): {Verdict(scales)}");
                Console.WriteLine();
                Console.WriteLine($"Total {total.Elapsed.TotalSeconds:F0} s; {(failures == 0 ? "all counts verified" : failures + " VERIFICATION FAILURES")}.");
            }
            finally
            {
                try
                {
                    Directory.Delete(root, recursive: true);
                }
                catch (IOException)
                {
                }
            }
            return failures == 0 ? 0 : 1;
        }

        private const int CallerBurst = 2000;

        /// <summary>--task-delay N: TaskDelayMilliseconds for the Firehose pipelines of the throughput runs (-1: the target's default, 20).</summary>
        private static int TaskDelayOverride = -1;

        /// <summary>--batch-size N: BatchSize for the Firehose pipelines of the throughput runs (-1: the target's default).</summary>
        private static int BatchSizeOverride = -1;

        private static string Verdict(bool met) => met ? "MET" : "NOT MET";

        private static void PrintThroughputRow(string name, List<RunResult> runs)
        {
            var rates = runs.Select(r => r.EventsPerSecond).ToList();
            Console.WriteLine($"  {name,-52} {Median(rates),10:N0} {rates.Min(),9:N0} {rates.Max(),9:N0} {Median(runs.Select(r => (double)r.PeakHeapGrowth)) / 1048576,9:F1} MiB {Median(runs.Select(r => (double)r.PeakWorkingSetGrowth)) / 1048576,6:F1} MiB");
        }

        /// <summary>Runs each pipeline once to warm up, then <paramref name="reps"/> times, alternating the order.</summary>
        private static List<RunResult>[] Alternate(IPipeline[] pipelines, int events, int reps, ref int failures)
        {
            var results = pipelines.Select(_ => new List<RunResult>()).ToArray();
            foreach (var p in pipelines)
            {
                RunResult warm = RunOnce(p, Math.Max(events / 3, 5000));
                Console.WriteLine($"  warm-up {p.Name}: {warm.EventsPerSecond:N0} ev/s{(warm.Verified ? "" : " !! " + warm.Problem)}");
                if (!warm.Verified)
                    failures++;
            }
            for (int rep = 0; rep < reps; rep++)
            {
                IEnumerable<int> order = Enumerable.Range(0, pipelines.Length);
                if (rep % 2 == 1)
                    order = order.Reverse();
                foreach (int i in order)
                {
                    RunResult r = RunOnce(pipelines[i], events);
                    results[i].Add(r);
                    Console.WriteLine($"  run {rep + 1} {pipelines[i].Name}: {r.EventsPerSecond:N0} ev/s, {r.Requests} requests{(r.Verified ? "" : " !! " + r.Problem)}");
                    if (!r.Verified)
                        failures++;
                }
            }
            return results;
        }

        private static RunResult RunOnce(IPipeline pipeline, int events)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
            GC.Collect();
            pipeline.BeforeRun();
            using var sampler = new PeakSampler();
            Logger logger = pipeline.Logger;
            long start = Stopwatch.GetTimestamp();
            for (int i = 0; i < events; i++)
                BenchEvent.Log(logger, i);
            pipeline.Factory.Flush(FlushTimeout);
            TimeSpan elapsed = Stopwatch.GetElapsedTime(start);
            sampler.Stop();
            string? problem = pipeline.Verify(events, out long requests);
            return new RunResult(events / elapsed.TotalSeconds, sampler.PeakHeap - sampler.StartHeap, sampler.PeakWorkingSet - sampler.StartWorkingSet, requests, problem);
        }

        private static List<(string Name, double Nanoseconds, double Bytes)> MeasureCaller(CallerPipeline[] pipelines, int calls, int reps)
        {
            foreach (var p in pipelines)
                p.Measure(Math.Max(calls / 4, CallerBurst));   // warm-up
            var ns = pipelines.Select(_ => new List<double>()).ToArray();
            var bytes = pipelines.Select(_ => new List<double>()).ToArray();
            for (int rep = 0; rep < reps; rep++)
            {
                IEnumerable<int> order = Enumerable.Range(0, pipelines.Length);
                if (rep % 2 == 1)
                    order = order.Reverse();
                foreach (int i in order)
                {
                    var (n, b) = pipelines[i].Measure(calls);
                    ns[i].Add(n);
                    bytes[i].Add(b);
                }
            }
            return pipelines.Select((p, i) => (p.Name, Median(ns[i]), Median(bytes[i]))).ToList();
        }

        private static async Task<BillingResult> MeasureBillingAsync(FirehoseLocalServer server, bool pack, int events)
        {
            FirehoseTarget target = BillingClient.Target(server, out var client);
            target.PackRecords = pack;
            target.OverflowAction = AsyncTargetWrapperOverflowAction.Block;
            using LogFactory factory = BenchEvent.Factory(target);
            Logger logger = factory.GetLogger(BenchEvent.LoggerName);
            for (int i = 0; i < 5000; i++)
                BenchEvent.Log(logger, i);
            factory.Flush(FlushTimeout);
            BillingClient counter = client() ?? throw new InvalidOperationException("no client made");
            long units0 = counter.Units, bytes0 = counter.Bytes, records0 = counter.Records, requests0 = target.Statistics.Requests;
            long start = Stopwatch.GetTimestamp();
            for (int i = 0; i < events; i++)
                BenchEvent.Log(logger, i);
            factory.Flush(FlushTimeout);
            double rate = events / Stopwatch.GetElapsedTime(start).TotalSeconds;
            await Task.Yield();
            return new BillingResult(events, target.Statistics.Requests - requests0, counter.Records - records0, counter.Units - units0, counter.Bytes - bytes0, rate)
            {
                TotalEvents = events + 5000L,
            };
        }

        private static int IntOption(string[] args, string name, int fallback)
        {
            int i = Array.IndexOf(args, name);
            return i >= 0 && i + 1 < args.Length && int.TryParse(args[i + 1], NumberStyles.Integer, CultureInfo.InvariantCulture, out int v) ? v : fallback;
        }

        internal static double Median(IEnumerable<double> values)
        {
            var sorted = values.OrderBy(v => v).ToList();
            if (sorted.Count == 0)
                return double.NaN;
            int mid = sorted.Count / 2;
            return sorted.Count % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
        }

        private sealed record RunResult(double EventsPerSecond, long PeakHeapGrowth, long PeakWorkingSetGrowth, long Requests, string? Problem)
        {
            public bool Verified => Problem is null;
        }

        private sealed record BillingResult(long Events, long Requests, long Records, long Units, long Bytes, double EventsPerSecond)
        {
            public long TotalEvents { get; init; }
        }

        private interface IPipeline
        {
            string Name { get; }

            LogFactory Factory { get; }

            Logger Logger { get; }

            void BeforeRun();

            /// <summary>Null when the run's <paramref name="events"/> all arrived; else what is wrong.</summary>
            string? Verify(int events, out long requests);
        }

        private sealed class FirehosePipeline : IPipeline, IDisposable
        {
            private long _sent, _requests, _undeliverable, _dropped;

            public FirehosePipeline(FirehoseLocalServer server, int? inFlight = null, bool cannedHttp = false, bool wrapped = false)
            {
                Target = cannedHttp ? CannedTarget() : BenchEvent.FirehoseTarget(server);
                if (inFlight is int k)
                {
                    Target.MaxRequestsInFlight = k;
                    Target.BatchSize = 500 * k;
                }
                // Block, so that a producer faster than the drain waits instead of losing events (Discard would make the
                // measured rate meaningless). Safe outside an AsyncWrapper.
                Target.OverflowAction = AsyncTargetWrapperOverflowAction.Block;
                if (TaskDelayOverride >= 0 && inFlight is null)
                    Target.TaskDelayMilliseconds = TaskDelayOverride;
                if (BatchSizeOverride > 0 && inFlight is null)
                    Target.BatchSize = BatchSizeOverride;
                Name = (wrapped ? "AsyncWrapper(Block) → " : string.Empty)
                    + (cannedHttp ? "Firehose (canned HTTP handler)" : inFlight is null ? "Firehose" : $"Firehose in-flight {inFlight}");
                // Wrapped: NLog's AsyncWrapper (Block, its defaults otherwise) in front of the same target.
                Factory = BenchEvent.Factory(wrapped ? new AsyncTargetWrapper("async", Target) { OverflowAction = AsyncTargetWrapperOverflowAction.Block } : Target);
                Logger = Factory.GetLogger(BenchEvent.LoggerName);
            }

            public string Name { get; }

            /// <summary>The target with the real HTTP client on an in-memory handler that answers success at once: the target's own cost, no server.</summary>
            private static FirehoseTarget CannedTarget() => new FirehoseTarget(settings => new NLog.Targets.Firehose.Client.FirehoseHttpClient(
                settings.Endpoint, settings.Region, settings.Credentials, settings.RequestTimeout, new CannedHandler(0)))
            {
                Name = "firehose-canned",
                DeliveryStreamName = BenchEvent.StreamName,
                ServiceUrl = "http://127.0.0.1:1/",
                Region = "us-east-1",
                AccessKey = "AKIDBENCH",
                SecretKey = "bench-secret",
                ServiceName = BenchEvent.ServiceName,
            };

            public FirehoseTarget Target { get; }

            public LogFactory Factory { get; }

            public Logger Logger { get; }

            public long TotalLogged { get; private set; }

            public void BeforeRun()
            {
                var s = Target.Statistics;
                _sent = s.RecordsSent;
                _requests = s.Requests;
                _undeliverable = s.EventsUndeliverable;
                _dropped = s.EventsDroppedOverflow;
            }

            public string? Verify(int events, out long requests)
            {
                var s = Target.Statistics;
                TotalLogged += events;
                requests = s.Requests - _requests;
                long sent = s.RecordsSent - _sent;
                if (sent != events || s.EventsUndeliverable != _undeliverable || s.EventsDroppedOverflow != _dropped)
                    return $"accepted {sent} of {events} records, undeliverable {s.EventsUndeliverable - _undeliverable}, dropped {s.EventsDroppedOverflow - _dropped}";
                return null;
            }

            public void Dispose() => Factory.Dispose();
        }

        private sealed class FilePipeline : IPipeline, IDisposable
        {
            private readonly string _path;
            private long _offset;

            public FilePipeline(string path, Layout layout)
            {
                _path = path;
                Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                var fileTarget = new FileTarget("file") { FileName = path, Layout = layout, KeepFileOpen = true };
                var wrapper = new AsyncTargetWrapper("async-file", fileTarget) { OverflowAction = AsyncTargetWrapperOverflowAction.Block };
                Factory = BenchEvent.Factory(wrapper);
                Logger = Factory.GetLogger(BenchEvent.LoggerName);
            }

            public string Name => "File";

            public LogFactory Factory { get; }

            public Logger Logger { get; }

            public void BeforeRun()
            {
            }

            public string? Verify(int events, out long requests)
            {
                requests = 0;
                long lines = File.Exists(_path) ? BenchEvent.CountLines(_path, _offset, out _offset) : 0;
                return lines == events ? null : $"file got {lines} of {events} lines";
            }

            public void Dispose() => Factory.Dispose();
        }

        private sealed class CallerPipeline : IDisposable
        {
            private readonly bool _owned;

            public CallerPipeline(string name, LogFactory factory, bool owned = false)
            {
                Name = name;
                Factory = factory;
                _owned = owned;
                Logger = factory.GetLogger(BenchEvent.LoggerName);
            }

            public string Name { get; }

            public LogFactory Factory { get; }

            public Logger Logger { get; }

            /// <summary>A bare AsyncTaskTarget with the Firehose target's queue settings (BatchSize 2000, TaskDelay 20 ms, QueueLimit 10000).</summary>
            public static CallerPipeline Bare(string name, NLog.Layouts.Layout? layout)
            {
                var target = new DiscardTarget("bare") { BatchSize = 2000, TaskDelayMilliseconds = 20, QueueLimit = 10000 };
                if (layout != null)
                    target.Layout = layout;
                return new CallerPipeline(name, BenchEvent.Factory(target), owned: true);
            }

            /// <summary>Ns and bytes allocated on this thread per Logger.Info, over <paramref name="calls"/> calls.</summary>
            public (double Nanoseconds, double Bytes) Measure(int calls)
            {
                long ticks = 0, bytes = 0;
                int done = 0;
                int seq = 0;
                while (done < calls)
                {
                    int burst = Math.Min(CallerBurst, calls - done);
                    long a0 = GC.GetAllocatedBytesForCurrentThread();
                    long t0 = Stopwatch.GetTimestamp();
                    for (int i = 0; i < burst; i++)
                        BenchEvent.Log(Logger, seq++);
                    ticks += Stopwatch.GetTimestamp() - t0;
                    bytes += GC.GetAllocatedBytesForCurrentThread() - a0;
                    done += burst;
                    Factory.Flush(FlushTimeout);
                }
                Logged += calls;
                return (ticks * (1e9 / Stopwatch.Frequency) / calls, bytes / (double)calls);
            }

            public long Logged { get; private set; }

            public void Dispose()
            {
                if (_owned)
                    Factory.Dispose();
            }
        }

        /// <summary>Samples the GC heap and the working set every 5 ms on its own thread and keeps the peaks.</summary>
        private sealed class PeakSampler : IDisposable
        {
            private readonly Thread _thread;
            private volatile bool _stop;

            public PeakSampler()
            {
                StartHeap = GC.GetTotalMemory(false);
                StartWorkingSet = Environment.WorkingSet;
                PeakHeap = StartHeap;
                PeakWorkingSet = StartWorkingSet;
                _thread = new Thread(Loop) { IsBackground = true, Name = "peak-sampler" };
                _thread.Start();
            }

            public long StartHeap { get; }

            public long StartWorkingSet { get; }

            public long PeakHeap { get; private set; }

            public long PeakWorkingSet { get; private set; }

            public void Stop()
            {
                _stop = true;
                _thread.Join();
                Sample();
            }

            private void Loop()
            {
                while (!_stop)
                {
                    Sample();
                    Thread.Sleep(5);
                }
            }

            private void Sample()
            {
                PeakHeap = Math.Max(PeakHeap, GC.GetTotalMemory(false));
                PeakWorkingSet = Math.Max(PeakWorkingSet, Environment.WorkingSet);
            }

            public void Dispose()
            {
                if (!_stop)
                    Stop();
            }
        }
    }
}
