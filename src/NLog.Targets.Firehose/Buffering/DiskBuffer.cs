using System;
using System.Buffers;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Security.Cryptography;
using System.Text;
using System.Threading;
using NLog.Common;
using NLog.Targets.Firehose.Diagnostics;

namespace NLog.Targets.Firehose.Buffering
{
    /// <summary>
    /// A durable buffer on disk for batches of records that cannot be delivered now: appended to segment files, claimed
    /// back oldest first, acknowledged when delivered. It survives the process being killed, and several processes may
    /// share one directory.
    /// </summary>
    /// <remarks>
    /// <para><b>Layout.</b> The directory holds segment files (<see cref="SegmentFiles"/>), each appended to by one
    /// instance only and holding frames (<see cref="FrameFormat"/>): one frame per <see cref="Append"/>, checked by a
    /// CRC-32C. A segment rolls (a new file is started) before it would pass min(8 MiB, maxBytes / 8), at least 64 KiB;
    /// a batch bigger than that gets a segment of its own.</para>
    /// <para><b>When data reaches the disk.</b> With <c>fsyncEachAppend</c> (the default) <see cref="Append"/> returns
    /// true only after the frame is written and flushed to the device (<c>FileStream.Flush(true)</c>, i.e. fsync): it
    /// survives the process being killed and the machine losing power. That costs one device flush per call, paid by the
    /// appending thread while the buffer is locked: batches of 500 records of 300 bytes went in at about 2,000 a second
    /// with the flush and 4,000 without on a 2-core VM with a virtual ext4 disk; a spinning disk, or any device that
    /// honours a flush without a battery-backed cache, can take several milliseconds a flush. With
    /// <c>fsyncEachAppend = false</c> the frame is handed to the operating system before Append returns: it survives
    /// the process being killed (<c>kill -9</c>, a crash), but a power loss or kernel crash can lose what the system
    /// had not yet written back (typically the last few seconds; a segment is still flushed to the device when it rolls
    /// and at <see cref="Dispose"/>). Either way a frame is whole or absent after a crash, never half there. The
    /// directory itself is not flushed: on a file system that does not commit a new file's name with its first flush,
    /// a power loss right after a segment is created can lose that segment.</para>
    /// <para><b>Delivery is at least once.</b> <see cref="Acknowledge"/> records the delivery in the segment's ack file
    /// (replaced atomically) and a segment is deleted once all its batches are acknowledged. A batch delivered but not
    /// yet acknowledged when the process dies, or whose acknowledgement could not be saved, is handed out again later;
    /// a batch not acknowledged is never lost.</para>
    /// <para><b>Crash recovery.</b> On open every frame of every segment this instance can lock is verified. A torn or
    /// corrupt stretch (a frame cut short by a crash, zeros, a bad checksum) is counted in
    /// <see cref="CorruptTailsSkipped"/>, logged once as a warning and skipped; frames before it, and intact frames
    /// after it, are kept. A segment locked by another process at open is verified when this instance first locks
    /// it.</para>
    /// <para><b>Several processes.</b> Each segment has a lock file, held open with <see cref="FileShare.None"/> (an
    /// exclusive <c>flock</c> on Linux and macOS) by whoever appends to or replays the segment; the operating system
    /// drops the lock when its process dies. An instance appends only to segments it created, never reads a segment
    /// whose lock it does not hold, and claims only from segments it holds: so another process's active segment is
    /// left alone until that process rolls past it, exits or dies, and a batch is never handed to two processes at
    /// once. Locks are advisory and need a file system that honours them across processes (local disks do; some
    /// network file systems do not), and .NET must not have file locking disabled
    /// (<c>DOTNET_SYSTEM_IO_DISABLEFILELOCKING</c>); the constructor warns when it finds locks do not work.</para>
    /// <para><b>Order.</b> Claims go oldest first: by segment (creation time), then by position in the segment. A
    /// segment another process gives up is noticed within a second (at once when nothing else is pending).</para>
    /// <para><b>Bounded.</b> Before an append would take the segment files past maxBytes, whole segments are deleted,
    /// oldest first, among those this instance may delete (not locked by another live process, no batch claimed from
    /// them in flight); their records are counted in <see cref="DroppedForCapRecords"/>. Sizes of other processes'
    /// segments are re-read at most once a second, so the directory can pass the cap briefly by what they wrote in
    /// between.</para>
    /// <para><b>Failures.</b> Apart from the constructor, no method throws for I/O problems (disk full, permission
    /// denied, the directory deleted): <see cref="Append"/> returns false, claims return null, and the problem is
    /// logged through InternalLogger at most once a minute per kind, naming the path. A directory deleted while in use
    /// is created again by the next append. All members are thread-safe; one lock serialises them, so an append's
    /// device flush delays a concurrent claim.</para>
    /// </remarks>
    internal sealed class DiskBuffer : IDisposable
    {
        /// <summary>The largest size a segment rolls at.</summary>
        internal const long MaxSegmentBytes = 8 * 1024 * 1024;

        /// <summary>The smallest size a segment rolls at.</summary>
        internal const long MinSegmentBytes = 64 * 1024;

        /// <summary>The default of <see cref="MaxIdleHeldSegments"/>.</summary>
        internal const int DefaultMaxIdleHeldSegments = 16;

        /// <summary>A directory listing older than this is read again before a claim or a cap check relies on it.</summary>
        private const long ListingMaxAgeMilliseconds = 1000;

        /// <summary>A segment lock found taken is not tried again for this long (unless nothing else is pending).</summary>
        private const long LockRetryMilliseconds = 1000;

