#if NETSTANDARD2_0
using System;
using System.Buffers;
using System.Security.Cryptography;

namespace NLog.Targets.Firehose.Polyfills
{
    /// <summary>
    /// Feeds a span to an <see cref="IncrementalHash"/>, which on netstandard2.0 takes arrays only: through one pooled
    /// buffer of at most 64 KiB, so a 4 MiB request body is not copied whole. The buffer is cleared before it goes back.
    /// </summary>
    internal static class HashChunks
    {
        private const int ChunkBytes = 64 * 1024;

        /// <summary>Appends <paramref name="data"/> to <paramref name="hash"/>.</summary>
        public static void Append(IncrementalHash hash, ReadOnlySpan<byte> data)
        {
            if (data.IsEmpty)
                return;
            byte[] buffer = ArrayPool<byte>.Shared.Rent(Math.Min(data.Length, ChunkBytes));
            try
            {
                while (!data.IsEmpty)
                {
                    int n = Math.Min(data.Length, buffer.Length);
                    data.Slice(0, n).CopyTo(buffer);
                    hash.AppendData(buffer, 0, n);
                    data = data.Slice(n);
                }
            }
            finally
            {
                CryptographicOperations.ZeroMemory(buffer);
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }
    }
}
#endif
