using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using NLog.Common;

namespace NLog.Targets.Firehose.Buffering
{
    /// <summary>
    /// The failed writes of events the target's Discard took out of NLog's full queue, completed in order by one background
    /// task. The continuations are not run where the events are dropped: that is on a logging thread in the middle of
    /// NLog's enqueue (inside NLog's queue lock, for the locking queue), and a continuation may write to another target
    /// (a FallbackGroup's next one), which may be slow. Bounded to <see cref="MaxItems"/>: when it is full (the fallback
    /// is slower than the drops), the thread that adds runs the oldest continuation itself, so memory stays bounded and
    /// the drops slow down to the fallback's pace; <see cref="Add"/> then returns false.
    /// </summary>
    internal sealed class OverflowOutbox
    {
        private readonly object _sync = new object();
        private readonly Queue<(AsyncContinuation Continuation, Exception Failure)> _queue = new Queue<(AsyncContinuation, Exception)>();
        private readonly Action<AsyncContinuation, Exception> _complete;
        private bool _running;
        private Task _task = Task.CompletedTask;

        /// <summary>Creates an outbox of at most <paramref name="maxItems"/> waiting continuations, each run by <paramref name="complete"/> (which must not throw).</summary>
        public OverflowOutbox(int maxItems, Action<AsyncContinuation, Exception> complete)
        {
            MaxItems = Math.Max(1, maxItems);
            _complete = complete;
        }

        /// <summary>The most continuations waiting.</summary>
        public int MaxItems { get; }

        /// <summary>Continuations waiting (not the one being run).</summary>
        public int Count
        {
            get
            {
                lock (_sync)
                    return _queue.Count;
            }
        }

        /// <summary>
        /// Adds the failed write of one dropped event; true when it waits for the background task, false when the outbox was
        /// full and the calling thread ran the oldest waiting continuation itself before adding this one.
        /// </summary>
        public bool Add(AsyncContinuation continuation, Exception failure)
        {
            (AsyncContinuation Continuation, Exception Failure)? oldest = null;
            lock (_sync)
            {
                if (_queue.Count >= MaxItems)
                    oldest = _queue.Dequeue();
                _queue.Enqueue((continuation, failure));
                if (!_running)
                {
                    _running = true;
                    _task = Task.Factory.StartNew(Run, CancellationToken.None, TaskCreationOptions.DenyChildAttach, TaskScheduler.Default);
                }
            }
            if (oldest is { } item)
            {
                _complete(item.Continuation, item.Failure);
                return false;
            }
            return true;
        }

        /// <summary>Completes when every continuation added so far has run.</summary>
        public Task WhenIdle()
        {
            lock (_sync)
                return _task;
        }

        /// <summary>Waits up to <paramref name="timeout"/> for the background task, then runs what still waits on the calling thread.</summary>
        public void Close(TimeSpan timeout)
        {
            WhenIdle().Wait(timeout);
            while (true)
            {
                (AsyncContinuation Continuation, Exception Failure) item;
                lock (_sync)
                {
                    if (_queue.Count == 0)
                        return;
                    item = _queue.Dequeue();
                }
                _complete(item.Continuation, item.Failure);
            }
        }

        private void Run()
        {
            while (true)
            {
                (AsyncContinuation Continuation, Exception Failure) item;
                lock (_sync)
                {
                    if (_queue.Count == 0)
                    {
                        _running = false;
                        return;
                    }
                    item = _queue.Dequeue();
                }
                _complete(item.Continuation, item.Failure);
            }
        }
    }
}
