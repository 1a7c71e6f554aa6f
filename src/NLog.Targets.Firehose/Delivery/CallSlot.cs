using System;
using System.Collections.Generic;
using NLog.Targets.Firehose.Batching;

namespace NLog.Targets.Firehose.Delivery
{
    /// <summary>
    /// What one PutRecordBatch call in flight owns: its records (rendered into a buffer of its own, so that the next call
    /// can be filled while this one is sent), the events behind each record (one, or several when records are packed),
    /// its own <see cref="RecordSender"/>, and the events it got accepted or kept on disk. A write has up to
    /// MaxRequestsInFlight of them; a slot is used by one call at a time and reused after.
    /// </summary>
    internal sealed class CallSlot
    {
        private readonly List<int> _eventEnds = new List<int>(FirehoseLimits.MaxRecordsPerBatch);

        /// <summary>Creates a slot that sends with <paramref name="sender"/>.</summary>
        public CallSlot(RecordSender sender)
        {
            Sender = sender;
        }

        /// <summary>The sender of this slot's calls (a sender is not shared by calls in flight).</summary>
        public RecordSender Sender { get; }

        /// <summary>The records of the call being filled or sent.</summary>
        public RecordBuffer Records { get; } = new RecordBuffer();

        /// <summary>The events behind the records, in record order.</summary>
        public List<LogEventInfo> Events { get; } = new List<LogEventInfo>(FirehoseLimits.MaxRecordsPerBatch);

        /// <summary>The records as the sender takes them (filled when the call starts).</summary>
        public List<ReadOnlyMemory<byte>> CallRecords { get; } = new List<ReadOnlyMemory<byte>>(FirehoseLimits.MaxRecordsPerBatch);

        /// <summary>Events this slot's calls had accepted by Firehose or kept on disk during the current write.</summary>
        public List<LogEventInfo> Handled { get; } = new List<LogEventInfo>();

        /// <summary>The bytes of the records in the call being filled.</summary>
        public long CallBytes { get; set; }

        /// <summary>How many events record <paramref name="record"/> holds.</summary>
        public int EventCount(int record) => _eventEnds[record] - (record == 0 ? 0 : _eventEnds[record - 1]);

        /// <summary>Notes that the record just added to <see cref="Records"/> holds <paramref name="logEvent"/>.</summary>
        public void AddRecordEvent(LogEventInfo logEvent)
        {
            Events.Add(logEvent);
            _eventEnds.Add(Events.Count);
        }

        /// <summary>Notes that the last two records were merged into one (packing): their events now belong to one record.</summary>
        public void MergeLastTwoRecords()
        {
            int last = _eventEnds.Count - 1;
            _eventEnds[last - 1] = _eventEnds[last];
            _eventEnds.RemoveAt(last);
        }

        /// <summary>Adds the events of record <paramref name="record"/> to <see cref="Handled"/>.</summary>
        public void MarkHandled(int record)
        {
            int end = _eventEnds[record];
            for (int e = record == 0 ? 0 : _eventEnds[record - 1]; e < end; e++)
                Handled.Add(Events[e]);
        }

        /// <summary>How many events records <paramref name="records"/> hold.</summary>
        public int EventsIn(IReadOnlyList<int> records)
        {
            int count = 0;
            foreach (int record in records)
                count += EventCount(record);
            return count;
        }

        /// <summary>
        /// Moves the last record and its events from this slot to the empty slot <paramref name="next"/> (it opens the next
        /// call) and leaves this slot with the records before it.
        /// </summary>
        public void MoveLastRecordTo(CallSlot next)
        {
            int last = Records.Count - 1;
            int first = last == 0 ? 0 : _eventEnds[last - 1];
            next.Records.AddRaw(Records[last].Span);
            for (int e = first; e < Events.Count; e++)
                next.Events.Add(Events[e]);
            next._eventEnds.Add(next.Events.Count);
            Records.RemoveLast();
            Events.RemoveRange(first, Events.Count - first);
            _eventEnds.RemoveAt(last);
        }

        /// <summary>Forgets the call's records and events (not <see cref="Handled"/>).</summary>
        public void ClearCall()
        {
            Records.Clear();
            Events.Clear();
            _eventEnds.Clear();
            CallRecords.Clear();
            CallBytes = 0;
        }
    }
}
