using System;
using System.Text;
using NLog.Config;
using NLog.Layouts;

namespace NLog.Targets.Firehose.Layouts
{
    /// <summary>
    /// The default layout's <c>@timestamp</c> value: the event's time in UTC as <c>yyyy-MM-ddTHH:mm:ss.fffZ</c>, the same
    /// text as <c>${date:universalTime=true:format=yyyy-MM-ddTHH\:mm\:ss.fffZ}</c>, written digit by digit into NLog's
    /// render buffer as a JSON string (quotes included: use it with <c>Encode = false</c>), so no string is made and no
    /// format pattern is interpreted per event.
    /// </summary>
    [ThreadAgnostic]
    internal sealed class TimestampLayout : Layout
    {
        /// <summary>The <c>${date}</c> layout that renders the same text.</summary>
        public const string NLogEquivalent = @"${date:universalTime=true:format=yyyy-MM-ddTHH\:mm\:ss.fffZ}";

        /// <inheritdoc/>
        protected override void RenderFormattedMessage(LogEventInfo logEvent, StringBuilder target)
        {
            target.Append('"');
            Append(logEvent.TimeStamp.ToUniversalTime(), target);   // as ${date:universalTime=true}
            target.Append('"');
        }

        /// <summary>Appends <paramref name="utc"/> as <c>yyyy-MM-ddTHH:mm:ss.fffZ</c> (fraction truncated, like the format's <c>fff</c>).</summary>
        internal static void Append(DateTime utc, StringBuilder target)
        {
            Digits(target, utc.Year, 1000);
            target.Append('-');
            Digits(target, utc.Month, 10);
            target.Append('-');
            Digits(target, utc.Day, 10);
            target.Append('T');
            Digits(target, utc.Hour, 10);
            target.Append(':');
            Digits(target, utc.Minute, 10);
            target.Append(':');
            Digits(target, utc.Second, 10);
            target.Append('.');
            Digits(target, utc.Millisecond, 100);
            target.Append('Z');
        }

        /// <summary>Appends <paramref name="value"/> with leading zeros, from the digit of <paramref name="unit"/> down.</summary>
        private static void Digits(StringBuilder target, int value, int unit)
        {
            for (; unit > 0; unit /= 10)
                target.Append((char)('0' + value / unit % 10));
        }

        /// <inheritdoc/>
        protected override string GetFormattedMessage(LogEventInfo logEvent)
        {
            var builder = new StringBuilder(26);
            RenderFormattedMessage(logEvent, builder);
            return builder.ToString();
        }

        /// <inheritdoc/>
        public override string ToString() => NLogEquivalent;
    }
}
