using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Threading;
using System.Threading.Tasks;
using NLog.Common;
using NLog.Targets.Firehose.Client;
using NLog.Targets.Firehose.Diagnostics;

namespace NLog.Targets.Firehose.Delivery
{
    /// <summary>
    /// Delivers one call's worth of records to a stream: sends them, then resends only the records that failed
    /// (never an accepted one), with exponential backoff and full jitter, at the stream's adaptive pace, behind its
    /// circuit breaker, until every record is accepted, the deadline passes, or the target shuts down.
    /// </summary>
    internal sealed class RecordSender
    {
        private readonly IFirehoseClient _client;
        private readonly Backoff _backoff;
        private readonly FirehoseStatistics _statistics;
        private readonly LogRateLimiter _logLimiter;
        private readonly object _owner;
        private readonly Func<DateTime> _utcNow;
        private readonly Func<TimeSpan, CancellationToken, Task> _delay;
        private readonly List<ReadOnlyMemory<byte>> _callRecords = new List<ReadOnlyMemory<byte>>();
        private readonly Func<ReadOnlyMemory<byte>, int>? _eventsInRecord;

        /// <summary>Firehose bills each record rounded up to this many bytes.</summary>
        internal const int BillingUnitBytes = 5120;

        /// <summary>The reason given when a send stops because its token was cancelled.</summary>
        public const string Cancelled = "the write was cancelled (the target closed, or NLog's TaskTimeoutSeconds passed)";

        /// <summary>
        /// Creates the sender. <paramref name="owner"/> names the target in log messages; <paramref name="eventsInRecord"/>
        /// counts the events a record holds (more than one when records are packed; null: one).
        /// </summary>
        public RecordSender(IFirehoseClient client, Backoff backoff, FirehoseStatistics statistics, LogRateLimiter logLimiter, object owner,
            Func<DateTime>? utcNow = null, Func<TimeSpan, CancellationToken, Task>? delay = null, Func<ReadOnlyMemory<byte>, int>? eventsInRecord = null)
        {
            _eventsInRecord = eventsInRecord;
            _client = client;
            _backoff = backoff;
            _statistics = statistics;
            _logLimiter = logLimiter;
            _owner = owner;
            _utcNow = utcNow ?? (() => MonotonicClock.UtcNow);
            _delay = delay ?? Task.Delay;
        }

        /// <summary>The reason of a result given up because <c>stopRetrying</c> said so.</summary>
        public const string StoppedRetrying = "retrying was stopped";

