using System;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace NLog.Targets.Firehose.Delivery
{
    /// <summary>
    /// The event's unique id (<c>event.id</c>), which must survive re-rendering: the same on every resend, so duplicates
    /// can be removed downstream. It is made of a random 64-bit prefix per process (unique across instances), the event's
    /// timestamp in seconds and NLog's <see cref="LogEventInfo.SequenceID"/>, which NLog assigns to the event once and keeps
    /// (the timestamp tells events apart should the 32-bit sequence wrap around in a long-lived process). Nothing is stored
    /// per event.
    /// </summary>
    internal static class EventTracker
    {
        private static readonly string Prefix = RandomPrefix();

        /// <summary>Appends the event's id to <paramref name="builder"/> without making a string: the same every time it is asked for the same event.</summary>
        public static void AppendIdOf(LogEventInfo logEvent, StringBuilder builder)
        {
            long seconds = logEvent.TimeStamp.ToUniversalTime().Ticks / TimeSpan.TicksPerSecond;
            // SequenceID is marked obsolete in NLog 6 (for the ${sequenceid} renderer's sake) but is still NLog's own
            // per-event number, assigned once and kept; it saves a lookup table with a GC handle per event.
#pragma warning disable CS0618
            uint sequence = (uint)logEvent.SequenceID;
#pragma warning restore CS0618
            Span<char> digits = stackalloc char[16];
            builder.Append(Prefix);
            seconds.TryFormat(digits, out int written, "x", CultureInfo.InvariantCulture);
            builder.Append(digits.Slice(0, written)).Append('-');
            sequence.TryFormat(digits, out written, "x", CultureInfo.InvariantCulture);
            builder.Append(digits.Slice(0, written));
        }

        private static string RandomPrefix()
        {
            byte[] bytes = RandomNumberGenerator.GetBytes(8);
            return Convert.ToHexString(bytes).ToLowerInvariant() + "-";
        }
    }
}