        private readonly object _sync = new object();
        private readonly string _directory;
        private readonly long _maxBytes;
        private readonly long _segmentBytes;
        private readonly bool _fsyncEachAppend;
        private readonly string _writerId;
        private readonly string _logPrefix;
        private readonly LogRateLimiter _logLimiter = new LogRateLimiter(TimeSpan.FromMinutes(1));
        private readonly SortedDictionary<string, Segment> _segments = new SortedDictionary<string, Segment>(StringComparer.Ordinal);
        private Segment? _active;
        private long _sequence;
        private DateTime _lastNameTime;
        private long _listedAtTick = -ListingMaxAgeMilliseconds;
        private bool _disposed;
        private long _sizeBytes;
        private long _pendingRecords;
        private long _droppedForCapRecords;
        private long _corruptTailsSkipped;
        private long _appendFailedRecords;

        /// <summary>
        /// Opens (creating if needed) the buffer in <paramref name="directory"/>, verifying the segments already there.
        /// </summary>
        /// <param name="directory">Where the segment files live; created if missing.</param>
        /// <param name="maxBytes">The cap on the total size of the segment files.</param>
        /// <param name="fsyncEachAppend">Whether each <see cref="Append"/> flushes to the device before it returns.</param>
        /// <exception cref="IOException">The directory cannot be created or written; the message names it.</exception>
        /// <exception cref="UnauthorizedAccessException">The process may not create or write the directory; the message names it.</exception>
        public DiskBuffer(string directory, long maxBytes, bool fsyncEachAppend = true)
        {
            if (string.IsNullOrWhiteSpace(directory))
                throw new ArgumentException("The disk buffer needs a directory.", nameof(directory));
            if (maxBytes <= 0)
                throw new ArgumentOutOfRangeException(nameof(maxBytes), maxBytes, "The disk buffer's size cap must be positive.");
            _directory = Path.GetFullPath(directory);
            _maxBytes = maxBytes;
            _segmentBytes = Math.Max(MinSegmentBytes, Math.Min(MaxSegmentBytes, maxBytes / 8));
            _fsyncEachAppend = fsyncEachAppend;
            _writerId = Environment.ProcessId.ToString(CultureInfo.InvariantCulture) + "-" + Convert.ToHexString(RandomNumberGenerator.GetBytes(4)).ToLowerInvariant();
            _logPrefix = "Firehose disk buffer '" + _directory + "'";

            bool locksWork;
            try
            {
                Directory.CreateDirectory(_directory);
                locksWork = ProbeWriteAndLock();
            }
            catch (UnauthorizedAccessException ex)
            {
                throw new UnauthorizedAccessException($"The Firehose disk buffer directory '{_directory}' cannot be created or written: {ex.Message} Grant the process write access to it or choose another directory.", ex);
            }
            catch (IOException ex)
            {
                throw new IOException($"The Firehose disk buffer directory '{_directory}' cannot be created or written: {ex.Message} Check that the path is a writable directory on a local disk with free space.", ex);
            }
            if (!locksWork)
                InternalLogger.Warn("{0}: file locks do not hold here (DOTNET_SYSTEM_IO_DISABLEFILELOCKING is set, or the file system ignores flock); do not let two processes share this directory", _logPrefix);

            lock (_sync)
            {
                try
                {
                    RemoveOrphans();
                    RefreshListing();

                    // New names sort after every segment already here, even if the clock went back since they were made.
                    foreach (string name in _segments.Keys)
                    {
                        if (SegmentFiles.TimeOf(name) is DateTime time && time > _lastNameTime)
                            _lastNameTime = time;
                    }
                    foreach (Segment segment in _segments.Values.ToArray())
                    {
                        TryHold(segment, force: true);
                        LetGoOfIdleSegments();
                    }
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                    LogLimited("open", ex, "could not read the segments already in the directory ({0}); they are tried again later", ex.Message);
                }
            }
        }

        /// <summary>Bytes of the segment files in the directory: this instance's as written, others' as last listed.</summary>
        public long SizeBytes => Interlocked.Read(ref _sizeBytes);

        /// <summary>
        /// Records on disk and not yet acknowledged, as this instance sees them: those it appended, plus those it found
        /// in segments it has read (at open or when it locked them), minus those acknowledged or evicted through it and
        /// those in segments it saw disappear. Records in segments another live process holds, and acknowledgements
        /// made by other processes since this instance last read a segment, are not reflected.
        /// </summary>
        public long PendingRecords => Interlocked.Read(ref _pendingRecords);

        /// <summary>Records deleted unacknowledged, with their segment, to keep the files within maxBytes.</summary>
        public long DroppedForCapRecords => Interlocked.Read(ref _droppedForCapRecords);

        /// <summary>
        /// Torn or corrupt stretches of segment files detected and skipped (at open, or when this instance first read
        /// the segment), plus frames found damaged when read back for a claim.
        /// </summary>
        public long CorruptTailsSkipped => Interlocked.Read(ref _corruptTailsSkipped);

        /// <summary>Records of batches <see cref="Append"/> returned false for: write failed, larger than maxBytes, or no room.</summary>
        public long AppendFailedRecords => Interlocked.Read(ref _appendFailedRecords);

        /// <summary>The directory, as a full path.</summary>
        public string DirectoryPath => _directory;

        /// <summary>Told the number of undelivered records whenever segments are deleted for the cap (the target counts them).</summary>
        internal Action<long>? DroppedForCap { get; set; }

        /// <summary>The size a segment rolls at.</summary>
        internal long SegmentBytes => _segmentBytes;

