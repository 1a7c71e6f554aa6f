using System.Collections.Generic;
using System.IO;

namespace NLog.Targets.Firehose.Buffering
{
    /// <summary>
    /// What a <see cref="DiskBuffer"/> knows of one segment file. Every listed segment has a name, a size and the count
    /// of unacknowledged records last seen in it; a segment this process holds (its lock file open exclusively) also
    /// has its verified frames and their states, and, while this process appends to it, the writer. Not thread-safe:
    /// the buffer guards it.
    /// </summary>
    internal sealed class Segment
    {
        /// <summary>Names the segment <paramref name="baseName"/> in <paramref name="directory"/>.</summary>
        public Segment(string directory, string baseName)
        {
            Name = baseName;
            string stem = Path.Combine(directory, baseName);
            SegmentPath = stem + SegmentFiles.SegmentExtension;
            LockPath = stem + SegmentFiles.LockExtension;
            AckPath = stem + SegmentFiles.AckExtension;
            AckTempPath = stem + SegmentFiles.AckTempExtension;
        }

        /// <summary>The base name; segments sort by it, oldest first.</summary>
        public string Name { get; }

        /// <summary>The file of frames.</summary>
        public string SegmentPath { get; }

        /// <summary>The lock file, held open with no sharing by whoever writes or replays the segment.</summary>
        public string LockPath { get; }

        /// <summary>The acknowledgement file.</summary>
        public string AckPath { get; }

        /// <summary>The acknowledgement file being written.</summary>
        public string AckTempPath { get; }

        /// <summary>The size of the segment file as last seen (or as written, for the active segment).</summary>
        public long Length { get; set; }

        /// <summary>Records not acknowledged, as last seen; 0 for a segment never read.</summary>
        public long UnackedRecords { get; set; }

        /// <summary>Whether damage found in this segment was already counted and logged by this process.</summary>
        public bool DamageReported { get; set; }

        /// <summary>Whether the segment is in a format version this library does not read; it is left alone.</summary>
        public bool OtherVersion { get; set; }

        /// <summary>When (Environment.TickCount64) to try this segment's lock again after finding it taken.</summary>
        public long RetryAfterTick { get; set; }

        /// <summary>The open lock file while this process holds the segment, else null.</summary>
        public FileStream? Lock { get; set; }

        /// <summary>The open segment file while this process appends to it (the active segment), else null.</summary>
        public FileStream? Writer { get; set; }

        /// <summary>The verified frames, oldest first, while held; null otherwise.</summary>
        public List<SegmentFrame>? Frames { get; set; }

        /// <summary>Frames not yet done (pending or claimed).</summary>
        public int OpenFrames { get; set; }

        /// <summary>Frames claimed and not yet acknowledged or released.</summary>
        public int ClaimedFrames { get; set; }

        /// <summary>Every frame before this index is done.</summary>
        public int FirstOpenIndex { get; private set; }

        /// <summary>Whether this process holds the segment's lock.</summary>
        public bool Held => Lock is not null;

        /// <summary>Whether this process appends to the segment.</summary>
        public bool Active => Writer is not null;

        /// <summary>The oldest pending frame, for <paramref name="stream"/> only when given, or null.</summary>
        public SegmentFrame? FindPending(string? stream)
        {
            if (Frames is null)
                return null;
            for (int i = FirstOpenIndex; i < Frames.Count; i++)
            {
                SegmentFrame frame = Frames[i];
                if (frame.State == FrameState.Pending && (stream is null || frame.Stream == stream))
                    return frame;
            }
            return null;
        }

        /// <summary>Moves <see cref="FirstOpenIndex"/> past frames that are done.</summary>
        public void AdvanceFirstOpen()
        {
            if (Frames is null)
                return;
            while (FirstOpenIndex < Frames.Count && Frames[FirstOpenIndex].State == FrameState.Done)
                FirstOpenIndex++;
        }

        /// <summary>
        /// The acknowledgement state to save: every frame before the first open one is done (the prefix end), and the
        /// offsets of the frames done after it.
        /// </summary>
        public (long PrefixEnd, List<long> DoneAfter) AckState()
        {
            AdvanceFirstOpen();
            var doneAfter = new List<long>();
            List<SegmentFrame> frames = Frames!;
            if (FirstOpenIndex >= frames.Count)
                return (Length, doneAfter);
            int remaining = frames.Count - FirstOpenIndex - OpenFrames;
            for (int i = FirstOpenIndex + 1; i < frames.Count && remaining > 0; i++)
            {
                if (frames[i].State == FrameState.Done)
                {
                    doneAfter.Add(frames[i].Offset);
                    remaining--;
                }
            }
            return (frames[FirstOpenIndex].Offset, doneAfter);
        }

        /// <summary>Takes in verified <paramref name="frames"/>; resets the open and claimed counts from them.</summary>
        public void SetFrames(List<SegmentFrame> frames)
        {
            Frames = frames;
            FirstOpenIndex = 0;
            OpenFrames = 0;
            ClaimedFrames = 0;
            long unacked = 0;
            foreach (SegmentFrame frame in frames)
            {
                if (frame.State != FrameState.Done)
                {
                    OpenFrames++;
                    unacked += frame.RecordCount;
                }
            }
            UnackedRecords = unacked;
            AdvanceFirstOpen();
        }

        /// <summary>Closes the writer and the lock (this process no longer holds the segment) and forgets the frames.</summary>
        public void CloseHandles()
        {
            Writer?.Dispose();
            Writer = null;
            Lock?.Dispose();
            Lock = null;
            Frames = null;
            ClaimedFrames = 0;
        }
    }
}
