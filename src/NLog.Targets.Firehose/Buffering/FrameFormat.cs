using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.Text;

namespace NLog.Targets.Firehose.Buffering
{
    /// <summary>
    /// The on-disk frame: one appended batch. All integers little-endian.
    /// <code>
    /// offset  size  field
    ///      0     4  magic "FHBF"
    ///      4     1  version (1)
    ///      5     3  reserved, zero
    ///      8     4  frame length L: every byte of the frame, header and checksum included
    ///     12     2  stream name length S (bytes of UTF-8)
    ///     14     S  stream name, UTF-8
    ///   14+S     4  record count N
    ///              N × (4-byte record length, then the record's bytes)
    ///    L-4     4  CRC-32C of bytes [0, L-4)
    /// </code>
    /// A frame is accepted only when the magic, version, length, checksum and the inner lengths all agree, so a torn
    /// write (a prefix of a frame, or zeros where the file system had not yet written data) is never taken for data.
    /// </summary>
    internal static class FrameFormat
    {
        /// <summary>The first four bytes of every frame: "FHBF".</summary>
        public static ReadOnlySpan<byte> Magic => new byte[] { (byte)'F', (byte)'H', (byte)'B', (byte)'F' };

        /// <summary>The format version written and the only one read.</summary>
        public const byte Version = 1;

        /// <summary>Bytes before the stream name length: magic, version, reserved, frame length.</summary>
        public const int HeaderBytes = 12;

        /// <summary>Bytes of the trailing checksum.</summary>
        public const int TrailerBytes = 4;

        /// <summary>The smallest well-formed frame: empty stream name, no records.</summary>
        public const int MinFrameBytes = HeaderBytes + 2 + 4 + TrailerBytes;

        /// <summary>
        /// The largest frame written or read (1 GiB): far above a Firehose call (4 MiB), and small enough that a frame
        /// fits one array when it is read back.
        /// </summary>
        public const int MaxFrameBytes = 1 << 30;

        /// <summary>The longest stream name, in UTF-8 bytes, the 2-byte length field can hold.</summary>
        public const int MaxStreamNameBytes = ushort.MaxValue;

        /// <summary>The frame length for a batch of <paramref name="records"/> with a stream name of so many UTF-8 bytes.</summary>
        public static long Measure(int streamNameBytes, IReadOnlyList<ReadOnlyMemory<byte>> records)
        {
            long length = HeaderBytes + 2L + streamNameBytes + 4 + TrailerBytes;
            for (int i = 0; i < records.Count; i++)
                length += 4L + records[i].Length;
            return length;
        }

        /// <summary>
        /// Writes the frame into <paramref name="destination"/>, which must be exactly <see cref="Measure"/> bytes long.
        /// </summary>
        public static void Write(Span<byte> destination, ReadOnlySpan<byte> streamName, IReadOnlyList<ReadOnlyMemory<byte>> records)
        {
            Magic.CopyTo(destination);
            destination[4] = Version;
            destination[5] = destination[6] = destination[7] = 0;
            BinaryPrimitives.WriteInt32LittleEndian(destination.Slice(8), destination.Length);
            BinaryPrimitives.WriteUInt16LittleEndian(destination.Slice(12), (ushort)streamName.Length);
            streamName.CopyTo(destination.Slice(14));
            int position = 14 + streamName.Length;
            BinaryPrimitives.WriteInt32LittleEndian(destination.Slice(position), records.Count);
            position += 4;
            for (int i = 0; i < records.Count; i++)
            {
                ReadOnlySpan<byte> record = records[i].Span;
                BinaryPrimitives.WriteInt32LittleEndian(destination.Slice(position), record.Length);
                record.CopyTo(destination.Slice(position + 4));
                position += 4 + record.Length;
            }
            uint crc = Crc32C.Compute(destination.Slice(0, position));
            BinaryPrimitives.WriteUInt32LittleEndian(destination.Slice(position), crc);
        }

