using System;

namespace NLog.Targets.Firehose.Buffering
{
    /// <summary>
    /// The byte side of the memory bound. NLog's queue counts events, not bytes, and an event's size is known only once it
    /// is rendered; so the budget keeps an estimate of the rendered bytes per event and turns MaxQueueBytes into an event
    /// limit for NLog's queue: min(QueueLimit, MaxQueueBytes / estimate), at least 1. The estimate is a moving average
    /// weighted by events (each event moves it by 1/<see cref="EventWeight"/> of the difference), so one huge event
    /// among small ones barely moves it, while a run of large events moves it within a few hundred events.
    /// </summary>
    internal sealed class QueueBudget
    {
        /// <summary>How many events the moving average is about as long as.</summary>
        public const int EventWeight = 256;

        /// <summary>Where the estimate starts: a typical JSON log event.</summary>
        public const double InitialEventBytes = 1024;

        private double _eventBytes = InitialEventBytes;

        /// <summary>Creates a budget for a queue of at most <paramref name="queueLimit"/> events and about <paramref name="maxBytes"/> bytes.</summary>
        public QueueBudget(int queueLimit, long maxBytes)
        {
            ConfiguredLimit = Math.Max(1, queueLimit);
            MaxBytes = Math.Max(1, maxBytes);
            Limit = LimitFor(_eventBytes);
        }

        /// <summary>The event limit configured (QueueLimit).</summary>
        public int ConfiguredLimit { get; }

        /// <summary>The byte limit configured (MaxQueueBytes).</summary>
        public long MaxBytes { get; }

        /// <summary>The estimated rendered bytes per event (<see cref="InitialEventBytes"/> before anything was rendered).</summary>
        public double EventBytes => _eventBytes;

        /// <summary>The event limit that keeps the queued events within <see cref="MaxBytes"/> by the estimate.</summary>
        public int Limit { get; private set; }

        /// <summary>Takes the rendered size of <paramref name="events"/> events, <paramref name="bytes"/> in all, into the estimate.</summary>
        public void Observe(int events, long bytes)
        {
            if (events <= 0)
                return;
            double average = Math.Max(1.0, (double)bytes / events);
            // The weight of `events` events, each moving the average by 1/EventWeight: 1 - (1 - 1/EventWeight)^events.
            double weight = 1 - Math.Pow(1 - 1.0 / EventWeight, events);
            _eventBytes += (average - _eventBytes) * weight;
            Limit = LimitFor(_eventBytes);
        }

        private int LimitFor(double eventBytes)
        {
            double fits = MaxBytes / eventBytes;
            return fits >= ConfiguredLimit ? ConfiguredLimit : Math.Max(1, (int)fits);
        }

        /// <summary>Whether <paramref name="queued"/> waiting events fill half the limit or more.</summary>
        public bool IsUnderPressure(int queued) => queued > 0 && queued >= (Limit + 1) / 2;
    }
}