        /// <summary>
        /// At most this many segments besides the active one stay held (locked, their frame lists in memory) while no
        /// batch of theirs is claimed; the newest beyond it are let go, to be read again when their turn comes. Under
        /// one cap a directory holds about eight segments per writer, so this bounds open files and memory only when
        /// instances with different caps share a directory. Settable for tests.
        /// </summary>
        internal int MaxIdleHeldSegments { get; set; } = DefaultMaxIdleHeldSegments;

        /// <summary>
        /// Test hook: when set, called instead of writing a frame to the active segment file (to simulate a disk that
        /// fails part way through).
        /// </summary>
        internal Action<FileStream, byte[], int>? WriteOverride { get; set; }

        /// <summary>
        /// Appends one batch of <paramref name="records"/> for <paramref name="stream"/> as one frame: after a crash it
        /// is either wholly readable or wholly absent. To stay within maxBytes the oldest segments may be deleted first
        /// (counted in <see cref="DroppedForCapRecords"/>). An empty batch is accepted and writes nothing.
        /// </summary>
        /// <returns>
        /// True when the batch is on disk (flushed to the device if <c>fsyncEachAppend</c>); false, counted in
        /// <see cref="AppendFailedRecords"/> and logged, when the write failed, the batch alone is larger than maxBytes,
        /// or no room could be made (everything older is locked by other processes or claimed).
        /// </returns>
        /// <exception cref="ArgumentNullException"><paramref name="stream"/> or <paramref name="records"/> is null (a caller bug, not an I/O problem).</exception>
        public bool Append(string stream, IReadOnlyList<ReadOnlyMemory<byte>> records)
        {
            ArgumentNullException.ThrowIfNull(stream);
            ArgumentNullException.ThrowIfNull(records);
            if (records.Count == 0)
                return true;
            byte[] name = Encoding.UTF8.GetBytes(stream);
            if (name.Length > FrameFormat.MaxStreamNameBytes)
            {
                Interlocked.Add(ref _appendFailedRecords, records.Count);
                LogLimited("name", null, "refused a batch of {0} records: its stream name is {1} bytes long, more than {2}", records.Count, name.Length, FrameFormat.MaxStreamNameBytes);
                return false;
            }
            long frameLength = FrameFormat.Measure(name.Length, records);
            if (frameLength > FrameFormat.MaxFrameBytes || frameLength > _maxBytes)
            {
                Interlocked.Add(ref _appendFailedRecords, records.Count);
                LogLimited("oversize", null, "refused a batch of {0} records for stream '{1}': it takes {2} bytes on disk, more than the buffer's cap of {3} bytes (or the frame limit of {4}); raise the cap or send smaller batches",
                    records.Count, stream, frameLength, _maxBytes, FrameFormat.MaxFrameBytes);
                return false;
            }

            byte[] frame = ArrayPool<byte>.Shared.Rent((int)frameLength);
            try
            {
                FrameFormat.Write(frame.AsSpan(0, (int)frameLength), name, records);
                lock (_sync)
                {
                    if (_disposed)
                    {
                        Interlocked.Add(ref _appendFailedRecords, records.Count);
                        InternalLogger.Debug("{0}: append after dispose refused", _logPrefix);
                        return false;
                    }
                    try
                    {
                        if (!MakeRoom(frameLength))
                        {
                            Interlocked.Add(ref _appendFailedRecords, records.Count);
                            LogLimited("room", null, "refused a batch of {0} records: no room under the cap of {1} bytes, because the older segments are locked by other processes or being sent", records.Count, _maxBytes);
                            return false;
                        }
                        if (WriteFrame(stream, frame, (int)frameLength, records.Count))
                            return true;
                    }
                    catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                    {
                        LogLimited("write", ex, "could not write a batch of {0} records ({1}); they are not buffered. Check that the directory exists, is writable and has free space", records.Count, ex.Message);
                    }
                    catch (Exception ex)
                    {
                        LogLimited("unexpected-append", ex, "append failed unexpectedly ({0}); {1} records are not buffered", ex.Message, records.Count);
                    }
                    Interlocked.Add(ref _appendFailedRecords, records.Count);
                    return false;
                }
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(frame);
            }
        }

        /// <summary>
        /// Claims the oldest batch not acknowledged and not claimed (for <paramref name="stream"/> only, when given),
        /// among the segments this instance can lock. The batch is not handed out again, by this or another process,
        /// until it is released or its claimer's process ends.
        /// </summary>
        /// <returns>The batch, or null when there is none (or none can be read now).</returns>
        public BufferedBatch? TryClaimOldest(string? stream = null)
        {
            lock (_sync)
            {
                if (_disposed)
                    return null;
                try
                {
                    for (int pass = 0; pass < 2; pass++)
                    {
                        // First pass: the segments as listed, skipping locks found taken within the last second.
                        // Second (only when the first found nothing): a fresh listing, every lock tried again.
                        bool force = pass == 1;
                        if (force || Environment.TickCount64 - _listedAtTick >= ListingMaxAgeMilliseconds)
                            RefreshListing();
                        foreach (Segment segment in _segments.Values.ToArray())
                        {
                            BufferedBatch? batch = TryClaimFrom(segment, stream, force);
                            if (batch is not null)
                            {
                                LetGoOfIdleSegments();
                                return batch;
                            }
                        }
                        LetGoOfIdleSegments();
                    }
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                    LogLimited("claim", ex, "could not look for buffered batches ({0}); check that the directory exists and is readable", ex.Message);
                }
                catch (Exception ex)
                {
                    LogLimited("unexpected-claim", ex, "claim failed unexpectedly ({0})", ex.Message);
                }
                return null;
            }
        }

