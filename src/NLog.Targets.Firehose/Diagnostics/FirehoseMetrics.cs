using System;
using System.Collections.Generic;
using System.Diagnostics.Metrics;
using NLog.Targets.Firehose.Delivery;

namespace NLog.Targets.Firehose.Diagnostics
{
    /// <summary>
    /// The target's metrics (System.Diagnostics.Metrics), on one <see cref="Meter"/> named <see cref="MeterName"/> shared
    /// by every target of the process; each measurement carries the target's name (<see cref="TargetTag"/>) and, where it
    /// applies, the stream (<see cref="StreamTag"/>). Counters are fed by <see cref="FirehoseStatistics"/> (the one counting
    /// point); the observable gauges read the targets registered with <see cref="Register"/> (initialised, not closed).
    /// Instruments cost next to nothing while no listener (OpenTelemetry, dotnet-counters, a MeterListener) enables them.
    /// </summary>
    internal static class FirehoseMetrics
    {
        /// <summary>The meter's name: <c>NLog.Targets.Firehose</c>.</summary>
        public const string MeterName = "NLog.Targets.Firehose";

        /// <summary>The tag with the target's name.</summary>
        public const string TargetTag = "nlog.target";

        /// <summary>The tag with the delivery stream's name.</summary>
        public const string StreamTag = "firehose.stream";

        /// <summary>The tag with why events were dropped.</summary>
        public const string ReasonTag = "reason";

        /// <summary>The tag with how a call ended.</summary>
        public const string OutcomeTag = "outcome";

        private static readonly object Sync = new object();
        private static readonly List<ObservedTarget> Targets = new List<ObservedTarget>();

        /// <summary>The meter.</summary>
        public static readonly Meter Meter = new Meter(MeterName, typeof(FirehoseMetrics).Assembly.GetName().Version?.ToString());

        /// <summary><c>firehose.events.received</c>.</summary>
        public static readonly Counter<long> EventsReceived = Meter.CreateCounter<long>("firehose.events.received", "{event}",
            "Events NLog handed to the target.");

        /// <summary><c>firehose.records.sent</c>.</summary>
        public static readonly Counter<long> RecordsSent = Meter.CreateCounter<long>("firehose.records.sent", "{record}",
            "Records Firehose accepted.");

        /// <summary><c>firehose.bytes.sent</c>.</summary>
        public static readonly Counter<long> BytesSent = Meter.CreateCounter<long>("firehose.bytes.sent", "By",
            "Bytes of record data (before base64, delimiters included) Firehose accepted.");

        /// <summary><c>firehose.billed_units</c>.</summary>
        public static readonly Counter<long> BilledUnits = Meter.CreateCounter<long>("firehose.billed_units", "{5KB}",
            "The 5 KB units Firehose bills for the records it accepted: each record rounded up to 5,120 bytes.");

        /// <summary><c>firehose.records.rejected</c>.</summary>
        public static readonly Counter<long> RecordsRejected = Meter.CreateCounter<long>("firehose.records.rejected", "{record}",
            "Records an answer carried an ErrorCode for (each attempt counts).");

        /// <summary><c>firehose.events.retried</c>.</summary>
        public static readonly Counter<long> EventsRetried = Meter.CreateCounter<long>("firehose.events.retried", "{event}",
            "Events sent again after a failed call or record (each resend counts).");

        /// <summary><c>firehose.events.dropped</c>.</summary>
        public static readonly Counter<long> EventsDropped = Meter.CreateCounter<long>("firehose.events.dropped", "{event}",
            "Events dropped or given up, by reason: overflow, oversize, undeliverable, buffer_cap (records), invalid_stream.");

        /// <summary><c>firehose.events.truncated</c>.</summary>
        public static readonly Counter<long> EventsTruncated = Meter.CreateCounter<long>("firehose.events.truncated", "{event}",
            "Events whose record was truncated to fit Firehose's record limit.");

        /// <summary><c>firehose.events.buffered</c>.</summary>
        public static readonly Counter<long> EventsBuffered = Meter.CreateCounter<long>("firehose.events.buffered", "{event}",
            "Events written to the disk buffer, by reason: not_delivered (could not be delivered then), overflow (NLog's full queue dropped them).");

        /// <summary><c>firehose.events.replayed</c>.</summary>
        public static readonly Counter<long> EventsReplayed = Meter.CreateCounter<long>("firehose.events.replayed", "{event}",
            "Events delivered from the disk buffer.");

        /// <summary><c>firehose.requests</c>.</summary>
        public static readonly Counter<long> Requests = Meter.CreateCounter<long>("firehose.requests", "{request}",
            "PutRecordBatch calls, by outcome: success, partial, throttled, error, timeout, malformed, refused, cancelled.");

        /// <summary><c>firehose.request.duration</c>.</summary>
        public static readonly Histogram<double> RequestDuration = Meter.CreateHistogram<double>("firehose.request.duration", "s",
            "How long PutRecordBatch calls took, by outcome.");

        /// <summary><c>firehose.queue.depth</c>.</summary>
        public static readonly ObservableGauge<int> QueueDepth = Meter.CreateObservableGauge("firehose.queue.depth", ObserveQueueDepth, "{event}",
            "Events waiting in NLog's queue for the target.");

        /// <summary><c>firehose.buffer.size</c>.</summary>
        public static readonly ObservableGauge<long> BufferSize = Meter.CreateObservableGauge("firehose.buffer.size", ObserveBufferSize, "By",
            "Bytes of the disk buffer's segment files (targets with a bufferDirectory).");

