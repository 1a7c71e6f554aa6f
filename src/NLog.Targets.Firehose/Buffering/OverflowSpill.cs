using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using NLog.Common;

namespace NLog.Targets.Firehose.Buffering
{
    /// <summary>
    /// The hand-off from NLog's full queue to the disk buffer: events the Discard overflow takes out of the queue are added
    /// here on the logging thread (never waiting), with their continuations, and one background task takes them in batches
    /// and hands each batch to the writer (which renders them, appends them to the disk buffer and completes their
    /// continuations). Bounded by a count of events and by their bytes as estimated when they are added; when either bound
    /// is reached, <see cref="TryAdd"/> refuses and the caller counts the event as dropped. The task runs while there is
    /// something to write, and ends when the spill is empty.
    /// </summary>
    internal sealed class OverflowSpill
    {
        private readonly object _sync = new object();
        private readonly Queue<(AsyncLogEventInfo Event, long Bytes)> _queue = new Queue<(AsyncLogEventInfo, long)>();
        private readonly Action<List<AsyncLogEventInfo>> _write;
        private readonly Action<List<AsyncLogEventInfo>, Exception> _lost;
        private readonly int _batchSize;
        private long _bytes;
        private bool _closed;
        private bool _running;
        private Task _task = Task.CompletedTask;

        /// <summary>
        /// Creates a spill of at most <paramref name="maxEvents"/> events and about <paramref name="maxBytes"/> bytes (an
        /// event alone is always taken when the spill is empty), whose task hands batches of up to
        /// <paramref name="batchSize"/> events to <paramref name="write"/> (which completes their continuations);
        /// <paramref name="lost"/> is given the batch the writer failed on unexpectedly, and why (the writer counts what it
        /// writes or drops itself).
        /// </summary>
        public OverflowSpill(int maxEvents, long maxBytes, int batchSize, Action<List<AsyncLogEventInfo>> write, Action<List<AsyncLogEventInfo>, Exception> lost)
        {
            MaxEvents = Math.Max(1, maxEvents);
            MaxBytes = Math.Max(1, maxBytes);
            _batchSize = Math.Max(1, batchSize);
            _write = write;
            _lost = lost;
        }

        /// <summary>The most events the spill holds.</summary>
        public int MaxEvents { get; }

        /// <summary>The most bytes (by estimate) the spill holds.</summary>
        public long MaxBytes { get; }

        /// <summary>Events waiting in the spill (not those of the batch being written).</summary>
        public int Count
        {
            get
            {
                lock (_sync)
                    return _queue.Count;
            }
        }

        /// <summary>
        /// Adds <paramref name="logEvent"/> (with its continuation), estimated at <paramref name="estimatedBytes"/> rendered bytes; false when the
        /// spill is full (by count or bytes) or closed. Starts the writing task when it is not running.
        /// </summary>
        public bool TryAdd(AsyncLogEventInfo logEvent, long estimatedBytes)
        {
            estimatedBytes = Math.Max(1, estimatedBytes);
            lock (_sync)
            {
                if (_closed || _queue.Count >= MaxEvents || (_bytes > 0 && _bytes + estimatedBytes > MaxBytes))
                    return false;
                _queue.Enqueue((logEvent, estimatedBytes));
                _bytes += estimatedBytes;
                if (!_running)
                {
                    _running = true;
                    _task = Task.Factory.StartNew(Run, CancellationToken.None, TaskCreationOptions.DenyChildAttach, TaskScheduler.Default);
                }
                return true;
            }
        }

        /// <summary>Completes when everything added so far is written (or the task ended for the close).</summary>
        public Task WhenIdle()
        {
            lock (_sync)
                return _task;
        }

        /// <summary>
        /// Takes no more events and waits up to <paramref name="timeout"/> for the task to write what the spill holds;
        /// returns the events still waiting then (taken out, not written: the caller counts them and fails their continuations).
        /// </summary>
        public List<AsyncLogEventInfo> Close(TimeSpan timeout)
        {
            Task task;
            lock (_sync)
            {
                _closed = true;
                task = _task;
            }
            task.Wait(timeout);
            lock (_sync)
            {
                var left = new List<AsyncLogEventInfo>(_queue.Count);
                foreach (var (logEvent, _) in _queue)
                    left.Add(logEvent);
                _queue.Clear();
                return left;
            }
        }

        private void Run()
        {
            var batch = new List<AsyncLogEventInfo>(Math.Min(_batchSize, 1024));
            while (true)
            {
                long bytes = 0;
                lock (_sync)
                {
                    if (_queue.Count == 0)
                    {
                        _running = false;
                        return;
                    }
                    while (_queue.Count > 0 && batch.Count < _batchSize)
                    {
                        var (logEvent, size) = _queue.Dequeue();
                        batch.Add(logEvent);
                        bytes += size;
                    }
                }
                try
                {
                    _write(batch);
                }
                catch (Exception ex) when (ex is not OutOfMemoryException)
                {
                    _lost(batch, ex);
                }
                finally
                {
                    lock (_sync)
                        _bytes -= bytes;   // the estimate stays held until the batch is written
                    batch.Clear();
                }
            }
        }
    }
}
