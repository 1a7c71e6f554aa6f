using System;
using System.Diagnostics;
using System.Threading;

namespace NLog.Targets.Firehose.Diagnostics
{
    /// <summary>
    /// The one counting point of a target: every event received, record sent, retry, drop, give-up and call is counted
    /// here, with its stream, reason or outcome, so logs, tests, metrics (<see cref="FirehoseMetrics"/>) and the health
    /// report (<see cref="FirehoseHealth"/>) agree. Thread-safe.
    /// </summary>
    internal sealed class FirehoseStatistics
    {
        private long _eventsReceived;
        private long _recordsSent;
        private long _bytesSent;
        private long _billedUnits;
        private long _recordsRejected;
        private long _recordsRetried;
        private long _eventsRetried;
        private long _eventsUndeliverable;
        private long _eventsDroppedOversize;
        private long _eventsTruncated;
        private long _eventsDroppedInvalidStream;
        private long _eventsDroppedOverflow;
        private long _recordsDroppedBufferCap;
        private long _eventsBuffered;
        private long _eventsBufferedOverflow;
        private long _eventsReplayed;
        private long _requests;
        private long _requestsFailed;
        private long _lastSuccessTicks;
        private long _lastErrorTicks;
        private string? _lastErrorCode;
        private string _targetName = string.Empty;

        /// <summary>The name of the target, the <c>nlog.target</c> tag of every metric (set when the target initialises).</summary>
        public string TargetName
        {
            get => Volatile.Read(ref _targetName);
            set => Volatile.Write(ref _targetName, value ?? string.Empty);
        }

        /// <summary>Events handed to the target by NLog.</summary>
        public long EventsReceived => Interlocked.Read(ref _eventsReceived);

        /// <summary>Records the service accepted.</summary>
        public long RecordsSent => Interlocked.Read(ref _recordsSent);

        /// <summary>Bytes of record data (before base64) the service accepted.</summary>
        public long BytesSent => Interlocked.Read(ref _bytesSent);

        /// <summary>The 5 KB units Firehose bills for the records it accepted: each record rounded up to 5,120 bytes.</summary>
        public long BilledUnits => Interlocked.Read(ref _billedUnits);

        /// <summary>Records the service answered with an ErrorCode (each attempt counts).</summary>
        public long RecordsRejected => Interlocked.Read(ref _recordsRejected);

        /// <summary>Records sent again after a failure (each resend counts).</summary>
        public long RecordsRetried => Interlocked.Read(ref _recordsRetried);

        /// <summary>Events sent again after a failure (each resend counts; more than records when records are packed).</summary>
        public long EventsRetried => Interlocked.Read(ref _eventsRetried);

        /// <summary>Events given up on: not delivered by the delivery timeout, behind an open breaker, or at shutdown.</summary>
        public long EventsUndeliverable => Interlocked.Read(ref _eventsUndeliverable);

        /// <summary>Events dropped because their record was larger than Firehose accepts.</summary>
        public long EventsDroppedOversize => Interlocked.Read(ref _eventsDroppedOversize);

        /// <summary>Events whose record was truncated to fit.</summary>
        public long EventsTruncated => Interlocked.Read(ref _eventsTruncated);

        /// <summary>Events dropped because their delivery stream name rendered empty or invalid.</summary>
        public long EventsDroppedInvalidStream => Interlocked.Read(ref _eventsDroppedInvalidStream);

        /// <summary>Events NLog's queue dropped because it was full (OverflowAction Discard).</summary>
        public long EventsDroppedOverflow => Interlocked.Read(ref _eventsDroppedOverflow);

        /// <summary>Records the disk buffer deleted, oldest first, to stay under its cap.</summary>
        public long RecordsDroppedBufferCap => Interlocked.Read(ref _recordsDroppedBufferCap);

        /// <summary>Events written to the disk buffer: because they could not be delivered then, or because NLog's full queue dropped them.</summary>
        public long EventsBuffered => Interlocked.Read(ref _eventsBuffered);

        /// <summary>Of <see cref="EventsBuffered"/>, the events NLog's full queue dropped (OverflowAction Discard) that went to disk instead of being lost.</summary>
        public long EventsBufferedOverflow => Interlocked.Read(ref _eventsBufferedOverflow);

        /// <summary>Events delivered from the disk buffer.</summary>
        public long EventsReplayed => Interlocked.Read(ref _eventsReplayed);

        /// <summary>PutRecordBatch calls made.</summary>
        public long Requests => Interlocked.Read(ref _requests);

        /// <summary>PutRecordBatch calls that failed as a whole (refused or not answered).</summary>
        public long RequestsFailed => Interlocked.Read(ref _requestsFailed);

        /// <summary>Every event dropped or given up, whatever the reason (records dropped for the buffer's cap included).</summary>
        public long EventsDropped => EventsUndeliverable + EventsDroppedOversize + EventsDroppedInvalidStream + EventsDroppedOverflow + RecordsDroppedBufferCap;

        /// <summary>When a call last had records accepted (UTC), or null.</summary>
        public DateTime? LastSuccessUtc => TicksToTime(Interlocked.Read(ref _lastSuccessTicks));

        /// <summary>When a call or a record last failed (UTC), or null.</summary>
        public DateTime? LastErrorUtc => TicksToTime(Interlocked.Read(ref _lastErrorTicks));

        /// <summary>The error code of the last failed call or record, or null.</summary>
        public string? LastErrorCode => Volatile.Read(ref _lastErrorCode);