        /// <summary>
        /// Whether a whole, intact frame starts at the beginning of <paramref name="data"/> (which may run on past
        /// it); if so, its length, record count and stream name bytes.
        /// </summary>
        public static bool TryCheck(ReadOnlySpan<byte> data, out int length, out int recordCount, out ReadOnlySpan<byte> streamName)
        {
            length = 0;
            recordCount = 0;
            streamName = default;
            if (data.Length < MinFrameBytes || !data.StartsWith(Magic) || data[4] != Version)
                return false;
            int declared = BinaryPrimitives.ReadInt32LittleEndian(data.Slice(8));
            if (declared < MinFrameBytes || declared > MaxFrameBytes || declared > data.Length)
                return false;
            ReadOnlySpan<byte> frame = data.Slice(0, declared);
            if (Crc32C.Compute(frame.Slice(0, declared - TrailerBytes)) != BinaryPrimitives.ReadUInt32LittleEndian(frame.Slice(declared - TrailerBytes)))
                return false;

            // The checksum matched; the inner lengths must still add up exactly (a guard against a writer bug).
            int end = declared - TrailerBytes;
            int nameLength = BinaryPrimitives.ReadUInt16LittleEndian(frame.Slice(12));
            int position = 14 + nameLength;
            if (position + 4 > end)
                return false;
            int count = BinaryPrimitives.ReadInt32LittleEndian(frame.Slice(position));
            position += 4;
            if (count < 0 || count > (end - position) / 4)
                return false;
            for (int i = 0; i < count; i++)
            {
                if (position + 4 > end)
                    return false;
                int recordLength = BinaryPrimitives.ReadInt32LittleEndian(frame.Slice(position));
                if (recordLength < 0 || recordLength > end - position - 4)
                    return false;
                position += 4 + recordLength;
            }
            if (position != end)
                return false;
            length = declared;
            recordCount = count;
            streamName = frame.Slice(14, nameLength);
            return true;
        }

        /// <summary>
        /// The stream name and records of a frame that <see cref="TryCheck"/> accepted; the records are slices of
        /// <paramref name="frame"/>, not copies.
        /// </summary>
        public static (string Stream, ReadOnlyMemory<byte>[] Records) Decode(ReadOnlyMemory<byte> frame)
        {
            ReadOnlySpan<byte> span = frame.Span;
            int nameLength = BinaryPrimitives.ReadUInt16LittleEndian(span.Slice(12));
            string stream = Encoding.UTF8.GetString(span.Slice(14, nameLength));
            int position = 14 + nameLength;
            int count = BinaryPrimitives.ReadInt32LittleEndian(span.Slice(position));
            position += 4;
            var records = new ReadOnlyMemory<byte>[count];
            for (int i = 0; i < count; i++)
            {
                int recordLength = BinaryPrimitives.ReadInt32LittleEndian(span.Slice(position));
                records[i] = frame.Slice(position + 4, recordLength);
                position += 4 + recordLength;
            }
            return (stream, records);
        }

        /// <summary>
        /// Walks <paramref name="segment"/> (a whole segment file's bytes) frame by frame, calling
        /// <paramref name="onFrame"/> with each intact frame's offset, length and record count. Where bytes are not an
        /// intact frame, it looks ahead for the next intact one and resumes there; each such gap is reported once to
        /// <paramref name="onDamage"/> as the offset and length of the damaged bytes.
        /// </summary>
        public static void Scan(ReadOnlySpan<byte> segment, Action<int, int, int> onFrame, Action<int, int> onDamage)
        {
            int position = 0;
            while (position < segment.Length)
            {
                if (TryCheck(segment.Slice(position), out int length, out int count, out _))
                {
                    onFrame(position, length, count);
                    position += length;
                    continue;
                }
                int next = FindNextFrame(segment, position + 1);
                onDamage(position, next - position);
                position = next;
            }
        }

        /// <summary>
        /// Whether <paramref name="segment"/> starts with a frame header of another format version (a newer library):
        /// such a segment is left alone rather than taken for damage.
        /// </summary>
        public static bool IsOtherVersion(ReadOnlySpan<byte> segment) => segment.Length > 4 && segment.StartsWith(Magic) && segment[4] != Version;

        /// <summary>The stream name of the intact frame at the start of <paramref name="frame"/>.</summary>
        public static ReadOnlySpan<byte> StreamName(ReadOnlySpan<byte> frame) => frame.Slice(14, BinaryPrimitives.ReadUInt16LittleEndian(frame.Slice(12)));

        /// <summary>The offset of the next intact frame at or after <paramref name="from"/>, or the end of the data.</summary>
        private static int FindNextFrame(ReadOnlySpan<byte> segment, int from)
        {
            while (from < segment.Length)
            {
                int found = segment.Slice(from).IndexOf(Magic);
                if (found < 0)
                    return segment.Length;
                from += found;
                if (TryCheck(segment.Slice(from), out _, out _, out _))
                    return from;
                from++;
            }
            return segment.Length;
        }
    }
}
