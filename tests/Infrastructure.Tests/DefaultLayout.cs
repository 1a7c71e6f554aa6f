using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json;
using NLog;
using NLog.Targets;

namespace Infrastructure.Tests
{
    /// <summary>What the library's default layout writes, learned by rendering events with it (not by copying its field list).</summary>
    internal static class DefaultLayout
    {
        private static readonly Lazy<IReadOnlySet<string>> LazyFields = new(() => Render(LogLevel.Error, withException: true).Keys.ToHashSet(StringComparer.Ordinal));

        /// <summary>The fields of a document for an error event with an exception (every fixed field of the layout).</summary>
        public static IReadOnlySet<string> Fields => LazyFields.Value;

        /// <summary>Renders one event with <see cref="FirehoseTarget"/>'s default layout and returns its top-level fields.</summary>
        public static Dictionary<string, JsonElement> Render(LogLevel level, bool withException)
        {
            var target = new FirehoseTarget("infrastructure-tests") { ServiceName = "infrastructure-tests" };
            var logEvent = new LogEventInfo(level, "Infrastructure.Tests.Logger", "rendered for the saved objects' checks");
            if (withException)
            {
                try
                {
                    throw new InvalidOperationException("boom");
                }
                catch (InvalidOperationException ex)
                {
                    logEvent.Exception = ex;
                }
            }

            string json = target.Layout.Render(logEvent);
            using var document = JsonDocument.Parse(json);
            return document.RootElement.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.Clone(), StringComparer.Ordinal);
        }
    }
}
