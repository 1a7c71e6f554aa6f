#if NETSTANDARD2_0
using System;
using System.Security.Cryptography;

namespace NLog.Targets.Firehose.Polyfills
{
    /// <summary>netstandard2.0 stand-ins for <c>SHA256.HashSizeInBytes</c> and the one-shot <c>SHA256.HashData</c> (.NET 5+).</summary>
    internal static class SHA256Polyfill
    {
        extension(SHA256)
        {
            /// <summary>The size of a SHA-256, in bytes.</summary>
            public static int HashSizeInBytes => 32;

            /// <summary>Writes the SHA-256 of <paramref name="source"/> to <paramref name="destination"/>; returns the number of bytes written.</summary>
            public static int HashData(ReadOnlySpan<byte> source, Span<byte> destination)
            {
                if (destination.Length < 32)
                    throw new ArgumentException("Destination is too short.", nameof(destination));
                using (var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256))
                {
                    HashChunks.Append(sha, source);
                    byte[] hash = sha.GetHashAndReset();
                    hash.CopyTo(destination);
                    return hash.Length;
                }
            }
        }
    }
}
#endif
