using System.Collections.Generic;
using NLog.Targets.Firehose.Buffering;
using NLog.Targets.Firehose.Delivery;
using NLog.Targets.Firehose.Diagnostics;

namespace NLog.Targets
{
    // Health and metrics: what the target tells an application (GetHealth) and a metrics listener (FirehoseMetrics)
    // about itself. Kept apart from the write path in FirehoseTarget.cs.
    public partial class FirehoseTarget
    {
        /// <summary>
        /// The name of the <see cref="System.Diagnostics.Metrics.Meter"/> the target's metrics are on, for
        /// <c>AddMeter(FirehoseTarget.MeterName)</c> (OpenTelemetry) or <c>dotnet-counters monitor --counters NLog.Targets.Firehose</c>.
        /// </summary>
        /// <remarks>Default: <c>NLog.Targets.Firehose</c>.</remarks>
        public const string MeterName = FirehoseMetrics.MeterName;

        /// <summary>
        /// What the target is doing now, for readiness and health probes: its <see cref="FirehoseHealth.State"/>, the events
        /// queued, the disk buffer's size, the last error code and the last success. No reflection, safe from any thread,
        /// cheap enough to call on every probe.
        /// </summary>
        /// <returns>A snapshot; <see cref="FirehoseHealthState.NotInitialized"/> before NLog initialises the target and after it closes it.</returns>
        /// <remarks>Default: not applicable.</remarks>
        public FirehoseHealth GetHealth()
        {
            FirehoseStatistics stats = Statistics;
            bool initialised = _client != null;
            int queued = initialised ? _queueProbe?.Count ?? 0 : 0;
            DiskBuffer? buffer = _buffer;
            long bufferedBytes = buffer?.SizeBytes ?? 0;
            long bufferedRecords = buffer?.PendingRecords ?? 0;
            var open = new List<string>();
            var throttled = new List<string>();
            bool degraded = false;
            if (initialised)
            {
                foreach (StreamState stream in _streams.Snapshot())
                {
                    if (stream.Breaker.IsOpen)
                        open.Add(stream.Name);
                    if (stream.Rate.Gap > System.TimeSpan.Zero)
                        throttled.Add(stream.Name);
                    degraded |= stream.Degraded;
                }
            }

            FirehoseHealthState state;
            if (!initialised)
                state = FirehoseHealthState.NotInitialized;
            else if (open.Count > 0)
                state = FirehoseHealthState.BreakerOpen;
            else if (degraded && buffer is null)
                state = FirehoseHealthState.Failing;
            else if (bufferedRecords > 0 || (degraded && buffer != null))
                state = FirehoseHealthState.Buffering;
            else if (throttled.Count > 0)
                state = FirehoseHealthState.Throttled;
            else if (queued > 0 || _writeGate.CurrentCount == 0)
                state = FirehoseHealthState.Delivering;
            else
                state = FirehoseHealthState.Idle;

            return new FirehoseHealth(state, queued, bufferedBytes, bufferedRecords, stats.LastErrorCode, stats.LastErrorUtc, stats.LastSuccessUtc,
                open, throttled, stats.EventsReceived, stats.RecordsSent, stats.EventsDropped);
        }

        /// <summary>Makes the initialised target visible to the metrics' gauges, tagged with its name (InitializeTarget).</summary>
        private void StartObservability()
        {
            Statistics.TargetName = Name ?? string.Empty;
            if (_buffer != null)
                _buffer.DroppedForCap = Statistics.DroppedBufferCap;
            FirehoseMetrics.Register(new FirehoseMetrics.ObservedTarget(
                Statistics,
                () => _queueProbe?.Count ?? 0,
                () => _buffer is DiskBuffer buffer ? (buffer.SizeBytes, buffer.PendingRecords) : null,
                _streams.Snapshot));
        }

        /// <summary>Takes the closing target out of the metrics' gauges (CloseTarget).</summary>
        private void StopObservability() => FirehoseMetrics.Unregister(Statistics);

        /// <summary>The events a record holds: one, or its delimiters when records are packed.</summary>
        private System.Func<System.ReadOnlyMemory<byte>, int>? EventsInRecord => PackRecords ? CountDelimiters : null;
    }
}