        /// <summary>
        /// Sends <paramref name="records"/> (within one call's limits) to <paramref name="stream"/>. No retry starts after
        /// <paramref name="deadlineUtc"/>; the first attempt may, when <paramref name="firstAttemptMayBeLate"/> (so that a
        /// delivery timeout of 0 still means one attempt), but never past an open breaker. When <paramref name="stopRetrying"/>
        /// says so, no retry starts either (nor a wait for the breaker): the caller has somewhere better to keep the records.
        /// </summary>
        public async Task<SendResult> SendAsync(StreamState stream, IReadOnlyList<ReadOnlyMemory<byte>> records, DateTime deadlineUtc, CancellationToken cancellationToken, bool firstAttemptMayBeLate = true, Func<bool>? stopRetrying = null)
        {
            var pending = new List<int>(records.Count);
            for (int i = 0; i < records.Count; i++)
                pending.Add(i);

            string? lastError = null;
            int retry = 0;
            while (true)
            {
                if (cancellationToken.IsCancellationRequested)
                    return new SendResult(pending, lastError, Cancelled);

                DateTime now = _utcNow();
                if ((retry > 0 || !firstAttemptMayBeLate) && now >= deadlineUtc)
                    return GiveUp(stream, pending, lastError);
                if (retry > 0 && stopRetrying?.Invoke() == true)
                    return new SendResult(pending, lastError, StoppedRetrying);

                // An open breaker holds every call until its probe time.
                TimeSpan wait = stream.Breaker.TimeUntilCall(now);
                if (wait > TimeSpan.Zero)
                {
                    if (now + wait > deadlineUtc)
                        return GiveUp(stream, pending, lastError);   // the breaker is open: GiveUp says so
                    if (stopRetrying?.Invoke() == true)
                        return new SendResult(pending, lastError ?? stream.Breaker.OpenCode, StoppedRetrying);
                    if (!await DelayAsync(wait, cancellationToken).ConfigureAwait(false))
                        continue;
                }

                // Every call to the stream waits for its turn at the stream's pace (a retry not past the deadline).
                now = _utcNow();
                wait = stream.Rate.Reserve(now);
                if (retry > 0 && now + wait > deadlineUtc)
                    return GiveUp(stream, pending, lastError);
                if (wait > TimeSpan.Zero && !await DelayAsync(wait, cancellationToken).ConfigureAwait(false))
                    continue;

                _callRecords.Clear();
                foreach (int index in pending)
                    _callRecords.Add(records[index]);
                if (retry > 0)
                    _statistics.Retried(stream.Name, pending.Count, EventsIn(_callRecords));

                long started = Stopwatch.GetTimestamp();
                PutRecordBatchResponse response;
                try
                {
                    // A call that does not end when cancelled (a client that ignores the token) is left behind, so that
                    // the write still ends when the target closes or NLog's TaskTimeoutSeconds passes: its records then
                    // go to the disk buffer or are reported, instead of being held by a write that never ends.
                    Task<PutRecordBatchResponse> call = _client.PutRecordBatchAsync(stream.Name, _callRecords, cancellationToken);
                    if (!call.IsCompleted && cancellationToken.CanBeCanceled)
                    {
                        try
                        {
                            response = await call.WaitAsync(cancellationToken).ConfigureAwait(false);
                        }
                        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested && !call.IsCompleted)
                        {
                            _ = call.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
                            throw;
                        }
                    }
                    else
                    {
                        response = await call.ConfigureAwait(false);
                    }
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                    _statistics.Request(stream.Name, RequestOutcome.Cancelled, Stopwatch.GetElapsedTime(started), null, failedAsAWhole: false);
                    return new SendResult(pending, lastError, Cancelled);
                }
                catch (Exception ex) when (ex is not OutOfMemoryException)
                {
                    FailureKind kind = FailureClassifier.Classify(ex, out string code);
                    lastError = code;
                    string outcome = kind switch
                    {
                        FailureKind.Fatal => RequestOutcome.Refused,
                        FailureKind.Throttled => RequestOutcome.Throttled,
                        _ => code == "Timeout" ? RequestOutcome.Timeout : code == "MalformedResponse" ? RequestOutcome.Malformed : RequestOutcome.Error,
                    };
                    _statistics.Request(stream.Name, outcome, Stopwatch.GetElapsedTime(started), code, failedAsAWhole: true);
                    retry++;
                    if (kind == FailureKind.Fatal)
                    {
                        Trip(stream, code, ex);
                        continue;   // the breaker's probe time governs the next attempt
                    }
                    if (kind == FailureKind.Throttled)
                        stream.Rate.OnThrottled();
                    if (_logLimiter.ShouldLog("call|" + stream.Name + "|" + code, out int suppressed))
                    {
                        InternalLogger.Warn(ex, "{0}: PutRecordBatch to stream '{1}' failed ({2}) for {3} records; retrying{4}",
                            _owner, stream.Name, code, pending.Count, LogRateLimiter.Suppressed(suppressed));
                    }
                    await DelayAsync(Clamp(_backoff.Next(retry), deadlineUtc), cancellationToken).ConfigureAwait(false);
                    continue;
                }

                if (response.RequestResponses.Count != pending.Count)
                {
                    // The HTTP client checks this already; a client that does not is answered like a malformed answer.
                    lastError = "MalformedResponse";
                    _statistics.Request(stream.Name, RequestOutcome.Malformed, Stopwatch.GetElapsedTime(started), lastError, failedAsAWhole: true);
                    retry++;
                    await DelayAsync(Clamp(_backoff.Next(retry), deadlineUtc), cancellationToken).ConfigureAwait(false);
                    continue;
                }

                stream.Degraded = false;
                if (stream.Breaker.OnSuccess())
                    InternalLogger.Info("{0}: stream '{1}' answers again; sending resumed", _owner, stream.Name);

                TimeSpan took = Stopwatch.GetElapsedTime(started);
                var failed = new List<int>();
                int throttled = 0;
                long acceptedBytes = 0;
                long billedUnits = 0;
                for (int i = 0; i < pending.Count; i++)
                {
                    PutRecordBatchResponseEntry entry = response.RequestResponses[i];
                    if (entry.Failed)
                    {
                        failed.Add(pending[i]);
                        lastError = entry.ErrorCode;
                        if (FailureClassifier.ClassifyRecord(entry.ErrorCode!) == FailureKind.Throttled)
                            throttled++;
                    }
                    else
                    {
                        int length = records[pending[i]].Length;
                        acceptedBytes += length;
                        billedUnits += (length + BillingUnitBytes - 1) / BillingUnitBytes;
                    }
                }
                string answered = failed.Count == 0 ? RequestOutcome.Success
                    : throttled == pending.Count ? RequestOutcome.Throttled
                    : RequestOutcome.Partial;
                _statistics.Request(stream.Name, answered, took, failed.Count == 0 ? null : lastError, failedAsAWhole: false);
                _statistics.Accepted(stream.Name, pending.Count - failed.Count, acceptedBytes, billedUnits);
                _statistics.Rejected(stream.Name, failed.Count);

                stream.Rate.OnResult((double)throttled / pending.Count);

                if (failed.Count == 0)
                    return new SendResult(Array.Empty<int>(), lastError, null);

                if (_logLimiter.ShouldLog("record|" + stream.Name + "|" + lastError, out int held))
                {
                    InternalLogger.Warn("{0}: Firehose failed {1} of {2} records for stream '{3}' ({4}); resending only those{5}",
                        _owner, failed.Count, pending.Count, stream.Name, lastError, LogRateLimiter.Suppressed(held));
                }
                pending = failed;
                retry++;
                await DelayAsync(Clamp(_backoff.Next(retry), deadlineUtc), cancellationToken).ConfigureAwait(false);
            }
        }

