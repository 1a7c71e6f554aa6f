using System;
using System.Buffers;
using System.Buffers.Text;
using System.Collections.Generic;

namespace Firehose.Local.Destinations
{
    /// <summary>
    /// Holds the decoded data of one request's records in a few shared arrays instead of one array per record, rented from
    /// <see cref="ArrayPool{T}.Shared"/>: the records stay buffered until their delivery, and new arrays for them would be
    /// garbage the collector traces and copies on every collection while they wait. The destination that buffers the
    /// records gives the arrays back (<see cref="Release"/>) once nothing reads the records any more: after their
    /// delivery, or when they are refused or lost.
    /// </summary>
    internal sealed class RecordArena
    {
        /// <summary>The size of a shared array (below the large-object heap's threshold).</summary>
        internal const int ChunkBytes = 64 * 1024;

        private readonly List<byte[]> _rented = new List<byte[]>();
        private byte[] _chunk = Array.Empty<byte>();
        private int _used;

        /// <summary>
        /// Decodes base64 (UTF-8, unescaped) into the arena, with the same decoder System.Text.Json uses for
        /// <c>TryGetBytesFromBase64</c>; false when it is not valid base64.
        /// </summary>
        public bool TryDecodeBase64(ReadOnlySpan<byte> base64, out ReadOnlyMemory<byte> data)
        {
            int max = Base64.GetMaxDecodedFromUtf8Length(base64.Length);
            Memory<byte> space = Reserve(max, out bool shared);
            OperationStatus status = Base64.DecodeFromUtf8(base64, space.Span, out int consumed, out int written);
            if (status != OperationStatus.Done || consumed != base64.Length)
            {
                data = default;
                return false;
            }
            data = Commit(space, written, shared);
            return true;
        }

        /// <summary>Copies <paramref name="bytes"/> into the arena.</summary>
        public ReadOnlyMemory<byte> Copy(ReadOnlySpan<byte> bytes)
        {
            Memory<byte> space = Reserve(bytes.Length, out bool shared);
            bytes.CopyTo(space.Span);
            return Commit(space, bytes.Length, shared);
        }

        /// <summary>
        /// Gives the shared arrays back to the pool. Only once no record of the arena is read any more: the data of its
        /// records is then someone else's.
        /// </summary>
        public void Release()
        {
            lock (_rented)
            {
                foreach (byte[] chunk in _rented)
                    ArrayPool<byte>.Shared.Return(chunk);
                _rented.Clear();
                _chunk = Array.Empty<byte>();
                _used = 0;
            }
        }

        private Memory<byte> Reserve(int length, out bool shared)
        {
            if (length > ChunkBytes / 2)
            {
                shared = false;
                return new byte[length];   // a large record: an array of its own, left to the collector
            }
            shared = true;
            if (_chunk.Length - _used < length)
            {
                _chunk = ArrayPool<byte>.Shared.Rent(ChunkBytes);
                lock (_rented)
                    _rented.Add(_chunk);
                _used = 0;
            }
            return _chunk.AsMemory(_used, length);
        }

        private ReadOnlyMemory<byte> Commit(Memory<byte> space, int length, bool shared)
        {
            if (shared)
                _used += length;
            return space.Slice(0, length);
        }
    }
}
