using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;

namespace NLog.Targets.Firehose.Buffering
{
    /// <summary>
    /// Work handed off a thread that must not wait (a logging thread inside NLog's enqueue) to one background task, which
    /// takes it in order, in batches of up to a given size. Bounded by a count of items and by their bytes as estimated
    /// when they are added (an item alone is always taken when the queue is empty); when either bound is reached,
    /// <see cref="TryAdd"/> refuses and the caller decides (count a drop, or do the oldest item's work itself with
    /// <see cref="TryTakeOldest"/>). The task runs while there is something to do and ends when the queue is empty.
    /// The target uses two: the overflow spill (events NLog's full queue dropped, on their way to the disk buffer) and
    /// the overflow outbox (the failed writes of dropped events, completed off the logging thread).
    /// </summary>
    internal sealed class BackgroundQueue<T>
    {
        private readonly object _sync = new object();
        private readonly Queue<(T Item, long Bytes)> _queue = new Queue<(T, long)>();
        private readonly Action<List<T>> _handle;
        private readonly object _owner;
        private readonly int _batchSize;
        private long _bytes;
        private bool _closed;
        private bool _running;
        private Task _task = Task.CompletedTask;

        /// <summary>
        /// Creates a queue of at most <paramref name="maxItems"/> items and about <paramref name="maxBytes"/> bytes, whose
        /// task hands batches of up to <paramref name="batchSize"/> items to <paramref name="handle"/> (which deals with its
        /// own failures: what it throws all the same is logged for <paramref name="owner"/>, and the task goes on).
        /// </summary>
        public BackgroundQueue(object owner, int maxItems, long maxBytes, int batchSize, Action<List<T>> handle)
        {
            _owner = owner;
            MaxItems = Math.Max(1, maxItems);
            MaxBytes = Math.Max(1, maxBytes);
            _batchSize = Math.Max(1, batchSize);
            _handle = handle;
        }

        /// <summary>The most items the queue holds.</summary>
        public int MaxItems { get; }

        /// <summary>The most bytes (by estimate) the queue holds.</summary>
        public long MaxBytes { get; }

        /// <summary>Items waiting (not those of the batch being handled).</summary>
        public int Count
        {
            get
            {
                lock (_sync)
                    return _queue.Count;
            }
        }

        /// <summary>
        /// Adds <paramref name="item"/>, estimated at <paramref name="estimatedBytes"/> bytes; false when the queue is full
        /// (by count or bytes) or closed. Starts the task when it is not running.
        /// </summary>
        public bool TryAdd(T item, long estimatedBytes = 0)
        {
            estimatedBytes = Math.Max(0, estimatedBytes);
            lock (_sync)
            {
                if (_closed || _queue.Count >= MaxItems || (_bytes > 0 && _bytes + estimatedBytes > MaxBytes))
                    return false;
                _queue.Enqueue((item, estimatedBytes));
                _bytes += estimatedBytes;
                if (!_running)
                {
                    _running = true;
                    _task = Task.Factory.StartNew(Run, CancellationToken.None, TaskCreationOptions.DenyChildAttach, TaskScheduler.Default);
                }
                return true;
            }
        }

        /// <summary>Takes the oldest waiting item out, for the caller to do its work (when <see cref="TryAdd"/> refused).</summary>
        public bool TryTakeOldest(out T item)
        {
            lock (_sync)
            {
                if (_queue.Count == 0)
                {
                    item = default!;
                    return false;
                }
                var (oldest, bytes) = _queue.Dequeue();
                _bytes -= bytes;
                item = oldest;
                return true;
            }
        }

        /// <summary>Completes when everything added so far is handled (or the task ended for the close).</summary>
        public Task WhenIdle()
        {
            lock (_sync)
                return _task;
        }

        /// <summary>
        /// Takes no more items and waits up to <paramref name="timeout"/> for the task to handle what the queue holds;
        /// returns the items still waiting then (taken out, not handled: the caller deals with them).
        /// </summary>
        public List<T> Close(TimeSpan timeout)
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
                var left = new List<T>(_queue.Count);
                foreach (var (item, _) in _queue)
                    left.Add(item);
                _queue.Clear();
                _bytes = 0;
                return left;
            }
        }

        private void Run()
        {
            var batch = new List<T>(Math.Min(_batchSize, 1024));
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
                        var (item, size) = _queue.Dequeue();
                        batch.Add(item);
                        bytes += size;
                    }
                }
                try
                {
                    _handle(batch);
                }
                catch (Exception ex) when (ex is not OutOfMemoryException)
                {
                    NLog.Common.InternalLogger.Error(ex, "{0}: handling {1} items in the background failed", _owner, batch.Count);
                }
                finally
                {
                    lock (_sync)
                        _bytes -= bytes;   // the estimate stays held until the batch is handled
                    batch.Clear();
                }
            }
        }
    }
}
