using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using NLog.Common;
using NLog.Targets.Firehose.Buffering;
using NLog.Targets.Firehose.Diagnostics;

namespace NLog.Targets.Firehose.Delivery
{
    /// <summary>
    /// Sends what the disk buffer holds, oldest first, whenever the stream answers; idles while it is empty or the
    /// stream's breaker is open. A batch is acknowledged only after Firehose accepted it; when only part of it was
    /// accepted, the rest is written back to the buffer before the batch is acknowledged, so a crash in between
    /// duplicates rather than loses.
    /// </summary>
    internal sealed class BufferReplayer
    {
        private readonly DiskBuffer _buffer;
        private readonly RecordSender _sender;
        private readonly StreamStates _streams;
        private readonly FirehoseStatistics _statistics;
        private readonly LogRateLimiter _logLimiter;
        private readonly object _owner;
        private readonly TimeSpan _idle;
        private readonly TimeSpan _waitAfterFailure;
        private readonly TimeSpan _attempt;
        private readonly Func<ReadOnlyMemory<byte>, int> _eventsInRecord;
        // Streams to leave alone until a time (breaker open, or their last replay failed), so that one broken stream
        // does not hold back the others' batches.
        private readonly Dictionary<string, DateTime> _skipUntil = new Dictionary<string, DateTime>(StringComparer.Ordinal);
        private readonly List<BufferedBatch> _skipped = new List<BufferedBatch>();
        private const int MaxSkippedClaims = 256;

        /// <summary>
        /// Creates the replayer. <paramref name="attempt"/> bounds how long one batch is retried before it goes back to the
        /// buffer; <paramref name="eventsInRecord"/> counts the events a record holds (more than one when records are packed).
        /// </summary>
        public BufferReplayer(DiskBuffer buffer, RecordSender sender, StreamStates streams, FirehoseStatistics statistics, LogRateLimiter logLimiter, object owner,
            TimeSpan idle, TimeSpan waitAfterFailure, TimeSpan attempt, Func<ReadOnlyMemory<byte>, int>? eventsInRecord = null)
        {
            _eventsInRecord = eventsInRecord ?? (_ => 1);
            _buffer = buffer;
            _sender = sender;
            _streams = streams;
            _statistics = statistics;
            _logLimiter = logLimiter;
            _owner = owner;
            _idle = idle;
            _waitAfterFailure = waitAfterFailure;
            _attempt = attempt;
        }

        /// <summary>The events in the records of <paramref name="batch"/> that <paramref name="result"/> does not list as undelivered.</summary>
        private int EventsDelivered(BufferedBatch batch, SendResult result)
        {
            int events = 0;
            int next = 0;
            for (int i = 0; i < batch.Records.Count; i++)
            {
                if (next < result.Undelivered.Count && result.Undelivered[next] == i)
                    next++;
                else
                    events += _eventsInRecord(batch.Records[i]);
            }
            return events;
        }

        /// <summary>Replays until <paramref name="stop"/> is cancelled (the target closes).</summary>
        public async Task RunAsync(CancellationToken stop)
        {
            while (!stop.IsCancellationRequested)
            {
                BufferedBatch? batch = null;
                try
                {
                    batch = ClaimOldestNotSkipped();
                    if (batch is null)
                    {
                        await Task.Delay(_idle, stop).ConfigureAwait(false);
                        continue;
                    }
                    StreamState state = _streams.Get(batch.Stream);
                    TimeSpan breakerWait = state.Breaker.TimeUntilCall(MonotonicClock.UtcNow);
                    if (breakerWait > TimeSpan.Zero)
                    {
                        Skip(batch.Stream, breakerWait < _waitAfterFailure ? breakerWait : _waitAfterFailure);
                        continue;   // released in finally; other streams go on
                    }

                    SendResult result = await _sender.SendAsync(state, batch.Records, MonotonicClock.UtcNow + _attempt, stop).ConfigureAwait(false);
                    BufferedBatch batch0 = batch;
                    int delivered = batch.Records.Count - result.Undelivered.Count;
                    if (result.Undelivered.Count == 0)
                    {
                        _buffer.Acknowledge(batch);
                    }
                    else if (delivered > 0 && _buffer.Append(batch.Stream, result.UndeliveredRecords(batch.Records)))
                    {
                        _buffer.Acknowledge(batch);   // the rest was written back first: nothing is lost if we die in between
                    }
                    else
                    {
                        _buffer.Release(batch);
                        delivered = 0;
                    }
                    batch = null;
                    if (delivered > 0)
                        _statistics.Replayed(EventsDelivered(batch0, result), batch0.Stream);
                    if (result.Undelivered.Count > 0)
                        Skip(state.Name, _waitAfterFailure);
                }
                catch (OperationCanceledException) when (stop.IsCancellationRequested)
                {
                    break;
                }
                catch (Exception ex) when (ex is not OutOfMemoryException)
                {
                    if (_logLimiter.ShouldLog("replay", out int suppressed))
                        InternalLogger.Error(ex, "{0}: replaying the disk buffer failed; trying again later{1}", _owner, LogRateLimiter.Suppressed(suppressed));
                    try
                    {
                        await Task.Delay(_waitAfterFailure, stop).ConfigureAwait(false);
                    }
                    catch (OperationCanceledException)
                    {
                        break;
                    }
                }
                finally
                {
                    if (batch != null)
                        _buffer.Release(batch);
                    foreach (BufferedBatch skipped in _skipped)
                        _buffer.Release(skipped);
                    _skipped.Clear();
                }
            }
        }

        /// <summary>
        /// Claims the oldest batch of a stream that is not being skipped; the skipped streams' batches it meets on the
        /// way stay claimed (in <see cref="_skipped"/>) until this round ends, so the next claim moves past them.
        /// </summary>
        private BufferedBatch? ClaimOldestNotSkipped()
        {
            DateTime now = MonotonicClock.UtcNow;
            while (_skipped.Count < MaxSkippedClaims)
            {
                BufferedBatch? batch = _buffer.TryClaimOldest();
                if (batch is null)
                    return null;
                if (_skipUntil.TryGetValue(batch.Stream, out DateTime until) && until > now)
                {
                    _skipped.Add(batch);
                    continue;
                }
                _skipUntil.Remove(batch.Stream);
                return batch;
            }
            return null;
        }

        private void Skip(string stream, TimeSpan wait)
        {
            if (_skipUntil.Count > 4096)
                _skipUntil.Clear();
            _skipUntil[stream] = MonotonicClock.UtcNow + wait;
        }
    }
}