        /// <summary>The events the records of a call hold.</summary>
        private int EventsIn(List<ReadOnlyMemory<byte>> records)
        {
            if (_eventsInRecord is null)
                return records.Count;
            int events = 0;
            foreach (ReadOnlyMemory<byte> record in records)
                events += _eventsInRecord(record);
            return events;
        }

        /// <summary>Gives up at the deadline, saying why: an open breaker if the stream's is open, else the timeout.</summary>
        private static SendResult GiveUp(StreamState stream, List<int> pending, string? lastError)
        {
            string? open = stream.Breaker.OpenCode;
            return open != null
                ? new SendResult(pending, lastError ?? open, "the stream's circuit breaker is open (" + open + ")")
                : new SendResult(pending, lastError, "kept failing until the delivery timeout");
        }

        private void Trip(StreamState stream, string code, Exception ex)
        {
            bool opened = stream.Breaker.Trip(code, _utcNow(), out TimeSpan nextProbe);
            if (opened)
            {
                InternalLogger.Error(ex, "{0}: stopped sending to stream '{1}': {2}. To fix: {3}. Probing again in {4:0} s",
                    _owner, stream.Name, code, FailureClassifier.AdviceFor(code), nextProbe.TotalSeconds);
                _logLimiter.ShouldLog("breaker|" + stream.Name, out _);   // start the once-a-minute window now
            }
            else if (_logLimiter.ShouldLog("breaker|" + stream.Name, out int suppressed))
            {
                InternalLogger.Error("{0}: stream '{1}' still refuses calls: {2}. To fix: {3}. Next probe in {4:0} s{5}",
                    _owner, stream.Name, code, FailureClassifier.AdviceFor(code), nextProbe.TotalSeconds, LogRateLimiter.Suppressed(suppressed));
            }
        }

        private TimeSpan Clamp(TimeSpan delay, DateTime deadlineUtc)
        {
            TimeSpan left = deadlineUtc - _utcNow();
            if (left <= TimeSpan.Zero)
                return TimeSpan.Zero;
            return delay < left ? delay : left;
        }

        /// <summary>Waits; false when cancelled (the loop then reports the shutdown).</summary>
        private async Task<bool> DelayAsync(TimeSpan delay, CancellationToken cancellationToken)
        {
            if (delay <= TimeSpan.Zero)
                return !cancellationToken.IsCancellationRequested;
            try
            {
                await _delay(delay, cancellationToken).ConfigureAwait(false);
                return true;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return false;
            }
        }
    }
}
