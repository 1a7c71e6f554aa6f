using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using NLog.Targets;
using OpenTelemetry.Metrics;

namespace Firehose.Examples.Snippets
{
    // README, "Metrics".
    public static class Metrics
    {
        public static void Export(IHostApplicationBuilder builder)
        {
            // packages: OpenTelemetry.Extensions.Hosting, OpenTelemetry.Exporter.Console (or your exporter)
            builder.Services.AddOpenTelemetry().WithMetrics(metrics => metrics
                .AddMeter(FirehoseTarget.MeterName)
                .AddConsoleExporter());
        }
    }
}
