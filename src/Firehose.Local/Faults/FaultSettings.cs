using System;
using System.Threading;

namespace Firehose.Local
{
    /// <summary>
    /// Injected faults. Bindable from configuration (<c>FirehoseLocal:Faults</c>) for the start, and adjustable at run
    /// time from any thread through <see cref="FirehoseLocalServer.Faults"/> or <c>GET/PUT /_local/faults</c>.
    /// Rates are probabilities from 0 to 1 drawn per call (per record for <see cref="RecordFailureRate"/>).
    /// </summary>
    public sealed class FaultSettings
    {
        private double _throttleRate;
        private double _recordFailureRate;
        private double _serverErrorRate;
        private int _latencyMilliseconds;
        private int _outage;

        /// <summary>The share of PutRecord/PutRecordBatch calls refused with HTTP 503 <c>ServiceUnavailableException</c> ("Slow down."), Firehose's throttling answer.</summary>
        public double ThrottleRate { get => Volatile.Read(ref _throttleRate); set => Volatile.Write(ref _throttleRate, CheckRate(value)); }

        /// <summary>The share of records in an accepted PutRecordBatch that fail with <c>ErrorCode</c> <c>ServiceUnavailableException</c> (PutRecord: the call fails with HTTP 503).</summary>
        public double RecordFailureRate { get => Volatile.Read(ref _recordFailureRate); set => Volatile.Write(ref _recordFailureRate, CheckRate(value)); }

        /// <summary>The share of API calls answered with HTTP 500 <c>InternalFailure</c>.</summary>
        public double ServerErrorRate { get => Volatile.Read(ref _serverErrorRate); set => Volatile.Write(ref _serverErrorRate, CheckRate(value)); }

        /// <summary>A delay, in milliseconds, added before every API call is answered (0–600,000).</summary>
        public int LatencyMilliseconds
        {
            get => Volatile.Read(ref _latencyMilliseconds);
            set => Volatile.Write(ref _latencyMilliseconds, value is >= 0 and <= 600_000 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "LatencyMilliseconds must be 0 to 600000."));
        }

        /// <summary>While true, every API call is answered with HTTP 503 <c>ServiceUnavailableException</c>.</summary>
        public bool Outage { get => Volatile.Read(ref _outage) != 0; set => Volatile.Write(ref _outage, value ? 1 : 0); }

        /// <summary>Copies every setting of <paramref name="other"/> into this instance.</summary>
        /// <param name="other">The settings to copy.</param>
        public void CopyFrom(FaultSettings other)
        {
            ArgumentNullException.ThrowIfNull(other);
            ThrottleRate = other.ThrottleRate;
            RecordFailureRate = other.RecordFailureRate;
            ServerErrorRate = other.ServerErrorRate;
            LatencyMilliseconds = other.LatencyMilliseconds;
            Outage = other.Outage;
        }

        private static double CheckRate(double value)
            => value is >= 0 and <= 1 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "A fault rate must be between 0 and 1.");
    }
}
