using System;
using System.Threading;

namespace NLog.Targets.Firehose.Tests.Infrastructure
{
    /// <summary>How <see cref="LoopbackFirehose"/> fails calls while <see cref="FaultSettings.Outage"/> is on.</summary>
    internal enum OutageMode
    {
        /// <summary>Every call is answered HTTP 503 <c>ServiceUnavailableException</c>.</summary>
        ServiceUnavailable,

        /// <summary>
        /// The listening socket is closed, so new connections are refused by the operating system (ECONNREFUSED).
        /// Until the listener has actually closed (it happens in the background; see
        /// <see cref="LoopbackFirehose.ListenerSettledAsync"/>), new connections are aborted on arrival, and a call
        /// that arrives on a connection opened before the outage has its connection aborted.
        /// </summary>
        ConnectionRefused,
    }

    /// <summary>
    /// The faults <see cref="LoopbackFirehose"/> injects, and counters of what it did. Every member may be read and
    /// set at any time from any thread, also while calls are in flight; a call reads each setting once, when it gets
    /// to that step. Per call the faults are applied in this order: latency, outage, reset before processing,
    /// (request validation: method, headers, signature, body, limits), throttle, HTTP 500, processing with per-record
    /// failures, reset after processing.
    /// </summary>
    /// <remarks>
    /// Randomness is reproducible: the server draws one number per call from a <see cref="Random"/> seeded with
    /// <see cref="Seed"/> (under a lock, in the order calls arrive), and makes every decision of that call from a
    /// <see cref="Random"/> seeded with that number. Each decision always draws, whatever the rates, so the n-th call
    /// gets the same pattern for the same seed and rates; changing one rate does not shift the other decisions.
    /// </remarks>
    internal sealed class FaultSettings
    {
        /// <summary>The seed a new server starts with.</summary>
        public const int DefaultSeed = 20150804;

        private readonly object _randomLock = new object();
        private Random _random;
        private int _seed;

        private double _throttleRate;
        private double _recordFailureRate;
        private double _http500Rate;
        private double _resetBeforeProcessingRate;
        private double _resetAfterProcessingRate;
        private long _latencyTicks;
        private volatile bool _outage;
        private volatile OutageMode _outageMode;
        private volatile bool _verifySignatures = true;

        private long _totalCalls;
        private long _succeededCalls;
        private long _throttledCalls;
        private long _http500Calls;
        private long _resetBeforeCalls;
        private long _resetAfterCalls;
        private long _outageCalls;
        private long _refusedConnections;
        private long _failedRecords;

        public FaultSettings()
        {
            _seed = DefaultSeed;
            _random = new Random(DefaultSeed);
        }

        /// <summary>Raised (on the setting thread) when <see cref="Outage"/> or <see cref="OutageMode"/> is set.</summary>
        internal event Action? OutageChanged;

        /// <summary>Fraction (0..1) of calls answered HTTP 503 <c>ServiceUnavailableException</c> "Slow down."; nothing of such a call is accepted.</summary>
        public double ThrottleRate
        {
            get => Volatile.Read(ref _throttleRate);
            set => Volatile.Write(ref _throttleRate, CheckRate(value));
        }

        /// <summary>Fraction (0..1) of records failed inside a 200 answer, with <c>ServiceUnavailableException</c> or <c>InternalFailure</c> (chosen at random).</summary>
        public double RecordFailureRate
        {
            get => Volatile.Read(ref _recordFailureRate);
            set => Volatile.Write(ref _recordFailureRate, CheckRate(value));
        }

        /// <summary>Fraction (0..1) of calls answered HTTP 500 <c>InternalFailure</c>; nothing of such a call is accepted.</summary>
        public double Http500Rate
        {
            get => Volatile.Read(ref _http500Rate);
            set => Volatile.Write(ref _http500Rate, CheckRate(value));
        }

