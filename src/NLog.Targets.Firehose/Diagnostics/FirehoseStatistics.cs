using System.Threading;

namespace NLog.Targets.Firehose.Diagnostics
{
    /// <summary>
    /// The one counting point of a target: every event received, record sent, retry, drop and give-up is counted here,
    /// so logs, tests and (later) metrics agree. Thread-safe.
    /// </summary>
    internal sealed class FirehoseStatistics
    {
        private long _eventsReceived;
        private long _recordsSent;
        private long _bytesSent;
        private long _recordsRejected;
        private long _recordsRetried;
        private long _eventsUndeliverable;
        private long _eventsDroppedOversize;
        private long _eventsTruncated;
        private long _eventsDroppedInvalidStream;
        private long _eventsDroppedOverflow;
        private long _eventsBuffered;
        private long _eventsReplayed;
        private long _requests;
        private long _requestsFailed;

        /// <summary>Events handed to the target by NLog.</summary>
        public long EventsReceived => Interlocked.Read(ref _eventsReceived);

        /// <summary>Records the service accepted.</summary>
        public long RecordsSent => Interlocked.Read(ref _recordsSent);

        /// <summary>Bytes of record data (before base64) the service accepted.</summary>
        public long BytesSent => Interlocked.Read(ref _bytesSent);

        /// <summary>Records the service answered with an ErrorCode (each attempt counts).</summary>
        public long RecordsRejected => Interlocked.Read(ref _recordsRejected);

        /// <summary>Records sent again after a failure (each resend counts).</summary>
        public long RecordsRetried => Interlocked.Read(ref _recordsRetried);

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

        /// <summary>Events written to the disk buffer because they could not be delivered then.</summary>
        public long EventsBuffered => Interlocked.Read(ref _eventsBuffered);

        /// <summary>Events delivered from the disk buffer.</summary>
        public long EventsReplayed => Interlocked.Read(ref _eventsReplayed);

        /// <summary>PutRecordBatch calls made.</summary>
        public long Requests => Interlocked.Read(ref _requests);

        /// <summary>PutRecordBatch calls that failed as a whole (refused or not answered).</summary>
        public long RequestsFailed => Interlocked.Read(ref _requestsFailed);

        internal void Received(int events) => Interlocked.Add(ref _eventsReceived, events);

        internal void Request() => Interlocked.Increment(ref _requests);

        internal void RequestFailed(string outcome)
        {
            _ = outcome;   // the outcome tag is for metrics (a later issue)
            Interlocked.Increment(ref _requestsFailed);
        }

        internal void Accepted(int records, long bytes)
        {
            Interlocked.Add(ref _recordsSent, records);
            Interlocked.Add(ref _bytesSent, bytes);
        }

        internal void Rejected(int records) => Interlocked.Add(ref _recordsRejected, records);

        internal void Retried(int records) => Interlocked.Add(ref _recordsRetried, records);

        internal void Undeliverable(int events) => Interlocked.Add(ref _eventsUndeliverable, events);

        internal void Buffered(int events) => Interlocked.Add(ref _eventsBuffered, events);

        internal void Replayed(int events) => Interlocked.Add(ref _eventsReplayed, events);

        internal void DroppedOversize() => Interlocked.Increment(ref _eventsDroppedOversize);

        internal void Truncated() => Interlocked.Increment(ref _eventsTruncated);

        internal void DroppedInvalidStream() => Interlocked.Increment(ref _eventsDroppedInvalidStream);

        internal void DroppedOverflow() => Interlocked.Increment(ref _eventsDroppedOverflow);
    }
}
