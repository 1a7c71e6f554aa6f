using System;
using System.Collections.Generic;

namespace NLog.Targets.Firehose.Delivery
{
    /// <summary>
    /// The state (pace and breaker) of every stream a target sends to, shared by its write loop and its replay loop.
    /// Bounded: names that vary without bound cannot grow it without bound. Thread-safe.
    /// </summary>
    internal sealed class StreamStates
    {
        private const int MaxStreams = 1024;
        private readonly Dictionary<string, StreamState> _states = new Dictionary<string, StreamState>(StringComparer.Ordinal);
        private readonly Func<string, StreamState> _create;

        /// <summary>Creates the registry; <paramref name="create"/> makes the state of a stream first seen.</summary>
        public StreamStates(Func<string, StreamState> create)
        {
            _create = create;
        }

        /// <summary>The state of <paramref name="stream"/>, created on first use.</summary>
        public StreamState Get(string stream)
        {
            lock (_states)
            {
                if (!_states.TryGetValue(stream, out StreamState? state))
                {
                    if (_states.Count >= MaxStreams)
                        _states.Clear();
                    state = _create(stream);
                    _states[stream] = state;
                }
                return state;
            }
        }

        /// <summary>Forgets every stream's state.</summary>
        public void Clear()
        {
            lock (_states)
                _states.Clear();
        }

        /// <summary>The states of every stream used since the last <see cref="Clear"/> (a copy), for metrics and health.</summary>
        public List<StreamState> Snapshot()
        {
            lock (_states)
                return new List<StreamState>(_states.Values);
        }

        /// <summary>The state of <paramref name="stream"/> if it was ever used, else null.</summary>
        public StreamState? Find(string stream)
        {
            lock (_states)
                return _states.TryGetValue(stream, out StreamState? state) ? state : null;
        }
    }
}
