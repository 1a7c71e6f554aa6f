using System;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using NLog.Targets;

namespace Firehose.Examples.WorkerService
{
    /// <summary>Logs a numbered event every few milliseconds until the host stops, then a final "stopping" event.</summary>
    public sealed class Worker : BackgroundService
    {
        private readonly ILogger<Worker> _logger;
        private readonly TimeSpan _interval;
        private long _count;

        public Worker(ILogger<Worker> logger, IConfiguration configuration)
        {
            _logger = logger;
            _interval = TimeSpan.FromMilliseconds(configuration.GetValue("Worker:IntervalMilliseconds", 5));
        }

        protected override async Task ExecuteAsync(CancellationToken stoppingToken)
        {
            Console.WriteLine("Worker started");
            using (_logger.BeginScope(new System.Collections.Generic.Dictionary<string, object> { ["WorkerId"] = Environment.ProcessId }))
            {
                while (!stoppingToken.IsCancellationRequested)
                {
                    long number = Interlocked.Increment(ref _count);
                    _logger.LogInformation(new EventId(1, "Tick"), "Tick {Number}", number);
                    try
                    {
                        await Task.Delay(_interval, stoppingToken);
                    }
                    catch (OperationCanceledException)
                    {
                        break;
                    }
                }
            }
        }

        public override async Task StopAsync(CancellationToken cancellationToken)
        {
            await base.StopAsync(cancellationToken);   // ExecuteAsync has ended: no tick after this
            FirehoseTarget? target = NLog.LogManager.Configuration?.FindTargetByName<FirehoseTarget>("firehose");
            _logger.LogInformation(new EventId(2, "Stopping"), "Worker stopping after {Count} events; target {Health}",
                Interlocked.Read(ref _count), target?.GetHealth().ToString());
            Console.WriteLine($"Worker stopping after {Interlocked.Read(ref _count)} events");
        }
    }
}
