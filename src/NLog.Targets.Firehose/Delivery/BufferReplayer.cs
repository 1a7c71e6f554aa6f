using System;
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

        /// <summary>Creates the replayer. <paramref name="attempt"/> bounds how long one batch is retried before it goes back to the buffer.</summary>
        public BufferReplayer(DiskBuffer buffer, RecordSender sender, StreamStates streams, FirehoseStatistics statistics, LogRateLimiter logLimiter, object owner,
            TimeSpan idle, TimeSpan waitAfterFailure, TimeSpan attempt)
        {
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

        /// <summary>Replays until <paramref name="stop"/> is cancelled (the target closes).</summary>
        public async Task RunAsync(CancellationToken stop)
        {
            while (!stop.IsCancellationRequested)
            {
                BufferedBatch? batch = null;
                try
                {
                    batch = _buffer.TryClaimOldest();
                    if (batch is null)
                    {
                        await Task.Delay(_idle, stop).ConfigureAwait(false);
                        continue;
                    }
                    StreamState state = _streams.Get(batch.Stream);
                    TimeSpan breakerWait = state.Breaker.TimeUntilCall(DateTime.UtcNow);
                    if (breakerWait > TimeSpan.Zero)
                    {
                        _buffer.Release(batch);
                        batch = null;
                        await Task.Delay(breakerWait < _waitAfterFailure ? breakerWait : _waitAfterFailure, stop).ConfigureAwait(false);
                        continue;
                    }

                    SendResult result = await _sender.SendAsync(state, batch.Records, DateTime.UtcNow + _attempt, stop).ConfigureAwait(false);
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
                        _statistics.Replayed(delivered);
                    if (result.Undelivered.Count > 0)
                        await Task.Delay(_waitAfterFailure, stop).ConfigureAwait(false);
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
                }
            }
        }
    }
}
