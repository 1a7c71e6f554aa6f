#if NETSTANDARD2_0
using System;
using System.Security.Cryptography;

namespace NLog.Targets.Firehose.Polyfills
{
    /// <summary>netstandard2.0 stand-ins for <c>HMACSHA256.HashSizeInBytes</c> and the one-shot <c>HMACSHA256.HashData</c> (.NET 6+).</summary>
    internal static class HMACSHA256Polyfill
    {
        extension(HMACSHA256)
        {
            /// <summary>The size of an HMAC-SHA256, in bytes.</summary>
            public static int HashSizeInBytes => 32;

            /// <summary>
            /// Writes the HMAC-SHA256 of <paramref name="source"/> under <paramref name="key"/> to
            /// <paramref name="destination"/>; returns the number of bytes written. The copies it makes of the key and
            /// of the result are cleared before it returns.
            /// </summary>
            public static int HashData(ReadOnlySpan<byte> key, ReadOnlySpan<byte> source, Span<byte> destination)
            {
                if (destination.Length < 32)
                    throw new ArgumentException("Destination is too short.", nameof(destination));
                byte[] keyCopy = key.ToArray();
                byte[]? hash = null;
                try
                {
                    using (var hmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, keyCopy))
                    {
                        HashChunks.Append(hmac, source);
                        hash = hmac.GetHashAndReset();
                    }
                    hash.CopyTo(destination);
                    return hash.Length;
                }
                finally
                {
                    CryptographicOperations.ZeroMemory(keyCopy);
                    if (hash is not null)
                        CryptographicOperations.ZeroMemory(hash);
                }
            }
        }
    }
}
#endif