        /// <summary>
        /// Records that <paramref name="batch"/> was delivered: it is never handed out again, and its segment is deleted
        /// once all its batches are. Does nothing for a batch no longer claimed (already acknowledged or released,
        /// evicted, or claimed before this buffer was disposed).
        /// </summary>
        public void Acknowledge(BufferedBatch batch)
        {
            ArgumentNullException.ThrowIfNull(batch);
            lock (_sync)
            {
                if (!IsLiveClaim(batch))
                    return;
                Segment segment = batch.Segment;
                SegmentFrame frame = batch.Frame;
                EndClaim(segment, frame, FrameState.Done);
                segment.UnackedRecords -= frame.RecordCount;
                Interlocked.Add(ref _pendingRecords, -frame.RecordCount);
                try
                {
                    if (segment.OpenFrames == 0)
                    {
                        // Everything in it is delivered; an active segment is closed first (the next append starts another).
                        if (segment == _active)
                            CloseActive(flushToDisk: false);
                        DeleteSegment(segment);
                    }
                    else
                    {
                        SaveAcks(segment);
                    }
                }
                catch (Exception ex)
                {
                    LogLimited("unexpected-ack", ex, "acknowledging failed unexpectedly ({0}); the batch may be sent again", ex.Message);
                }
            }
        }

        /// <summary>
        /// Gives back <paramref name="batch"/> undelivered: it is handed out again, in its place in the order. Does
        /// nothing for a batch no longer claimed.
        /// </summary>
        public void Release(BufferedBatch batch)
        {
            ArgumentNullException.ThrowIfNull(batch);
            lock (_sync)
            {
                if (IsLiveClaim(batch))
                    EndClaim(batch.Segment, batch.Frame, FrameState.Pending);
            }
        }

        /// <summary>
        /// Closes the active segment (flushed to the device) and lets go of every lock, so other processes may replay
        /// what is left. Batches still claimed stay on disk and are handed out again later.
        /// </summary>
        public void Dispose()
        {
            lock (_sync)
            {
                if (_disposed)
                    return;
                _disposed = true;
                try
                {
                    Segment? active = _active;
                    if (active is not null)
                    {
                        CloseActive(flushToDisk: true);
                        if (active.OpenFrames == 0)
                            DeleteSegment(active);
                    }
                }
                catch (Exception ex)
                {
                    LogLimited("dispose", ex, "closing the active segment failed ({0})", ex.Message);
                }
                foreach (Segment segment in _segments.Values)
                    segment.CloseHandles();
                _segments.Clear();
            }
        }

        /// <summary>
        /// Creates and deletes a probe file, and checks that a second exclusive open of it fails (file locks work).
        /// </summary>
        private bool ProbeWriteAndLock()
        {
            string probe = Path.Combine(_directory, "probe-" + _writerId + ".tmp");
            try
            {
                using var first = new FileStream(probe, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 1);
                first.WriteByte(0);
                first.Flush(flushToDisk: false);
                try
                {
                    using var second = new FileStream(probe, FileMode.Open, FileAccess.ReadWrite, FileShare.None, 1);
                    return false;
                }
                catch (IOException)
                {
                    return true;
                }
            }
            finally
            {
                TryDelete(probe);
            }
        }

        /// <summary>
        /// Deletes what a crash can leave behind without a segment: lock and ack files of deleted segments, and probe
        /// files older than a minute.
        /// </summary>
        private void RemoveOrphans()
        {
            foreach (FileInfo file in new DirectoryInfo(_directory).EnumerateFiles())
            {
                if (file.Name.StartsWith("probe-", StringComparison.Ordinal) && file.Name.EndsWith(".tmp", StringComparison.Ordinal))
                {
                    if (DateTime.UtcNow - file.LastWriteTimeUtc > TimeSpan.FromMinutes(1))
                        TryDelete(file.FullName);
                    continue;
                }
                string? baseName = SegmentFiles.BaseNameOf(file.Name);
                if (baseName is null || file.Name.EndsWith(SegmentFiles.SegmentExtension, StringComparison.Ordinal))
                    continue;
                string segmentPath = Path.Combine(_directory, baseName + SegmentFiles.SegmentExtension);
                if (File.Exists(segmentPath))
                    continue;
                if (file.Name.EndsWith(SegmentFiles.LockExtension, StringComparison.Ordinal))
                {
                    // A writer holds its lock from before its segment file exists: delete only a lock nobody holds.
                    try
                    {
                        using var held = new FileStream(file.FullName, FileMode.Open, FileAccess.ReadWrite, FileShare.None, 1);
                        if (!File.Exists(segmentPath))
                            TryDelete(file.FullName);
                    }
                    catch (IOException)
                    {
                        // held by a live process, or already gone
                    }
                }
                else
                {
                    // An ack file outlives its segment only after the segment was deleted, which is final.
                    TryDelete(file.FullName);
                }
            }
        }

