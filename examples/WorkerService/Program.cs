using System;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using NLog;
using NLog.Extensions.Logging;
using NLog.Targets;
using OpenTelemetry.Metrics;

namespace Firehose.Examples.WorkerService
{
    /// <summary>
    /// A Generic Host worker that logs through ILogger&lt;T&gt; to Firehose, configured by the "NLog" section of
    /// appsettings.json (overridden by appsettings.{Environment}.json, environment variables such as
    /// NLog__targets__firehose__serviceUrl, or the command line). Ctrl+C or SIGTERM stops the host, which disposes the
    /// NLog provider: NLog flushes and closes the target, so every event logged before the stop is delivered.
    /// With --Metrics:Console true the target's metrics are printed by OpenTelemetry's console exporter.
    /// </summary>
    public static class Program
    {
        public static void Main(string[] args)
        {
            // Kept to report, after the host has stopped, that NLog closed the target (GetHealth() says NotInitialized).
            FirehoseTarget? firehose = null;
            LogManager.ConfigurationChanged += (_, e) => firehose ??= e.ActivatedConfiguration?.FindTargetByName<FirehoseTarget>("firehose");

            // appsettings*.json are read from beside the program, wherever it is started from.
            HostApplicationBuilder builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = args, ContentRootPath = AppContext.BaseDirectory });

            // NLog is the only provider, configured from the "NLog" section; disposing the host shuts NLog down
            // (flush, then close the targets), which delivers what is still queued.
            builder.Logging.ClearProviders();
            builder.Logging.AddNLog(new NLogProviderOptions { ShutdownOnDispose = true },
                _ => LogManager.Setup().LoadConfigurationFromSection(builder.Configuration).LogFactory);

            if (builder.Configuration.GetValue<bool>("Metrics:Console"))
            {
                int interval = builder.Configuration.GetValue("Metrics:ExportIntervalMilliseconds", 5000);
                builder.Services.AddOpenTelemetry().WithMetrics(metrics => metrics
                    .AddMeter(FirehoseTarget.MeterName)
                    .AddConsoleExporter((_, reader) => reader.PeriodicExportingMetricReaderOptions.ExportIntervalMilliseconds = interval));
            }

            builder.Services.AddHostedService<Worker>();
            using IHost host = builder.Build();
            host.Run();
            Console.WriteLine("Host stopped; Firehose target state: " + (firehose?.GetHealth().State.ToString() ?? "no Firehose target"));
        }
    }
}
