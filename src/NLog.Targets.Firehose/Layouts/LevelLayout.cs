using System.Text;
using NLog.Config;
using NLog.Layouts;

namespace NLog.Targets.Firehose.Layouts
{
    /// <summary>
    /// The default layout's <c>log.level</c> value: the level's name in lower case as a JSON string (quotes included: use
    /// it with <c>Encode = false</c>), the same text as <c>${level:lowercase=true}</c>, from a table instead of rendering
    /// and lower-casing the name per event.
    /// </summary>
    [ThreadAgnostic]
    internal sealed class LevelLayout : Layout
    {
        /// <summary>The <c>${level}</c> layout that renders the same text (unquoted).</summary>
        public const string NLogEquivalent = "${level:lowercase=true}";

        /// <summary>By <see cref="LogLevel.Ordinal"/>: Trace, Debug, Info, Warn, Error, Fatal, Off.</summary>
        private static readonly string[] Quoted = { "\"trace\"", "\"debug\"", "\"info\"", "\"warn\"", "\"error\"", "\"fatal\"", "\"off\"" };

        /// <inheritdoc/>
        protected override void RenderFormattedMessage(LogEventInfo logEvent, StringBuilder target)
        {
            LogLevel level = logEvent.Level ?? LogLevel.Off;
            int ordinal = level.Ordinal;
            if (ordinal >= 0 && ordinal < Quoted.Length)
                target.Append(Quoted[ordinal]);
            else
                target.Append('"').Append(level.Name.ToLowerInvariant()).Append('"');   // a level NLog does not have today
        }

        /// <inheritdoc/>
        protected override string GetFormattedMessage(LogEventInfo logEvent)
        {
            var builder = new StringBuilder(8);
            RenderFormattedMessage(logEvent, builder);
            return builder.ToString();
        }

        /// <inheritdoc/>
        public override string ToString() => NLogEquivalent;
    }
}
