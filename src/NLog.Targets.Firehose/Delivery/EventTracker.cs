using System.Globalization;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Threading;

namespace NLog.Targets.Firehose.Delivery
{
    /// <summary>
    /// Per-event state that must survive re-rendering: the event's unique id (<c>event.id</c>, the same on every
    /// resend, so duplicates can be removed downstream) and whether Firehose has accepted its record (so a write that
    /// NLog retries never sends an accepted record again). Held weakly: it goes when the event goes.
    /// </summary>
    internal static class EventTracker
    {
        private static readonly ConditionalWeakTable<LogEventInfo, State> States = new ConditionalWeakTable<LogEventInfo, State>();
        private static readonly ConditionalWeakTable<LogEventInfo, State>.CreateValueCallback Create = _ => new State(NewId());

        // A random 64-bit prefix per process, then a sequence number: unique across instances without a Guid per event.
        private static readonly string Prefix = RandomPrefix();
        private static long _sequence;

        /// <summary>The event's id, created on first use.</summary>
        public static string IdOf(LogEventInfo logEvent) => States.GetValue(logEvent, Create).Id;

        /// <summary>Whether the event's record was accepted by Firehose.</summary>
        public static bool IsDelivered(LogEventInfo logEvent) => States.TryGetValue(logEvent, out State? state) && state.Delivered;

        /// <summary>Records that the event's record was accepted by Firehose.</summary>
        public static void MarkDelivered(LogEventInfo logEvent) => States.GetValue(logEvent, Create).Delivered = true;

        private static string NewId() => Prefix + Interlocked.Increment(ref _sequence).ToString("x", CultureInfo.InvariantCulture);

        private static string RandomPrefix()
        {
            byte[] bytes = RandomNumberGenerator.GetBytes(8);
            return System.Convert.ToHexString(bytes).ToLowerInvariant() + "-";
        }

        private sealed class State
        {
            public State(string id) => Id = id;

            public string Id { get; }

            public bool Delivered { get; set; }
        }
    }
}
