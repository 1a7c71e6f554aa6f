namespace NLog.Targets.Firehose.Buffering
{
    /// <summary>One verified frame of a held segment: where it is, what it holds, and its state in this process.</summary>
    internal sealed class SegmentFrame
    {
        /// <summary>Creates the entry of a frame at <paramref name="offset"/>.</summary>
        public SegmentFrame(long offset, int length, int recordCount, string stream)
        {
            Offset = offset;
            Length = length;
            RecordCount = recordCount;
            Stream = stream;
        }

        /// <summary>Where the frame starts in its segment file; also its identity in the ack file.</summary>
        public long Offset { get; }

        /// <summary>The frame's length in bytes, header and checksum included.</summary>
        public int Length { get; }

        /// <summary>How many records the frame holds.</summary>
        public int RecordCount { get; }

        /// <summary>The delivery stream the frame's records are for.</summary>
        public string Stream { get; }

        /// <summary>Pending, claimed or done.</summary>
        public FrameState State { get; set; }

        /// <summary>The batch that holds the claim while <see cref="State"/> is <see cref="FrameState.Claimed"/>.</summary>
        public BufferedBatch? Claim { get; set; }
    }
}
