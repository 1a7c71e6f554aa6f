using System;
using System.Collections.Generic;
using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using NLog.Common;
using NLog.Targets.Wrappers;

namespace NLog.Targets.Firehose.Buffering
{
    /// <summary>
    /// A window into the event queue that NLog's <see cref="AsyncTaskTarget"/> keeps to itself: how many events wait in it,
    /// each event its Discard overflow drops, and the events still in it when the target closes (which NLog would clear
    /// unseen). NLog gives an AsyncTaskTarget none of this (only AsyncTargetWrapper has a public LogEventDropped), so it is
    /// reached by reflection, once, when the target starts; the members used are public members of NLog's internal queue
    /// types. When a future NLog moves them, <see cref="TryCreate"/> returns null with the reason, and the target says
    /// that it cannot count overflow drops.
    /// </summary>
    internal sealed class NLogQueueProbe : IDisposable
    {
        private const BindingFlags Instance = BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic;

        private readonly object _queue;
        private readonly EventInfo _droppedEvent;
        private readonly EventHandler<LogEventDroppedEventArgs> _onDropped;
        private readonly Func<int> _count;
        private readonly Action<int, IList<AsyncLogEventInfo>> _dequeue;
        private readonly LogEventInfo _flushEvent;
        private readonly EventInfo? _growEvent;
        private readonly bool _countExcludesIncoming;
        private readonly object _trimSync = new object();
        private EventHandler<LogEventQueueGrowEventArgs>? _onGrow;
        private bool _disposed;

        private NLogQueueProbe(object queue, EventInfo droppedEvent, EventInfo? growEvent, bool countExcludesIncoming, Func<int> count, Action<int, IList<AsyncLogEventInfo>> dequeue, LogEventInfo flushEvent, Action<LogEventInfo, bool> onDropped)
        {
            _queue = queue;
            _droppedEvent = droppedEvent;
            _growEvent = growEvent;
            _countExcludesIncoming = countExcludesIncoming;
            _count = count;
            _dequeue = dequeue;
            _flushEvent = flushEvent;
            _onDropped = (_, e) => onDropped(e.DroppedLogEventInfo, ReferenceEquals(e.DroppedLogEventInfo, _flushEvent));
            _droppedEvent.AddEventHandler(_queue, _onDropped);
        }

        /// <summary>The private field of <see cref="AsyncTaskTarget"/> that holds its queue in NLog 6.</summary>
        public const string QueueField = "_requestQueue";

        /// <summary>Events waiting in NLog's queue now (flush requests included).</summary>
        public int Count => _count();

        /// <summary>Whether the probe can carry out a Discard overflow itself (<see cref="StartTrimming"/>): NLog's queue tells when it grows.</summary>
        public bool CanTrim => _growEvent != null && _growEvent.EventHandlerType == typeof(EventHandler<LogEventQueueGrowEventArgs>);

        /// <summary>
        /// Carries out a Discard overflow in place of NLog's, for a queue whose OverflowAction is set to Grow: each time NLog's
        /// full queue grows (on the logging thread, before it adds the new item) the oldest items over
        /// <paramref name="limit"/> are taken out and the queue's limit is set back with <paramref name="setLimit"/>; the
        /// items taken go to <paramref name="onTrimmed"/>, with their continuations, which NLog's own Discard never calls
        /// (it must be quick: NLog has counted the new item and adds it only when the handler returns; what it throws is
        /// logged for <paramref name="owner"/>).
        /// Several logging threads may trim at once: they take turns, each taking what is over the limit when its turn comes.
        /// </summary>
        public void StartTrimming(object owner, Func<int> limit, Action<int> setLimit, Action<List<AsyncLogEventInfo>> onTrimmed)
        {
            if (!CanTrim || _onGrow != null)
                throw new InvalidOperationException("NLog's queue cannot be trimmed, or already is");
            _onGrow = (_, _) =>
            {
                List<AsyncLogEventInfo>? trimmed = null;
                try
                {
                    lock (_trimSync)
                    {
                        int max = Math.Max(1, limit());
                        // The limit first: NLog doubled it, and until it is back other threads add without asking.
                        setLimit(max);
                        // The item being added is not in the queue yet; the concurrent queue already counts it, the locking one not.
                        int over = _count() + (_countExcludesIncoming ? 1 : 0) - max;
                        if (over > 0)
                        {
                            trimmed = new List<AsyncLogEventInfo>(over);
                            _dequeue(over, trimmed);
                        }
                    }
                    if (trimmed?.Count > 0)
                        onTrimmed(trimmed);
                }
                catch (Exception ex) when (ex is not OutOfMemoryException)
                {
                    // Never out of NLog's enqueue: it has counted the new item and must still add it.
                    InternalLogger.Error(ex, "{0}: trimming NLog's full queue failed ({1} items taken)", owner, trimmed?.Count ?? 0);
                }
            };
            _growEvent!.AddEventHandler(_queue, _onGrow);
        }