        /// <summary>Fraction (0..1) of calls whose connection is aborted before anything is accepted.</summary>
        public double ResetBeforeProcessingRate
        {
            get => Volatile.Read(ref _resetBeforeProcessingRate);
            set => Volatile.Write(ref _resetBeforeProcessingRate, CheckRate(value));
        }

        /// <summary>
        /// Fraction (0..1) of calls whose records are accepted (they are in <see cref="LoopbackFirehose.Accepted"/>)
        /// but whose connection is aborted before the answer is sent: the client sees an error and resends, which
        /// makes duplicates.
        /// </summary>
        public double ResetAfterProcessingRate
        {
            get => Volatile.Read(ref _resetAfterProcessingRate);
            set => Volatile.Write(ref _resetAfterProcessingRate, CheckRate(value));
        }

        /// <summary>Delay before each call is answered (after its body is read); cut short when the client goes away or the server stops.</summary>
        public TimeSpan Latency
        {
            get => TimeSpan.FromTicks(Interlocked.Read(ref _latencyTicks));
            set
            {
                if (value < TimeSpan.Zero)
                    throw new ArgumentOutOfRangeException(nameof(value), value, "Latency cannot be negative");
                Interlocked.Exchange(ref _latencyTicks, value.Ticks);
            }
        }

        /// <summary>While true, every call fails the way <see cref="OutageMode"/> says.</summary>
        public bool Outage
        {
            get => _outage;
            set
            {
                _outage = value;
                OutageChanged?.Invoke();
            }
        }

        /// <summary>How calls fail during an <see cref="Outage"/>; <see cref="Infrastructure.OutageMode.ServiceUnavailable"/> by default.</summary>
        public OutageMode OutageMode
        {
            get => _outageMode;
            set
            {
                if (!Enum.IsDefined(value))
                    throw new ArgumentOutOfRangeException(nameof(value), value, "unknown OutageMode");
                _outageMode = value;
                OutageChanged?.Invoke();
            }
        }

        /// <summary>Whether the SigV4 signature is checked (true by default); when false the check is skipped and <see cref="ReceivedCall.SignatureProblem"/> stays null.</summary>
        public bool VerifySignatures
        {
            get => _verifySignatures;
            set => _verifySignatures = value;
        }

        /// <summary>The seed of the fault pattern. Setting it (even to the same value) restarts the pattern from its first call.</summary>
        public int Seed
        {
            get
            {
                lock (_randomLock)
                    return _seed;
            }
            set
            {
                lock (_randomLock)
                {
                    _seed = value;
                    _random = new Random(value);
                }
            }
        }

        /// <summary>Whether connections are refused right now (an outage in <see cref="Infrastructure.OutageMode.ConnectionRefused"/> mode).</summary>
        public bool RefusesConnections => _outage && _outageMode == OutageMode.ConnectionRefused;

        /// <summary>HTTP calls that reached the server (whatever their fate).</summary>
        public long TotalCalls => Interlocked.Read(ref _totalCalls);

        /// <summary>Calls answered 200 (possibly with per-record failures).</summary>
        public long SucceededCalls => Interlocked.Read(ref _succeededCalls);

        /// <summary>Calls answered 503 by <see cref="ThrottleRate"/>.</summary>
        public long ThrottledCalls => Interlocked.Read(ref _throttledCalls);

        /// <summary>Calls answered 500 by <see cref="Http500Rate"/>.</summary>
        public long Http500Calls => Interlocked.Read(ref _http500Calls);

        /// <summary>Calls aborted by <see cref="ResetBeforeProcessingRate"/>.</summary>
        public long ResetBeforeCalls => Interlocked.Read(ref _resetBeforeCalls);

        /// <summary>Calls accepted and then aborted by <see cref="ResetAfterProcessingRate"/>.</summary>
        public long ResetAfterCalls => Interlocked.Read(ref _resetAfterCalls);

        /// <summary>Calls failed because of an <see cref="Outage"/> (503, or aborted in ConnectionRefused mode).</summary>
        public long OutageCalls => Interlocked.Read(ref _outageCalls);

