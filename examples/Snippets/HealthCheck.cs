using System;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using NLog;
using NLog.Targets;

namespace Firehose.Examples.Snippets
{
    // README, "Health".
    public static class HealthCheck
    {
        public static FirehoseHealth Ask()
        {
            var target = LogManager.Configuration?.FindTargetByName<FirehoseTarget>("firehose");
            FirehoseHealth health = target?.GetHealth() ?? throw new InvalidOperationException("no Firehose target");
            return health;
        }

        public static void Register(WebApplicationBuilder builder)
        {
            builder.Services.AddHealthChecks().AddCheck("firehose", () =>
            {
                FirehoseHealth? health = LogManager.Configuration?.FindTargetByName<FirehoseTarget>("firehose")?.GetHealth();
                return health is { IsHealthy: true }
                    ? HealthCheckResult.Healthy(health.ToString())
                    : HealthCheckResult.Degraded(health?.ToString() ?? "no Firehose target");
            });
        }
    }
}
