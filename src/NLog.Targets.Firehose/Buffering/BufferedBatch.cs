using System;
using System.Collections.Generic;

namespace NLog.Targets.Firehose.Buffering
{
    /// <summary>
    /// A batch claimed from a <see cref="DiskBuffer"/>: its stream and records, and the claim itself, which the claimer
    /// ends with <see cref="DiskBuffer.Acknowledge"/> (delivered) or <see cref="DiskBuffer.Release"/> (try again later).
    /// </summary>
    internal sealed class BufferedBatch
    {
        /// <summary>Creates the claim on <paramref name="frame"/> of <paramref name="segment"/>.</summary>
        internal BufferedBatch(DiskBuffer owner, Segment segment, SegmentFrame frame, string stream, IReadOnlyList<ReadOnlyMemory<byte>> records)
        {
            Owner = owner;
            Segment = segment;
            Frame = frame;
            Stream = stream;
            Records = records;
        }

        /// <summary>The delivery stream the records were appended for.</summary>
        public string Stream { get; }

        /// <summary>The records, in the order they were appended, byte for byte.</summary>
        public IReadOnlyList<ReadOnlyMemory<byte>> Records { get; }

        /// <summary>Where the batch lives on disk, for log messages: the segment's base name and the frame's offset.</summary>
        public string Id => Segment.Name + "@" + Frame.Offset.ToString(System.Globalization.CultureInfo.InvariantCulture);

        /// <summary>The buffer that handed the batch out.</summary>
        internal DiskBuffer Owner { get; }

        /// <summary>The segment holding the batch's frame.</summary>
        internal Segment Segment { get; }

        /// <summary>The batch's frame.</summary>
        internal SegmentFrame Frame { get; }
    }
}