        private static DateTime? TicksToTime(long ticks) => ticks == 0 ? null : new DateTime(ticks, DateTimeKind.Utc);

        internal void Received(int events)
        {
            Interlocked.Add(ref _eventsReceived, events);
            FirehoseMetrics.EventsReceived.Add(events, Tags());
        }

        /// <summary>
        /// One PutRecordBatch call to <paramref name="stream"/> ended with <paramref name="outcome"/> (one of
        /// <see cref="RequestOutcome"/>'s) after <paramref name="duration"/>; <paramref name="errorCode"/> is the call's (or
        /// its last failed record's) error code; <paramref name="failedAsAWhole"/> when it was refused or not answered.
        /// </summary>
        internal void Request(string stream, string outcome, TimeSpan duration, string? errorCode, bool failedAsAWhole)
        {
            Interlocked.Increment(ref _requests);
            if (failedAsAWhole)
                Interlocked.Increment(ref _requestsFailed);
            long now = DateTime.UtcNow.Ticks;
            if (outcome == RequestOutcome.Success || outcome == RequestOutcome.Partial)
                Interlocked.Exchange(ref _lastSuccessTicks, now);
            if (errorCode != null && outcome != RequestOutcome.Success && outcome != RequestOutcome.Cancelled)
            {
                Volatile.Write(ref _lastErrorCode, errorCode);
                Interlocked.Exchange(ref _lastErrorTicks, now);
            }
            TagList tags = Tags(stream);
            tags.Add(FirehoseMetrics.OutcomeTag, outcome);
            FirehoseMetrics.Requests.Add(1, tags);
            FirehoseMetrics.RequestDuration.Record(duration.TotalSeconds, tags);
        }

        internal void Accepted(string stream, int records, long bytes, long billedUnits)
        {
            Interlocked.Add(ref _recordsSent, records);
            Interlocked.Add(ref _bytesSent, bytes);
            Interlocked.Add(ref _billedUnits, billedUnits);
            if (records == 0)
                return;
            TagList tags = Tags(stream);
            FirehoseMetrics.RecordsSent.Add(records, tags);
            FirehoseMetrics.BytesSent.Add(bytes, tags);
            FirehoseMetrics.BilledUnits.Add(billedUnits, tags);
        }

        internal void Rejected(string stream, int records)
        {
            Interlocked.Add(ref _recordsRejected, records);
            if (records > 0)
                FirehoseMetrics.RecordsRejected.Add(records, Tags(stream));
        }

        internal void Retried(string stream, int records, int events)
        {
            Interlocked.Add(ref _recordsRetried, records);
            Interlocked.Add(ref _eventsRetried, events);
            FirehoseMetrics.EventsRetried.Add(events, Tags(stream));
        }

        internal void Undeliverable(int events, string? stream = null)
        {
            Interlocked.Add(ref _eventsUndeliverable, events);
            Dropped(events, DropReason.Undeliverable, stream);
        }

        /// <summary>
        /// <paramref name="events"/> events for <paramref name="stream"/> went to the disk buffer: dropped by NLog's full
        /// queue when <paramref name="overflow"/>, else not delivered then.
        /// </summary>
        internal void Buffered(int events, string? stream = null, bool overflow = false)
        {
            Interlocked.Add(ref _eventsBuffered, events);
            if (overflow)
                Interlocked.Add(ref _eventsBufferedOverflow, events);
            TagList tags = Tags(stream);
            tags.Add(FirehoseMetrics.ReasonTag, overflow ? BufferReason.Overflow : BufferReason.NotDelivered);
            FirehoseMetrics.EventsBuffered.Add(events, tags);
        }

        internal void Replayed(int events, string? stream = null)
        {
            Interlocked.Add(ref _eventsReplayed, events);
            FirehoseMetrics.EventsReplayed.Add(events, Tags(stream));
        }

        internal void DroppedOversize(string? stream = null)
        {
            Interlocked.Increment(ref _eventsDroppedOversize);
            Dropped(1, DropReason.Oversize, stream);
        }

        internal void Truncated(string? stream = null)
        {
            Interlocked.Increment(ref _eventsTruncated);
            FirehoseMetrics.EventsTruncated.Add(1, Tags(stream));
        }

        internal void DroppedInvalidStream()
        {
            Interlocked.Increment(ref _eventsDroppedInvalidStream);
            Dropped(1, DropReason.InvalidStream, null);
        }

        internal void DroppedOverflow(int events = 1)
        {
            Interlocked.Add(ref _eventsDroppedOverflow, events);
            Dropped(events, DropReason.Overflow, null);
        }

        /// <summary>The disk buffer deleted <paramref name="records"/> undelivered records to stay under its cap.</summary>
        internal void DroppedBufferCap(long records)
        {
            Interlocked.Add(ref _recordsDroppedBufferCap, records);
            Dropped(records, DropReason.BufferCap, null);
        }

        private void Dropped(long events, string reason, string? stream)
        {
            if (events <= 0)
                return;
            TagList tags = Tags(stream);
            tags.Add(FirehoseMetrics.ReasonTag, reason);
            FirehoseMetrics.EventsDropped.Add(events, tags);
        }

        /// <summary>The tags every measurement of this target carries: the target's name, and the stream when known.</summary>
        internal TagList Tags(string? stream = null)
        {
            var tags = new TagList { { FirehoseMetrics.TargetTag, TargetName } };
            if (stream != null)
                tags.Add(FirehoseMetrics.StreamTag, stream);
            return tags;
        }
    }
}