        /// <summary>
        /// Looks into <paramref name="target"/>'s queue (call after <c>base.InitializeTarget()</c>, which may replace it) and
        /// calls <paramref name="onDropped"/>, on the logging thread, for each item its overflow drops: with the dropped
        /// event, and false for an event, true for a flush request (whose caller then waits out its timeout). NLog calls no
        /// continuation of a dropped item. The queue is the field <paramref name="queueField"/> of AsyncTaskTarget
        /// (<see cref="QueueField"/>; tests name one that does not exist, as a later NLog might).
        /// </summary>
        [UnconditionalSuppressMessage("Trimming", "IL2075", Justification = "Optional: without these members the probe is off and the target says so.")]
        [DynamicDependency("_requestQueue", typeof(AsyncTaskTarget))]
        [DynamicDependency("_flushEvent", typeof(AsyncTaskTarget))]
        internal static NLogQueueProbe? TryCreate(AsyncTaskTarget target, Action<LogEventInfo, bool> onDropped, string queueField, out string? whyNot)
        {
            try
            {
                object? queue = typeof(AsyncTaskTarget).GetField(queueField, Instance)?.GetValue(target);
                if (queue is null)
                {
                    whyNot = "AsyncTaskTarget has no " + queueField;
                    return null;
                }
                Type type = queue.GetType();
                EventInfo? dropped = type.GetEvent("LogEventDropped", Instance);
                MethodInfo? counter = (type.GetProperty("Count", Instance) ?? type.GetProperty("RequestCount", Instance))?.GetMethod;
                MethodInfo? dequeue = type.GetMethod("DequeueBatch", Instance, null, new[] { typeof(int), typeof(IList<AsyncLogEventInfo>) }, null);
                if (dropped is null || counter is null || counter.ReturnType != typeof(int) || dequeue is null)
                {
                    whyNot = $"NLog's queue ({type.FullName}) lacks LogEventDropped, Count or DequeueBatch";
                    return null;
                }
                if (typeof(AsyncTaskTarget).GetField("_flushEvent", Instance)?.GetValue(target) is not LogEventInfo flushEvent)
                {
                    whyNot = "AsyncTaskTarget has no _flushEvent to tell flush requests from events";
                    return null;
                }
                whyNot = null;
                // Optional: without it the target leaves Discard to NLog and cannot fail the drops' writes (CanTrim).
                EventInfo? grow = type.GetEvent("LogEventQueueGrow", Instance);
                return new NLogQueueProbe(queue, dropped, grow, counter.Name == "get_RequestCount",
                    counter.CreateDelegate<Func<int>>(queue),
                    dequeue.CreateDelegate<Action<int, IList<AsyncLogEventInfo>>>(queue),
                    flushEvent, onDropped);
            }
            catch (Exception ex) when (ex is MemberAccessException or ArgumentException or InvalidOperationException or NotSupportedException or TargetException)
            {
                whyNot = ex.GetType().Name + ": " + ex.Message;
                return null;
            }
        }

        /// <summary>Whether <paramref name="item"/> is a flush request NLog queued, not an event.</summary>
        public bool IsFlushRequest(AsyncLogEventInfo item) => ReferenceEquals(item.LogEvent, _flushEvent);

        /// <summary>
        /// Takes every event and flush request still waiting in NLog's queue, oldest first. Taking items wakes logging threads
        /// that NLog's Block overflow holds; what they enqueue then is taken too, for up to <paramref name="settle"/> after
        /// the queue was last seen non-empty.
        /// </summary>
        public List<AsyncLogEventInfo> Drain(TimeSpan settle)
        {
            var items = new List<AsyncLogEventInfo>();
            _dequeue(int.MaxValue, items);
            if (items.Count == 0)
                return items;
            var quiet = System.Diagnostics.Stopwatch.StartNew();
            while (quiet.Elapsed < settle)
            {
                System.Threading.Thread.Sleep(5);
                int before = items.Count;
                _dequeue(int.MaxValue, items);
                if (items.Count > before)
                    quiet.Restart();
            }
            return items;
        }

        /// <summary>Takes up to <paramref name="count"/> events and flush requests from NLog's queue, oldest first.</summary>
        public List<AsyncLogEventInfo> Take(int count)
        {
            var items = new List<AsyncLogEventInfo>(Math.Min(count, 4096));
            _dequeue(count, items);
            return items;
        }

        /// <summary>Stops listening for drops.</summary>
        public void Dispose()
        {
            if (_disposed)
                return;
            _disposed = true;
            _droppedEvent.RemoveEventHandler(_queue, _onDropped);
            if (_onGrow != null)
                _growEvent?.RemoveEventHandler(_queue, _onGrow);
            _onGrow = null;
        }
    }
}