        /// <summary>
        /// Lists the segment files: new ones are added, sizes of segments not held are updated, vanished ones are
        /// forgotten. Recomputes <see cref="SizeBytes"/>.
        /// </summary>
        private void RefreshListing()
        {
            var seen = new HashSet<string>(StringComparer.Ordinal);
            var directory = new DirectoryInfo(_directory);
            IEnumerable<FileInfo> files = directory.Exists ? directory.EnumerateFiles(SegmentFiles.SegmentPattern) : Array.Empty<FileInfo>();
            foreach (FileInfo file in files)
            {
                if (!file.Name.EndsWith(SegmentFiles.SegmentExtension, StringComparison.Ordinal))
                    continue;
                string baseName = file.Name.Substring(0, file.Name.Length - SegmentFiles.SegmentExtension.Length);
                if (!SegmentFiles.IsBaseName(baseName))
                    continue;
                seen.Add(baseName);
                if (!_segments.TryGetValue(baseName, out Segment? segment))
                {
                    segment = new Segment(_directory, baseName);
                    _segments.Add(baseName, segment);
                }
                if (!segment.Active)
                {
                    try
                    {
                        segment.Length = file.Length;
                    }
                    catch (FileNotFoundException)
                    {
                        seen.Remove(baseName);
                    }
                }
            }
            foreach (Segment segment in _segments.Values.Where(s => !seen.Contains(s.Name)).ToList())
                Forget(segment, "its file was deleted by something other than this buffer");
            long size = 0;
            foreach (Segment segment in _segments.Values)
                size += segment.Length;
            Interlocked.Exchange(ref _sizeBytes, size);
            _listedAtTick = Environment.TickCount64;
        }

        /// <summary>
        /// Drops a segment whose file is gone from what this instance knows, letting go of its handles. Logs the loss
        /// when it held unacknowledged records this instance appended or had read, or <paramref name="alsoLost"/> more.
        /// </summary>
        private void Forget(Segment segment, string why, int alsoLost = 0)
        {
            if ((segment.UnackedRecords > 0 && segment.Held) || alsoLost > 0)
                LogLimited("vanished", null, "segment {0} with {1} unacknowledged records is gone: {2}", segment.Name, segment.UnackedRecords + alsoLost, why);
            if (segment == _active)
                _active = null;
            segment.CloseHandles();
            if (_segments.Remove(segment.Name))
            {
                Interlocked.Add(ref _pendingRecords, -segment.UnackedRecords);
                Interlocked.Add(ref _sizeBytes, -segment.Length);
            }
        }

