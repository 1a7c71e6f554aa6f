using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;

namespace Firehose.Local.Destinations
{
    /// <summary>
    /// Buffers records as Firehose does and hands each buffer to <see cref="DeliverAsync"/> when it reaches the size
    /// hint or its oldest record reaches the interval hint, whichever comes first. Deliveries run one at a time, in order.
    /// </summary>
    internal abstract class BufferedDestination : IDestination
    {
        private readonly object _lock = new();
        private readonly long _sizeLimit;
        private readonly TimeSpan _interval;
        private List<BufferedRecord> _records = new();
        private List<RecordArena> _arenas = new();   // where the data of _records lives: released once they are delivered or lost
        private long _bytes;
        private bool _flushScheduled;
        private bool _closed;
        private Task _chain = Task.CompletedTask;

        private readonly string _stream;
        private readonly Action<string> _reportLoss;

        protected BufferedDestination(string stream, int sizeInMBs, int intervalInSeconds, Action<string> reportLoss)
        {
            _stream = stream;
            _reportLoss = reportLoss;
            _sizeLimit = sizeInMBs * 1024L * 1024L;
            _interval = TimeSpan.FromSeconds(intervalInSeconds);
        }

        public bool TryAdd(IReadOnlyList<BufferedRecord> records, RecordArena arena)
        {
            bool full;
            lock (_lock)
            {
                // Closed (stream deleted, server stopping): the final flush may already have taken the buffer, so records
                // added now would sit in a buffer nothing delivers. Refuse them; the caller answers an error, not RecordIds.
                if (_closed)
                    return false;
                foreach (BufferedRecord record in records)
                {
                    _records.Add(record);
                    _bytes += record.Data.Length;
                }
                _arenas.Add(arena);
                full = _bytes >= _sizeLimit && !_flushScheduled;
                if (full)
                    _flushScheduled = true;
            }
            if (full)
                _ = Schedule();
            return true;
        }

        public void Close()
        {
            lock (_lock)
                _closed = true;
        }

        public void FlushIfDue(DateTimeOffset now)
        {
            lock (_lock)
            {
                // Due: the oldest record is as old as the interval; or, with nothing buffered, work left by a failed delivery (such as a backup object).
                bool due = _records.Count > 0 ? now - _records[0].ArrivalTime >= _interval : HasPendingWork;
                if (_flushScheduled || !due)
                    return;
                _flushScheduled = true;
            }
            _ = Schedule();
        }

        public Task FlushAsync(CancellationToken cancellationToken) => Schedule().WaitAsync(cancellationToken);

        /// <summary>
        /// Delivers one buffer (possibly empty when <see cref="HasPendingWork"/>). Throwing puts the records back in front
        /// of the buffer, to be tried again; in the final delivery (<paramref name="final"/>: the destination is closed, no
        /// delivery follows) it reports them lost instead.
        /// </summary>
        protected abstract Task DeliverAsync(IReadOnlyList<BufferedRecord> batch, bool final);

        /// <summary>True while a delivery left work to retry that is not in the buffer (such as an unwritten backup object).</summary>
        protected virtual bool HasPendingWork => false;

        /// <summary>The stream name, for messages.</summary>
        protected string StreamName => _stream;

        /// <summary>Reports data that is neither delivered nor backed up (surfaced by the server's stop).</summary>
        protected void ReportLoss(string message) => _reportLoss($"stream {_stream}: {message}");

        private Task Schedule()
        {
            lock (_lock)
            {
                // A delivery scheduled once the destination is closed is the final one: nothing will try again after it.
                bool final = _closed;
                _chain = _chain.ContinueWith(_ => DeliverBufferAsync(final), CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default).Unwrap();
                return _chain;
            }
        }

        private async Task DeliverBufferAsync(bool final)
        {
            List<BufferedRecord> batch;
            List<RecordArena> arenas;
            lock (_lock)
            {
                batch = _records;
                arenas = _arenas;
                _records = new List<BufferedRecord>(batch.Count);   // sized like the last buffer: it grows to it again
                _arenas = new List<RecordArena>(arenas.Count);
                _bytes = 0;
                _flushScheduled = false;
            }
            if (batch.Count == 0 && !HasPendingWork)
                return;
            bool keep = false;   // put back to be tried again: the data is still needed
            try
            {
                await DeliverAsync(batch, final).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException && final)
            {
                // Stop or delete: there is no next check to try again at. Say so instead of dropping the records silently.
                LastError = ex;
                if (batch.Count > 0)
                {
                    long bytes = 0;
                    foreach (BufferedRecord record in batch)
                        bytes += record.Data.Length;
                    ReportLoss($"{batch.Count} records ({bytes} bytes) could not be delivered: {ex.Message}");
                }
                else
                {
                    ReportLoss("delivery failed: " + ex.Message);
                }
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // Like Firehose, keep the data and try again later (at the next interval check or flush).
                lock (_lock)
                {
                    foreach (BufferedRecord record in batch)
                        _bytes += record.Data.Length;
                    batch.AddRange(_records);
                    _records = batch;
                    arenas.AddRange(_arenas);
                    _arenas = arenas;
                    LastError = ex;
                    keep = true;
                }
            }
            finally
            {
                // Delivered, or lost (reported): nothing reads the records' data any more.
                if (!keep)
                {
                    foreach (RecordArena arena in arenas)
                        arena.Release();
                }
            }
        }

        /// <summary>The last delivery failure (kept for diagnostics).</summary>
        public Exception? LastError { get; protected set; }
    }
}
