using System;

namespace NLog.Targets.Firehose.Buffering
{
    /// <summary>
    /// The byte side of the memory bound. NLog's queue counts events, not bytes, and an event's size is known only once it
    /// is rendered; so the budget keeps an estimate of the rendered bytes per event — it rises at once to the average of a
    /// larger batch and falls back slowly — and turns MaxQueueBytes into an event limit for NLog's queue:
    /// min(QueueLimit, MaxQueueBytes / estimate), at least 1.
    /// </summary>
    internal sealed class QueueBudget
    {
        private double _eventBytes;

        /// <summary>Creates a budget for a queue of at most <paramref name="queueLimit"/> events and about <paramref name="maxBytes"/> bytes.</summary>
        public QueueBudget(int queueLimit, long maxBytes)
        {
            ConfiguredLimit = Math.Max(1, queueLimit);
            MaxBytes = Math.Max(1, maxBytes);
            Limit = ConfiguredLimit;
        }

        /// <summary>The event limit configured (QueueLimit).</summary>
        public int ConfiguredLimit { get; }

        /// <summary>The byte limit configured (MaxQueueBytes).</summary>
        public long MaxBytes { get; }

        /// <summary>The estimated rendered bytes per event; 0 before anything was rendered.</summary>
        public double EventBytes => _eventBytes;

        /// <summary>The event limit that keeps the queued events within <see cref="MaxBytes"/> by the estimate.</summary>
        public int Limit { get; private set; }

        /// <summary>Takes the rendered size of <paramref name="events"/> events, <paramref name="bytes"/> in all, into the estimate.</summary>
        public void Observe(int events, long bytes)
        {
            if (events <= 0)
                return;
            double average = Math.Max(1.0, (double)bytes / events);
            _eventBytes = average >= _eventBytes ? average : _eventBytes + (average - _eventBytes) / 8;
            double fits = MaxBytes / _eventBytes;
            Limit = fits >= ConfiguredLimit ? ConfiguredLimit : Math.Max(1, (int)fits);
        }

        /// <summary>Whether <paramref name="queued"/> waiting events fill half the limit or more.</summary>
        public bool IsUnderPressure(int queued) => queued > 0 && queued >= (Limit + 1) / 2;
    }
}
