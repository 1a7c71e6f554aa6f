using System.Threading;

namespace NLog.Targets.Firehose.Diagnostics
{
    /// <summary>
    /// The one counting point of a target: every event received, record sent, drop and failure is counted here, so
    /// logs, tests and (later) metrics agree. Thread-safe.
    /// </summary>
    internal sealed class FirehoseStatistics
    {
        private long _eventsReceived;
        private long _recordsSent;
        private long _bytesSent;
        private long _recordsFailed;
        private long _eventsDroppedOversize;
        private long _eventsDroppedInvalidStream;
        private long _requests;
        private long _requestsFailed;

        /// <summary>Events handed to the target by NLog.</summary>
        public long EventsReceived => Interlocked.Read(ref _eventsReceived);

        /// <summary>Records the service accepted.</summary>
        public long RecordsSent => Interlocked.Read(ref _recordsSent);

        /// <summary>Bytes of record data (before base64) the service accepted.</summary>
        public long BytesSent => Interlocked.Read(ref _bytesSent);

        /// <summary>Records not delivered: failed per record, or in a call that failed as a whole.</summary>
        public long RecordsFailed => Interlocked.Read(ref _recordsFailed);

        /// <summary>Events dropped because their record was larger than Firehose accepts.</summary>
        public long EventsDroppedOversize => Interlocked.Read(ref _eventsDroppedOversize);

        /// <summary>Events dropped because their delivery stream name rendered empty or invalid.</summary>
        public long EventsDroppedInvalidStream => Interlocked.Read(ref _eventsDroppedInvalidStream);

        /// <summary>PutRecordBatch calls made.</summary>
        public long Requests => Interlocked.Read(ref _requests);

        /// <summary>PutRecordBatch calls that failed as a whole.</summary>
        public long RequestsFailed => Interlocked.Read(ref _requestsFailed);

        internal void Received(int events) => Interlocked.Add(ref _eventsReceived, events);

        internal void Request() => Interlocked.Increment(ref _requests);

        internal void RequestFailed(int records)
        {
            Interlocked.Increment(ref _requestsFailed);
            Interlocked.Add(ref _recordsFailed, records);
        }

        internal void Accepted(int records, long bytes)
        {
            Interlocked.Add(ref _recordsSent, records);
            Interlocked.Add(ref _bytesSent, bytes);
        }

        internal void RecordsRejected(int records) => Interlocked.Add(ref _recordsFailed, records);

        internal void DroppedOversize() => Interlocked.Increment(ref _eventsDroppedOversize);

        internal void DroppedInvalidStream() => Interlocked.Increment(ref _eventsDroppedInvalidStream);
    }
}