        /// <summary>Connections aborted on arrival during a ConnectionRefused outage, before the listener closed.</summary>
        public long RefusedConnections => Interlocked.Read(ref _refusedConnections);

        /// <summary>Records answered with an <c>ErrorCode</c> inside a 200 answer (by <see cref="RecordFailureRate"/> or <see cref="LoopbackFirehose.FailRecord"/>).</summary>
        public long FailedRecords => Interlocked.Read(ref _failedRecords);

        /// <summary>Sets every counter back to zero (the settings and the seed's position are kept).</summary>
        public void ResetCounters()
        {
            Interlocked.Exchange(ref _totalCalls, 0);
            Interlocked.Exchange(ref _succeededCalls, 0);
            Interlocked.Exchange(ref _throttledCalls, 0);
            Interlocked.Exchange(ref _http500Calls, 0);
            Interlocked.Exchange(ref _resetBeforeCalls, 0);
            Interlocked.Exchange(ref _resetAfterCalls, 0);
            Interlocked.Exchange(ref _outageCalls, 0);
            Interlocked.Exchange(ref _refusedConnections, 0);
            Interlocked.Exchange(ref _failedRecords, 0);
        }

        /// <summary>Turns every fault off: rates 0, no latency, no outage, signatures verified. Counters and seed are kept.</summary>
        public void ClearFaults()
        {
            ThrottleRate = 0;
            RecordFailureRate = 0;
            Http500Rate = 0;
            ResetBeforeProcessingRate = 0;
            ResetAfterProcessingRate = 0;
            Latency = TimeSpan.Zero;
            VerifySignatures = true;
            _outageMode = OutageMode.ServiceUnavailable;
            Outage = false;
        }

        /// <summary>The decisions for the next call to arrive, drawn from the seeded sequence.</summary>
        internal CallDice NextCall()
        {
            int callSeed;
            lock (_randomLock)
                callSeed = _random.Next();
            return new CallDice(callSeed);
        }

        internal void CountCall() => Interlocked.Increment(ref _totalCalls);

        internal void CountSucceeded() => Interlocked.Increment(ref _succeededCalls);

        internal void CountThrottled() => Interlocked.Increment(ref _throttledCalls);

        internal void CountHttp500() => Interlocked.Increment(ref _http500Calls);

        internal void CountResetBefore() => Interlocked.Increment(ref _resetBeforeCalls);

        internal void CountResetAfter() => Interlocked.Increment(ref _resetAfterCalls);

        internal void CountOutage() => Interlocked.Increment(ref _outageCalls);

        internal void CountRefusedConnection() => Interlocked.Increment(ref _refusedConnections);

        internal void CountFailedRecords(int count) => Interlocked.Add(ref _failedRecords, count);

        private static double CheckRate(double value)
        {
            if (!(value >= 0 && value <= 1))
                throw new ArgumentOutOfRangeException(nameof(value), value, "a rate must be between 0 and 1");
            return value;
        }

        /// <summary>
        /// The random decisions of one call, made from its own seed in a fixed order: reset before, throttle, 500,
        /// reset after, then two draws per record (fail? which code?).
        /// </summary>
        internal sealed class CallDice
        {
            private readonly Random _random;

            public CallDice(int seed)
            {
                _random = new Random(seed);
                ResetBefore = _random.NextDouble();
                Throttle = _random.NextDouble();
                Http500 = _random.NextDouble();
                ResetAfter = _random.NextDouble();
            }

            public double ResetBefore { get; }

            public double Throttle { get; }

            public double Http500 { get; }

            public double ResetAfter { get; }

            /// <summary>The error code for the next record, or null when it succeeds (always draws twice).</summary>
            public string? NextRecord(double failureRate)
            {
                double fail = _random.NextDouble();
                double which = _random.NextDouble();
                if (fail >= failureRate)
                    return null;
                return which < 0.5 ? "ServiceUnavailableException" : "InternalFailure";
            }
        }
    }
}
