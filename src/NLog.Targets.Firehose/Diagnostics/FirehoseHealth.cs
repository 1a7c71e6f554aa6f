using System;
using System.Collections.Generic;

namespace NLog.Targets
{
    /// <summary>
    /// A snapshot of a <see cref="FirehoseTarget"/>'s state, for readiness and health probes: what it is doing, how much
    /// waits, and the last error and success. Taken by <see cref="FirehoseTarget.GetHealth"/> without reflection or
    /// locks held for long; cheap enough to ask on every probe.
    /// </summary>
    /// <remarks>Default: not applicable (made by <see cref="FirehoseTarget.GetHealth"/>).</remarks>
    public sealed class FirehoseHealth
    {
        internal FirehoseHealth(FirehoseHealthState state, int queuedEvents, long bufferedBytes, long bufferedRecords,
            string? lastErrorCode, DateTime? lastErrorUtc, DateTime? lastSuccessUtc, IReadOnlyList<string> openBreakerStreams,
            IReadOnlyList<string> throttledStreams, long eventsReceived, long recordsSent, long eventsDropped)
        {
            State = state;
            QueuedEvents = queuedEvents;
            BufferedBytes = bufferedBytes;
            BufferedRecords = bufferedRecords;
            LastErrorCode = lastErrorCode;
            LastErrorUtc = lastErrorUtc;
            LastSuccessUtc = lastSuccessUtc;
            OpenBreakerStreams = openBreakerStreams;
            ThrottledStreams = throttledStreams;
            EventsReceived = eventsReceived;
            RecordsSent = recordsSent;
            EventsDropped = eventsDropped;
        }

        /// <summary>What the target is doing.</summary>
        /// <remarks>Default: <see cref="FirehoseHealthState.NotInitialized"/>.</remarks>
        public FirehoseHealthState State { get; }

        /// <summary>
        /// Whether the target delivers, now or later: true for <see cref="FirehoseHealthState.Idle"/>,
        /// <see cref="FirehoseHealthState.Delivering"/>, <see cref="FirehoseHealthState.Throttled"/> and
        /// <see cref="FirehoseHealthState.Buffering"/>; false when not initialised, failing, or behind an open breaker.
        /// </summary>
        /// <remarks>Default: <c>false</c>.</remarks>
        public bool IsHealthy => State is FirehoseHealthState.Idle or FirehoseHealthState.Delivering or FirehoseHealthState.Throttled or FirehoseHealthState.Buffering;

        /// <summary>Events waiting in NLog's queue for the target.</summary>
        /// <remarks>Default: <c>0</c>.</remarks>
        public int QueuedEvents { get; }

        /// <summary>Bytes in the disk buffer's segment files (0 without a <c>bufferDirectory</c>).</summary>
        /// <remarks>Default: <c>0</c>.</remarks>
        public long BufferedBytes { get; }

        /// <summary>Records in the disk buffer not yet delivered (0 without a <c>bufferDirectory</c>).</summary>
        /// <remarks>Default: <c>0</c>.</remarks>
        public long BufferedRecords { get; }

        /// <summary>The error code of the last failed call or record (such as <c>ServiceUnavailableException</c>, <c>AccessDeniedException</c>, <c>Timeout</c>), or null if none failed.</summary>
        /// <remarks>Default: <c>null</c>.</remarks>
        public string? LastErrorCode { get; }

        /// <summary>When a call or record last failed (UTC), or null.</summary>
        /// <remarks>Default: <c>null</c>.</remarks>
        public DateTime? LastErrorUtc { get; }

        /// <summary>When Firehose last accepted records (UTC), or null if it never has.</summary>
        /// <remarks>Default: <c>null</c>.</remarks>
        public DateTime? LastSuccessUtc { get; }

        /// <summary>The streams whose circuit breaker is open.</summary>
        /// <remarks>Default: empty.</remarks>
        public IReadOnlyList<string> OpenBreakerStreams { get; }

        /// <summary>The streams the target paces because Firehose throttled them lately.</summary>
        /// <remarks>Default: empty.</remarks>
        public IReadOnlyList<string> ThrottledStreams { get; }

        /// <summary>Events NLog handed to the target since it was created.</summary>
        /// <remarks>Default: <c>0</c>.</remarks>
        public long EventsReceived { get; }

        /// <summary>Records Firehose accepted since the target was created.</summary>
        /// <remarks>Default: <c>0</c>.</remarks>
        public long RecordsSent { get; }

        /// <summary>Events dropped or given up since the target was created, for any reason (see the <c>firehose.events.dropped</c> metric).</summary>
        /// <remarks>Default: <c>0</c>.</remarks>
        public long EventsDropped { get; }

        /// <summary>The state and the main counts on one line, for a log or a probe's answer.</summary>
        /// <returns>For example <c>Delivering: 12 queued, 0 buffered bytes, last error none</c>.</returns>
        /// <remarks>Default: not applicable.</remarks>
        public override string ToString()
            => $"{State}: {QueuedEvents} queued, {BufferedBytes} buffered bytes, last error {LastErrorCode ?? "none"}";
    }
}
