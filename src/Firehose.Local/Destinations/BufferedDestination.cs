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
        private long _bytes;
        private bool _flushScheduled;
        private bool _closed;
        private Task _chain = Task.CompletedTask;

        protected BufferedDestination(int sizeInMBs, int intervalInSeconds)
        {
            _sizeLimit = sizeInMBs * 1024L * 1024L;
            _interval = TimeSpan.FromSeconds(intervalInSeconds);
        }

        public bool TryAdd(IReadOnlyList<BufferedRecord> records)
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
                if (_flushScheduled || _records.Count == 0 || now - _records[0].ArrivalTime < _interval)
                    return;
                _flushScheduled = true;
            }
            _ = Schedule();
        }

        public Task FlushAsync(CancellationToken cancellationToken) => Schedule().WaitAsync(cancellationToken);

        /// <summary>Delivers one buffer. Throwing puts the records back in front of the buffer, to be tried again.</summary>
        protected abstract Task DeliverAsync(IReadOnlyList<BufferedRecord> batch);

        private Task Schedule()
        {
            lock (_lock)
            {
                _chain = _chain.ContinueWith(_ => DeliverBufferAsync(), CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default).Unwrap();
                return _chain;
            }
        }

        private async Task DeliverBufferAsync()
        {
            List<BufferedRecord> batch;
            lock (_lock)
            {
                batch = _records;
                _records = new List<BufferedRecord>();
                _bytes = 0;
                _flushScheduled = false;
            }
            if (batch.Count == 0)
                return;
            try
            {
                await DeliverAsync(batch).ConfigureAwait(false);
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
                    LastError = ex;
                }
            }
        }

        /// <summary>The last delivery failure (kept for diagnostics).</summary>
        public Exception? LastError { get; private set; }
    }
}