        /// <summary><c>firehose.buffer.records</c>.</summary>
        public static readonly ObservableGauge<long> BufferRecords = Meter.CreateObservableGauge("firehose.buffer.records", ObserveBufferRecords, "{record}",
            "Records in the disk buffer not yet delivered (targets with a bufferDirectory).");

        /// <summary><c>firehose.breaker.state</c>.</summary>
        public static readonly ObservableGauge<int> BreakerState = Meter.CreateObservableGauge("firehose.breaker.state", ObserveBreakers, "{state}",
            "Each stream's circuit breaker: 0 closed (sending), 1 open (an error no retry can fix; calls held back).");

        /// <summary><c>firehose.stream.send_gap</c>.</summary>
        public static readonly ObservableGauge<double> SendGap = Meter.CreateObservableGauge("firehose.stream.send_gap", ObserveSendGaps, "s",
            "Each stream's adaptive gap between calls: 0 unless Firehose throttled it lately.");

        /// <summary>What the observable gauges read from one initialised target.</summary>
        internal sealed class ObservedTarget
        {
            /// <summary>Creates the observation.</summary>
            public ObservedTarget(FirehoseStatistics statistics, Func<int> queueDepth, Func<(long Bytes, long Records)?> buffer, Func<List<StreamState>> streams)
            {
                Statistics = statistics;
                QueueDepth = queueDepth;
                Buffer = buffer;
                Streams = streams;
            }

            /// <summary>The target's counting point (its name tags the measurements).</summary>
            public FirehoseStatistics Statistics { get; }

            /// <summary>NLog's queue depth.</summary>
            public Func<int> QueueDepth { get; }

            /// <summary>The disk buffer's bytes and pending records, or null without one.</summary>
            public Func<(long Bytes, long Records)?> Buffer { get; }

            /// <summary>The streams' states.</summary>
            public Func<List<StreamState>> Streams { get; }
        }

        /// <summary>Adds an initialised target to what the gauges observe.</summary>
        public static void Register(ObservedTarget target)
        {
            lock (Sync)
            {
                Targets.RemoveAll(t => ReferenceEquals(t.Statistics, target.Statistics));
                Targets.Add(target);
            }
        }

        /// <summary>Removes a closing target's observation.</summary>
        public static void Unregister(FirehoseStatistics statistics)
        {
            lock (Sync)
                Targets.RemoveAll(t => ReferenceEquals(t.Statistics, statistics));
        }

        private static ObservedTarget[] Observed()
        {
            lock (Sync)
                return Targets.ToArray();
        }

        private static IEnumerable<Measurement<int>> ObserveQueueDepth()
        {
            foreach (ObservedTarget target in Observed())
                yield return new Measurement<int>(target.QueueDepth(), target.Statistics.Tags());
        }

        private static IEnumerable<Measurement<long>> ObserveBufferSize()
        {
            foreach (ObservedTarget target in Observed())
            {
                if (target.Buffer() is { } buffer)
                    yield return new Measurement<long>(buffer.Bytes, target.Statistics.Tags());
            }
        }

        private static IEnumerable<Measurement<long>> ObserveBufferRecords()
        {
            foreach (ObservedTarget target in Observed())
            {
                if (target.Buffer() is { } buffer)
                    yield return new Measurement<long>(buffer.Records, target.Statistics.Tags());
            }
        }

        private static IEnumerable<Measurement<int>> ObserveBreakers()
        {
            foreach (ObservedTarget target in Observed())
            {
                foreach (StreamState stream in target.Streams())
                    yield return new Measurement<int>(stream.Breaker.IsOpen ? 1 : 0, target.Statistics.Tags(stream.Name));
            }
        }

        private static IEnumerable<Measurement<double>> ObserveSendGaps()
        {
            foreach (ObservedTarget target in Observed())
            {
                foreach (StreamState stream in target.Streams())
                    yield return new Measurement<double>(stream.Rate.Gap.TotalSeconds, target.Statistics.Tags(stream.Name));
            }
        }
    }

    /// <summary>The <c>reason</c> tag of <c>firehose.events.buffered</c>.</summary>
    internal static class BufferReason
    {
        /// <summary>Not delivered then: a failing stream, the delivery timeout, NLog's queue half full while retrying, or the close.</summary>
        public const string NotDelivered = "not_delivered";

        /// <summary>NLog's full queue dropped the event (OverflowAction Discard), and the disk buffer took it instead.</summary>
        public const string Overflow = "overflow";
    }

    /// <summary>The <c>reason</c> tag of <c>firehose.events.dropped</c>.</summary>
    internal static class DropReason
    {
        /// <summary>NLog's queue was full (OverflowAction Discard).</summary>
        public const string Overflow = "overflow";

        /// <summary>The record was larger than Firehose accepts and OversizeAction is Drop (or it could not be truncated).</summary>
        public const string Oversize = "oversize";

        /// <summary>Not delivered within DeliveryTimeoutMilliseconds (or at close) and not kept on disk.</summary>
        public const string Undeliverable = "undeliverable";

        /// <summary>Deleted from the disk buffer to stay under MaxBufferBytes (counted in records).</summary>
        public const string BufferCap = "buffer_cap";

        /// <summary>DeliveryStreamName rendered empty or invalid.</summary>
        public const string InvalidStream = "invalid_stream";
    }
}
