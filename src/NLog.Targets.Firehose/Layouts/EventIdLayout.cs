using System.Text;
using NLog.Config;
using NLog.Layouts;
using NLog.Targets.Firehose.Delivery;

namespace NLog.Targets.Firehose.Layouts
{
    /// <summary>
    /// The default layout's <c>event.id</c> value (<see cref="EventTracker"/>), written into NLog's render buffer as a JSON
    /// string (quotes included: use it with <c>Encode = false</c>), so no string is made per event.
    /// </summary>
    [ThreadAgnostic]
    internal sealed class EventIdLayout : Layout
    {
        /// <inheritdoc/>
        protected override void RenderFormattedMessage(LogEventInfo logEvent, StringBuilder target)
        {
            target.Append('"');
            EventTracker.AppendIdOf(logEvent, target);   // hex digits and '-': nothing to escape
            target.Append('"');
        }

        /// <inheritdoc/>
        protected override string GetFormattedMessage(LogEventInfo logEvent)
        {
            var builder = new StringBuilder(48);
            RenderFormattedMessage(logEvent, builder);
            return builder.ToString();
        }

        /// <inheritdoc/>
        public override string ToString() => "event.id";
    }
}
