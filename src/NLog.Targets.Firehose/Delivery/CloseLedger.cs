namespace NLog.Targets.Firehose.Delivery
{
    /// <summary>
    /// The events of the write the close makes of what was still queued, as they settle (delivered, kept on disk, given
    /// up, dropped), so that each is counted once: when the close stops waiting for that write, it counts only what has
    /// not settled yet as undeliverable (<see cref="Abandon"/>), and from then on the write counts nothing more (nor keeps
    /// anything on disk: NLog has been told those events failed). Thread-safe.
    /// </summary>
    internal sealed class CloseLedger
    {
        private readonly object _sync = new object();
        private readonly int _total;
        private int _settled;
        private int _failed;
        private bool _abandoned;

        /// <summary>Creates the ledger of a write of <paramref name="total"/> events.</summary>
        public CloseLedger(int total) => _total = total;

        /// <summary>Whether the close stopped waiting for the write.</summary>
        public bool IsAbandoned
        {
            get
            {
                lock (_sync)
                    return _abandoned;
            }
        }

        /// <summary>The events given up so far (by the write, or by <see cref="Abandon"/>).</summary>
        public int Failed
        {
            get
            {
                lock (_sync)
                    return _failed;
            }
        }

        /// <summary>
        /// Records that <paramref name="events"/> events settled, given up when <paramref name="failed"/>; false when the
        /// close has stopped waiting (the caller then counts nothing: <see cref="Abandon"/> counted them).
        /// </summary>
        public bool Settle(int events, bool failed = false)
        {
            lock (_sync)
            {
                if (_abandoned)
                    return false;
                _settled += events;
                if (failed)
                    _failed += events;
                return true;
            }
        }

        /// <summary>Stops the write counting; returns the events that had not settled (now given up, the caller counts them).</summary>
        public int Abandon()
        {
            lock (_sync)
            {
                if (_abandoned)
                    return 0;
                _abandoned = true;
                int left = System.Math.Max(0, _total - _settled);
                _failed += left;
                return left;
            }
        }
    }
}
