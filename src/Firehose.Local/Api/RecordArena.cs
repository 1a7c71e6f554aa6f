using System;
using System.Buffers;
using System.Buffers.Text;

namespace Firehose.Local.Api
{
    /// <summary>
    /// Holds the decoded data of one request's records in a few shared arrays instead of one array per record: the records
    /// stay buffered until their delivery, so a small array each would be thousands of objects for the garbage collector to
    /// trace and copy on every collection while they wait. Each array stays below the large-object heap's threshold.
    /// </summary>
    internal sealed class RecordArena
    {
        /// <summary>The largest shared array (below the 85,000 bytes from which arrays go to the large-object heap).</summary>
        internal const int ChunkBytes = 80 * 1024;

        private byte[] _chunk = Array.Empty<byte>();
        private int _used;
        private long _expected;

        /// <summary>Creates an arena for about <paramref name="expectedBytes"/> bytes of data (the arrays are sized by it).</summary>
        public RecordArena(long expectedBytes)
        {
            _expected = Math.Max(0, expectedBytes);
        }

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

        private Memory<byte> Reserve(int length, out bool shared)
        {
            if (length > ChunkBytes / 2)
            {
                shared = false;
                return new byte[length];   // a large record: an array of its own
            }
            shared = true;
            if (_chunk.Length - _used < length)
            {
                _chunk = new byte[(int)Math.Clamp(_expected, length, ChunkBytes)];
                _used = 0;
            }
            return _chunk.AsMemory(_used, length);
        }

        private ReadOnlyMemory<byte> Commit(Memory<byte> space, int length, bool shared)
        {
            if (shared)
                _used += length;
            _expected -= length;
            return space.Slice(0, length);
        }
    }
}
