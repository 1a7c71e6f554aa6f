using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.IO;

namespace NLog.Targets.Firehose.Buffering
{
    /// <summary>
    /// A segment's acknowledgement file: which of its frames were delivered. Little-endian:
    /// <code>
    /// magic "FHBA" (4) | version 1 (4) | prefix end (8) | count N (4) | N × frame offset (8) | CRC-32C of all before (4)
    /// </code>
    /// Every frame starting before the prefix end is acknowledged, and so is every frame starting at one of the N
    /// offsets (acknowledged out of order). The file is replaced whole: written to <c>.ack.tmp</c>, then moved over the
    /// old one, so a crash leaves either the old or the new file. A missing, short or corrupt file acknowledges nothing:
    /// the worst a damaged ack file can do is have batches sent again, never lose one.
    /// </summary>
    internal static class AckFile
    {
        /// <summary>Bytes of everything but the offsets: magic, version, prefix end, count, checksum.</summary>
        private const int FixedBytes = 4 + 4 + 8 + 4 + 4;

        /// <summary>The format version written and the only one read.</summary>
        private const int Version = 1;

        /// <summary>The first four bytes: "FHBA".</summary>
        private static ReadOnlySpan<byte> Magic => new byte[] { (byte)'F', (byte)'H', (byte)'B', (byte)'A' };

        /// <summary>
        /// Reads the file at <paramref name="path"/>. False when there is none; <paramref name="damaged"/> is set (and
        /// nothing acknowledged) when it exists but does not check out.
        /// </summary>
        public static bool TryRead(string path, out long prefixEnd, out HashSet<long> offsets, out bool damaged)
        {
            prefixEnd = 0;
            offsets = new HashSet<long>();
            damaged = false;
            byte[] data;
            try
            {
                data = File.ReadAllBytes(path);
            }
            catch (FileNotFoundException)
            {
                return false;
            }
            if (data.Length < FixedBytes || !data.AsSpan().StartsWith(Magic) || BinaryPrimitives.ReadInt32LittleEndian(data.AsSpan(4)) != Version)
            {
                damaged = true;
                return true;
            }
            int count = BinaryPrimitives.ReadInt32LittleEndian(data.AsSpan(16));
            if (count < 0 || count > (data.Length - FixedBytes) / 8 || data.Length != FixedBytes + (count * 8)
                || Crc32C.Compute(data.AsSpan(0, data.Length - 4)) != BinaryPrimitives.ReadUInt32LittleEndian(data.AsSpan(data.Length - 4)))
            {
                damaged = true;
                return true;
            }
            prefixEnd = BinaryPrimitives.ReadInt64LittleEndian(data.AsSpan(8));
            for (int i = 0; i < count; i++)
                offsets.Add(BinaryPrimitives.ReadInt64LittleEndian(data.AsSpan(20 + (i * 8))));
            return true;
        }

        /// <summary>
        /// Replaces the file at <paramref name="path"/> by way of <paramref name="tempPath"/>, flushing to the device
        /// first when <paramref name="flushToDisk"/>.
        /// </summary>
        public static void Write(string path, string tempPath, long prefixEnd, IReadOnlyList<long> offsets, bool flushToDisk)
        {
            var data = new byte[FixedBytes + (offsets.Count * 8)];
            Magic.CopyTo(data);
            BinaryPrimitives.WriteInt32LittleEndian(data.AsSpan(4), Version);
            BinaryPrimitives.WriteInt64LittleEndian(data.AsSpan(8), prefixEnd);
            BinaryPrimitives.WriteInt32LittleEndian(data.AsSpan(16), offsets.Count);
            for (int i = 0; i < offsets.Count; i++)
                BinaryPrimitives.WriteInt64LittleEndian(data.AsSpan(20 + (i * 8)), offsets[i]);
            BinaryPrimitives.WriteUInt32LittleEndian(data.AsSpan(data.Length - 4), Crc32C.Compute(data.AsSpan(0, data.Length - 4)));
            using (var stream = new FileStream(tempPath, FileMode.Create, FileAccess.Write, FileShare.None, 1))
            {
                stream.Write(data, 0, data.Length);
                stream.Flush(flushToDisk);
            }
            File.Move(tempPath, path, overwrite: true);
        }
    }
}