        /// <summary>
        /// Claims the oldest pending frame of <paramref name="segment"/> for <paramref name="stream"/>, taking the
        /// segment's lock first if this instance does not hold it yet.
        /// </summary>
        private BufferedBatch? TryClaimFrom(Segment segment, string? stream, bool force)
        {
            if (!segment.Held && !TryHold(segment, force))
                return null;
            for (SegmentFrame? frame = segment.FindPending(stream); frame is not null; frame = segment.FindPending(stream))
            {
                byte[] data = new byte[frame.Length];
                try
                {
#if NET
                    using var handle = File.OpenHandle(segment.SegmentPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
                    ReadExactly(handle, data, frame.Offset);
#else
                    using var handle = OpenForReading(segment.SegmentPath);
                    ReadExactly(handle, data, data.Length, frame.Offset);
#endif
                }
                catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
                {
                    Forget(segment, "its file was deleted by something other than this buffer");
                    return null;
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                    LogLimited("read", ex, "could not read segment {0} ({1}); it is tried again later", segment.Name, ex.Message);
                    return null;
                }

                if (!FrameFormat.TryCheck(data, out int length, out _, out _) || length != frame.Length)
                {
                    // Verified when the segment was opened, damaged since: skip the frame for good.
                    EndClaimless(segment, frame);
                    Interlocked.Increment(ref _corruptTailsSkipped);
                    InternalLogger.Warn("{0}: a batch of {1} records at offset {2} of segment {3} no longer checks out (changed on disk since it was verified); skipped", _logPrefix, frame.RecordCount, frame.Offset, segment.Name);
                    if (segment.OpenFrames == 0 && segment != _active)
                    {
                        DeleteSegment(segment);
                        return null;
                    }
                    SaveAcks(segment);
                    continue;
                }

                (string name, ReadOnlyMemory<byte>[] records) = FrameFormat.Decode(data);
                var batch = new BufferedBatch(this, segment, frame, name, records);
                frame.State = FrameState.Claimed;
                frame.Claim = batch;
                segment.ClaimedFrames++;
                return batch;
            }

            // Nothing to hand out from here: a segment finished in the meantime goes.
            if (segment.OpenFrames == 0 && segment != _active)
                DeleteSegment(segment);
            return null;
        }

        /// <summary>Marks a pending frame done without a claim (it cannot be read), and saves nothing yet.</summary>
        private void EndClaimless(Segment segment, SegmentFrame frame)
        {
            frame.State = FrameState.Done;
            segment.OpenFrames--;
            segment.UnackedRecords -= frame.RecordCount;
            Interlocked.Add(ref _pendingRecords, -frame.RecordCount);
            segment.AdvanceFirstOpen();
        }

        /// <summary>Whether <paramref name="batch"/> is this instance's and still holds its claim.</summary>
        private bool IsLiveClaim(BufferedBatch batch) =>
            !_disposed && batch.Owner == this && batch.Frame.Claim == batch && batch.Segment.Held
            && _segments.TryGetValue(batch.Segment.Name, out Segment? segment) && segment == batch.Segment;

        /// <summary>Ends the claim on <paramref name="frame"/>, leaving it <paramref name="state"/>.</summary>
        private static void EndClaim(Segment segment, SegmentFrame frame, FrameState state)
        {
            frame.Claim = null;
            frame.State = state;
            segment.ClaimedFrames--;
            if (state == FrameState.Done)
            {
                segment.OpenFrames--;
                segment.AdvanceFirstOpen();
            }
        }

        /// <summary>
        /// Takes the lock of <paramref name="segment"/> and reads it in (frames verified, acknowledgements applied).
        /// False when another process holds it, it is gone or unreadable, or it turned out to be finished (then it is
        /// deleted). A lock found taken is not tried again for a second unless <paramref name="force"/>.
        /// </summary>
        private bool TryHold(Segment segment, bool force)
        {
            if (segment.Held)
                return true;
            if (segment.OtherVersion || (!force && Environment.TickCount64 < segment.RetryAfterTick))
                return false;
            FileStream lockFile;
            try
            {
                lockFile = new FileStream(segment.LockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // Held by another live process (its active segment, or one it replays), or not accessible now.
                segment.RetryAfterTick = Environment.TickCount64 + LockRetryMilliseconds;
                if (ex is UnauthorizedAccessException)
                    LogLimited("lock", ex, "cannot open lock file {0} ({1}); grant the process write access to the directory", segment.LockPath, ex.Message);
                return false;
            }
            if (!File.Exists(segment.SegmentPath))
            {
                // Deleted (by its last holder) between listing and locking: that is final.
                lockFile.Dispose();
                TryDelete(segment.LockPath);
                Forget(segment, "deleted by another process");
                return false;
            }
            segment.Lock = lockFile;
            if (!Load(segment))
            {
                segment.CloseHandles();
                segment.RetryAfterTick = Environment.TickCount64 + LockRetryMilliseconds;
                return false;
            }
            if (segment.OpenFrames == 0)
            {
                DeleteSegment(segment);
                return false;
            }
            return true;
        }

        /// <summary>
        /// Reads a held segment whole, verifies every frame, counts and logs damage once, applies its ack file, and
        /// updates the pending count. False when it cannot be read now or is in another format version.
        /// </summary>
        private bool Load(Segment segment)
        {
            byte[]? data = null;
            var frames = new List<SegmentFrame>();
            var damage = new List<(int Offset, int Length)>();
            long fileLength;
            try
            {
#if NET
                using (var handle = File.OpenHandle(segment.SegmentPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete))
                {
                    fileLength = RandomAccess.GetLength(handle);
#else
                using (var handle = OpenForReading(segment.SegmentPath))
                {
                    fileLength = handle.Length;
#endif
                    int readable = (int)Math.Min(fileLength, Array.MaxLength);
                    data = ArrayPool<byte>.Shared.Rent(Math.Max(readable, 1));
#if NET
                    ReadExactly(handle, data.AsMemory(0, readable).Span, 0);
#else
                    ReadExactly(handle, data, readable, 0);
#endif
                    if (FrameFormat.IsOtherVersion(data.AsSpan(0, readable)))
                    {
                        segment.OtherVersion = true;
                        InternalLogger.Warn("{0}: segment {1} was written in another format version (by a newer library?); it is left alone", _logPrefix, segment.Name);
                        return false;
                    }
                    string lastName = string.Empty;
                    byte[] lastNameBytes = Array.Empty<byte>();
                    byte[] buffer = data;
                    FrameFormat.Scan(data.AsSpan(0, readable),
                        (offset, length, count) =>
                        {
                            // Frames of one segment mostly share a stream: keep one string for a run of them.
                            ReadOnlySpan<byte> nameBytes = FrameFormat.StreamName(buffer.AsSpan(offset, length));
                            if (!nameBytes.SequenceEqual(lastNameBytes))
                            {
                                lastNameBytes = nameBytes.ToArray();
                                lastName = Encoding.UTF8.GetString(nameBytes);
                            }
                            frames.Add(new SegmentFrame(offset, length, count, lastName));
                        },
                        (offset, length) => damage.Add((offset, length)));
                    if (readable < fileLength)
                        damage.Add((readable, (int)Math.Min(fileLength - readable, int.MaxValue)));
                }
            }
            catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
            {
                Forget(segment, "its file was deleted by something other than this buffer");
                return false;
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                LogLimited("read", ex, "could not read segment {0} ({1}); it is tried again later", segment.Name, ex.Message);
                return false;
            }
            finally
            {
                if (data is not null)
                    ArrayPool<byte>.Shared.Return(data);
            }

            ApplyAcks(segment, frames);
            long unackedBefore = segment.UnackedRecords;
            Interlocked.Add(ref _sizeBytes, fileLength - segment.Length);
            segment.Length = fileLength;
            segment.SetFrames(frames);
            Interlocked.Add(ref _pendingRecords, segment.UnackedRecords - unackedBefore);

            if (damage.Count > 0 && !segment.DamageReported)
            {
                segment.DamageReported = true;
                Interlocked.Add(ref _corruptTailsSkipped, damage.Count);
                long bytes = damage.Sum(d => (long)d.Length);
                InternalLogger.Warn("{0}: segment {1} has {2} torn or corrupt stretch(es), {3} bytes from offset {4} (a write cut short by a crash, or damage on disk); skipped. The {5} intact batches in it are kept",
                    _logPrefix, segment.Name, damage.Count, bytes, damage[0].Offset, frames.Count);
            }
            return true;
        }

        /// <summary>Marks the frames the segment's ack file lists as done. A damaged ack file acknowledges nothing.</summary>
        private void ApplyAcks(Segment segment, List<SegmentFrame> frames)
        {
            if (!AckFile.TryRead(segment.AckPath, out long prefixEnd, out HashSet<long> offsets, out bool damaged))
                return;
            if (damaged)
            {
                LogLimited("ack-damaged", null, "the ack file of segment {0} is damaged; its batches are sent again (at least once)", segment.Name);
                return;
            }
            foreach (SegmentFrame frame in frames)
            {
                if (frame.Offset < prefixEnd || offsets.Contains(frame.Offset))
                    frame.State = FrameState.Done;
            }
        }

        /// <summary>Saves the held segment's acknowledgements; a failure only means those batches may be sent again.</summary>
        private void SaveAcks(Segment segment)
        {
            (long prefixEnd, List<long> doneAfter) = segment.AckState();
            try
            {
                AckFile.Write(segment.AckPath, segment.AckTempPath, prefixEnd, doneAfter, _fsyncEachAppend);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                LogLimited("ack", ex, "could not save acknowledgements of segment {0} ({1}); after a restart those batches may be sent again", segment.Name, ex.Message);
            }
        }

        /// <summary>
        /// Deletes a held segment's files (frames first, lock last) and forgets it. The records it still held are taken
        /// off the pending count. False when the segment file cannot be deleted (it stays, held).
        /// </summary>
        private bool DeleteSegment(Segment segment)
        {
            try
            {
                File.Delete(segment.SegmentPath);
            }
            catch (DirectoryNotFoundException)
            {
                // the whole directory is gone; so is the segment
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                LogLimited("delete", ex, "could not delete segment {0} ({1}); grant the process delete rights in the directory", segment.Name, ex.Message);
                return false;
            }
            TryDelete(segment.AckPath);
            TryDelete(segment.AckTempPath);
            if (segment == _active)
                _active = null;
            segment.CloseHandles();
            TryDelete(segment.LockPath);
            if (_segments.Remove(segment.Name))
            {
                Interlocked.Add(ref _pendingRecords, -segment.UnackedRecords);
                Interlocked.Add(ref _sizeBytes, -segment.Length);
            }
            segment.UnackedRecords = 0;
            return true;
        }

        /// <summary>
        /// Lets go of held segments beyond <see cref="MaxIdleHeldSegments"/>, newest first, among those not active and
        /// with nothing claimed. Their acknowledgements are already saved.
        /// </summary>
        private void LetGoOfIdleSegments()
        {
            List<Segment> idle = _segments.Values.Where(s => s.Held && !s.Active && s.ClaimedFrames == 0).ToList();
            for (int i = idle.Count - 1; i >= MaxIdleHeldSegments; i--)
                idle[i].CloseHandles();
        }

        /// <summary>
        /// Deletes oldest segments until a frame of <paramref name="frameLength"/> bytes fits under the cap. Other
        /// processes' segment sizes are listed again when the last listing is a second old or the cap is in the way.
        /// False when no more segments may be deleted.
        /// </summary>
        private bool MakeRoom(long frameLength)
        {
            if (Interlocked.Read(ref _sizeBytes) + frameLength <= _maxBytes && Environment.TickCount64 - _listedAtTick < ListingMaxAgeMilliseconds)
                return true;
            RefreshListing();
            long droppedRecords = 0;
            int droppedSegments = 0;
            try
            {
                while (Interlocked.Read(ref _sizeBytes) + frameLength > _maxBytes)
                {
                    Segment? victim = null;
                    bool dropped = false;
                    foreach (Segment segment in _segments.Values.ToArray())
                    {
                        if (segment.ClaimedFrames > 0)
                            continue;
                        if (!segment.Held)
                        {
                            bool held = TryHold(segment, force: true);
                            dropped = !_segments.ContainsKey(segment.Name);
                            if (dropped)
                                break;   // it turned out finished (or gone) and was dropped: measure again
                            if (!held)
                                continue;
                        }
                        victim = segment;
                        break;
                    }
                    if (victim is null)
                    {
                        if (dropped)
                            continue;
                        return false;
                    }
                    if (victim == _active)
                        CloseActive(flushToDisk: false);
                    long records = victim.UnackedRecords;
                    if (!DeleteSegment(victim))
                        return false;
                    droppedRecords += records;
                    droppedSegments++;
                }
                return true;
            }
            finally
            {
                if (droppedSegments > 0)
                {
                    Interlocked.Add(ref _droppedForCapRecords, droppedRecords);
                    DroppedForCap?.Invoke(droppedRecords);
                    LogLimited("cap", null, "reached its cap of {0} bytes: deleted the {1} oldest segment(s) with {2} undelivered records ({3} records dropped for the cap so far; a packed record holds several events). Raise the cap or restore delivery",
                        _maxBytes, droppedSegments, droppedRecords, Interlocked.Read(ref _droppedForCapRecords));
                }
            }
        }

        /// <summary>
        /// Writes a ready frame to the active segment, rolling first when it would pass the segment size, and records
        /// it as pending. A failed write is cut off again and the segment closed, so the next append starts a new one.
        /// </summary>
        private bool WriteFrame(string stream, byte[] frame, int frameLength, int recordCount)
        {
            if (_active is not null && _active.Length > 0 && _active.Length + frameLength > _segmentBytes)
                Roll();
            Segment active = _active ??= CreateSegment();
            FileStream writer = active.Writer!;
            long offset = active.Length;
            try
            {
                if (WriteOverride is not null)
                    WriteOverride(writer, frame, frameLength);
                else
                    writer.Write(frame, 0, frameLength);
                writer.Flush(_fsyncEachAppend);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                AbandonActive(offset);
                throw;
            }
            if (!File.Exists(active.SegmentPath))
            {
                // The file (or the whole directory) was deleted while open: the write went nowhere anyone can read.
                Forget(active, "it was deleted while in use (was the directory removed?), with the batch just written; the next append creates the directory again if needed", recordCount);
                return false;
            }
            string name = stream;
            List<SegmentFrame> frames = active.Frames!;
            if (frames.Count > 0 && frames[frames.Count - 1].Stream == stream)
                name = frames[frames.Count - 1].Stream;
            frames.Add(new SegmentFrame(offset, frameLength, recordCount, name));
            active.OpenFrames++;
            active.Length += frameLength;
            active.UnackedRecords += recordCount;
            Interlocked.Add(ref _sizeBytes, frameLength);
            Interlocked.Add(ref _pendingRecords, recordCount);
            return true;
        }

        /// <summary>
        /// After a failed write: cuts the active segment back to <paramref name="goodLength"/> (if that fails too, the
        /// torn tail is skipped when the segment is read) and closes it, so the next append starts a new segment.
        /// </summary>
        private void AbandonActive(long goodLength)
        {
            Segment active = _active!;
            try
            {
                active.Writer!.SetLength(goodLength);
                active.Writer.Flush(_fsyncEachAppend);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                InternalLogger.Debug("{0}: could not cut segment {1} back after a failed write: {2}", _logPrefix, active.Name, ex.Message);
            }
            try
            {
                CloseActive(flushToDisk: false);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                InternalLogger.Debug("{0}: closing segment {1} failed: {2}", _logPrefix, active.Name, ex.Message);
            }
            if (active.OpenFrames == 0)
                DeleteSegment(active);
        }

        /// <summary>Closes the active segment (flushed to the device) and deletes it if nothing in it is pending.</summary>
        private void Roll()
        {
            Segment old = _active!;
            CloseActive(flushToDisk: true);
            if (old.OpenFrames == 0)
                DeleteSegment(old);
        }

        /// <summary>
        /// Stops appending to the active segment: closes its writer, keeps its lock (its frames are still this
        /// instance's to hand out until it lets go of it).
        /// </summary>
        private void CloseActive(bool flushToDisk)
        {
            Segment active = _active!;
            _active = null;
            FileStream writer = active.Writer!;
            active.Writer = null;
            try
            {
                if (flushToDisk)
                    writer.Flush(flushToDisk: true);
            }
            finally
            {
                writer.Dispose();
            }
        }

        /// <summary>
        /// Starts a new segment: its lock file first (created new and held exclusively), then the segment file. Creates
        /// the directory again if it was deleted.
        /// </summary>
        private Segment CreateSegment()
        {
            if (!Directory.Exists(_directory))
            {
                Directory.CreateDirectory(_directory);
                InternalLogger.Warn("{0}: the directory was missing (deleted while in use?) and was created again", _logPrefix);
            }
            for (int attempt = 0; ; attempt++)
            {
                var segment = new Segment(_directory, NextBaseName());
                FileStream lockFile;
                try
                {
                    lockFile = new FileStream(segment.LockPath, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 1);
                }
                catch (IOException) when (attempt < 3 && File.Exists(segment.LockPath))
                {
                    continue;   // another process touched this new name's lock between create and lock: take another name
                }
                try
                {
                    segment.Writer = new FileStream(segment.SegmentPath, FileMode.CreateNew, FileAccess.Write, FileShare.Read | FileShare.Delete, 1);   // 1: unbuffered (0 too on .NET 6+, but .NET Framework refuses 0)
                }
                catch
                {
                    lockFile.Dispose();
                    TryDelete(segment.LockPath);
                    throw;
                }
                segment.Lock = lockFile;
                segment.SetFrames(new List<SegmentFrame>());
                _segments.Add(segment.Name, segment);
                return segment;
            }
        }

        /// <summary>A new base name: this writer's names never repeat and never sort before its earlier ones.</summary>
        private string NextBaseName()
        {
            DateTime now = DateTime.UtcNow;
            if (now < _lastNameTime)
                now = _lastNameTime;
            _lastNameTime = now;
            return SegmentFiles.BaseName(now, ++_sequence, _writerId);
        }

#if NET
        /// <summary>Reads exactly <paramref name="destination"/>.Length bytes at <paramref name="offset"/>.</summary>
        private static void ReadExactly(Microsoft.Win32.SafeHandles.SafeFileHandle handle, Span<byte> destination, long offset)
        {
            while (destination.Length > 0)
            {
                int read = RandomAccess.Read(handle, destination, offset);
                if (read <= 0)
                    throw new EndOfStreamException("the segment file is shorter than expected");
                destination = destination.Slice(read);
                offset += read;
            }
        }
#else
        /// <summary>
        /// netstandard2.0 has no <c>File.OpenHandle</c>: an unbuffered stream opened as the net8.0 build opens the
        /// handle (shared for reading, writing and deleting).
        /// </summary>
        private static FileStream OpenForReading(string path)
            => new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, bufferSize: 1);

        /// <summary>Reads exactly <paramref name="count"/> bytes at <paramref name="offset"/> into the start of <paramref name="destination"/>.</summary>
        private static void ReadExactly(FileStream file, byte[] destination, int count, long offset)
        {
            file.Position = offset;
            int position = 0;
            while (position < count)
            {
                int read = file.Read(destination, position, count - position);
                if (read <= 0)
                    throw new EndOfStreamException("the segment file is shorter than expected");
                position += read;
            }
        }
#endif

        /// <summary>Deletes a file, ignoring failure (it is left for a later cleanup).</summary>
        private static void TryDelete(string path)
        {
            try
            {
                File.Delete(path);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                InternalLogger.Debug("Firehose disk buffer: could not delete {0}: {1}", path, ex.Message);
            }
        }

        /// <summary>Logs a warning for <paramref name="key"/> at most once a minute, saying how many were held back.</summary>
        private void LogLimited(string key, Exception? exception, string message, params object?[] args)
        {
            if (!_logLimiter.ShouldLog(key, out int suppressed))
                return;
            string text = _logPrefix + ": " + string.Format(CultureInfo.InvariantCulture, message, args) + LogRateLimiter.Suppressed(suppressed);
            if (exception is null)
                InternalLogger.Warn(text);
            else
                InternalLogger.Warn(exception, text);
        }
    }
}
