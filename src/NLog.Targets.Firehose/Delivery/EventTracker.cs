using System.Globalization;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Threading;

namespace NLog.Targets.Firehose.Delivery
{
    /// <summary>
    /// The event's unique id (<c>event.id</c>), which must survive re-rendering: the same on every resend, so
    /// duplicates can be removed downstream. Held weakly: it goes when the event goes.
    /// </summary>
    internal static class EventTracker
    {
        private static readonly ConditionalWeakTable<LogEventInfo, string> Ids = new ConditionalWeakTable<LogEventInfo, string>();
        private static readonly ConditionalWeakTable<LogEventInfo, string>.CreateValueCallback Create = _ => NewId();

        // A random 64-bit prefix per process, then a sequence number: unique across instances without a Guid per event.
        private static readonly string Prefix = RandomPrefix();
        private static long _sequence;

        /// <summary>The event's id, created on first use.</summary>
        public static string IdOf(LogEventInfo logEvent) => Ids.GetValue(logEvent, Create);

        private static string NewId() => Prefix + Interlocked.Increment(ref _sequence).ToString("x", CultureInfo.InvariantCulture);

        private static string RandomPrefix()
        {
            byte[] bytes = RandomNumberGenerator.GetBytes(8);
            return System.Convert.ToHexString(bytes).ToLowerInvariant() + "-";
        }

    }
}
