using System;
using System.Security.Cryptography;
using System.Text;
using System.Threading;

namespace NLog.Targets.Firehose.Client
{
    /// <summary>
    /// Derives SigV4 signing keys (kSecret → kDate → kRegion → kService → kSigning) and remembers only the most
    /// recent one, so that signing many requests on the same day with the same credentials costs one HMAC
    /// instead of five. Thread-safe: the cached entry is immutable and replaced atomically; two threads that miss
    /// at the same time both derive the same key, which is harmless.
    /// </summary>
    internal sealed class SigV4SigningKeyCache
    {
        private Entry? _latest;
        private long _derivationCount;

        /// <summary>
        /// How many times a key has been derived (cache misses) since this cache was created.
        /// </summary>
        public long DerivationCount => Interlocked.Read(ref _derivationCount);

        /// <summary>
        /// Returns the signing key for the given secret, date, region and service, deriving it only when it
        /// differs from the cached one.
        /// </summary>
        /// <param name="secretAccessKey">The secret access key.</param>
        /// <param name="dateStamp">The scope date, <c>yyyyMMdd</c>.</param>
        /// <param name="region">The scope region.</param>
        /// <param name="service">The scope service name.</param>
        /// <returns>The 32-byte signing key. Callers must not modify it.</returns>
        public ReadOnlySpan<byte> GetSigningKey(string secretAccessKey, string dateStamp, string region, string service)
        {
            Entry? latest = Volatile.Read(ref _latest);
            if (latest is not null && latest.Matches(secretAccessKey, dateStamp, region, service))
            {
                return latest.Key;
            }

            byte[] key = DeriveSigningKey(secretAccessKey, dateStamp, region, service);
            Interlocked.Increment(ref _derivationCount);
            Volatile.Write(ref _latest, new Entry(secretAccessKey, dateStamp, region, service, key));
            return key;
        }

        /// <summary>
        /// Computes kSigning = HMAC(HMAC(HMAC(HMAC("AWS4" + secret, date), region), service), "aws4_request").
        /// </summary>
        /// <param name="secretAccessKey">The secret access key.</param>
        /// <param name="dateStamp">The scope date, <c>yyyyMMdd</c>.</param>
        /// <param name="region">The scope region.</param>
        /// <param name="service">The scope service name.</param>
        /// <returns>A new 32-byte array holding the signing key.</returns>
        internal static byte[] DeriveSigningKey(string secretAccessKey, string dateStamp, string region, string service)
        {
            byte[] secret = new byte[4 + Encoding.UTF8.GetByteCount(secretAccessKey)];
            Span<byte> kDate = stackalloc byte[HMACSHA256.HashSizeInBytes];
            Span<byte> kRegion = stackalloc byte[HMACSHA256.HashSizeInBytes];
            Span<byte> kService = stackalloc byte[HMACSHA256.HashSizeInBytes];
            byte[] kSigning = new byte[HMACSHA256.HashSizeInBytes];
            try
            {
                Encoding.ASCII.GetBytes("AWS4", secret);
                Encoding.UTF8.GetBytes(secretAccessKey, secret.AsSpan(4));
                HMACSHA256.HashData(secret, Encoding.UTF8.GetBytes(dateStamp), kDate);
                HMACSHA256.HashData(kDate, Encoding.UTF8.GetBytes(region), kRegion);
                HMACSHA256.HashData(kRegion, Encoding.UTF8.GetBytes(service), kService);
                HMACSHA256.HashData(kService, "aws4_request"u8, kSigning);
                return kSigning;
            }
            finally
            {
                CryptographicOperations.ZeroMemory(secret);
                CryptographicOperations.ZeroMemory(kDate);
                CryptographicOperations.ZeroMemory(kRegion);
                CryptographicOperations.ZeroMemory(kService);
            }
        }

        /// <summary>
        /// One immutable cache entry: the inputs and the key derived from them.
        /// </summary>
        private sealed class Entry
        {
            private readonly string _secretAccessKey;
            private readonly string _dateStamp;
            private readonly string _region;
            private readonly string _service;

            /// <summary>
            /// Creates an entry.
            /// </summary>
            public Entry(string secretAccessKey, string dateStamp, string region, string service, byte[] key)
            {
                _secretAccessKey = secretAccessKey;
                _dateStamp = dateStamp;
                _region = region;
                _service = service;
                Key = key;
            }

            /// <summary>
            /// The derived signing key.
            /// </summary>
            public byte[] Key { get; }

            /// <summary>
            /// Whether this entry was derived from exactly these inputs.
            /// </summary>
            public bool Matches(string secretAccessKey, string dateStamp, string region, string service) =>
                string.Equals(_dateStamp, dateStamp, StringComparison.Ordinal) &&
                string.Equals(_region, region, StringComparison.Ordinal) &&
                string.Equals(_service, service, StringComparison.Ordinal) &&
                string.Equals(_secretAccessKey, secretAccessKey, StringComparison.Ordinal);
        }
    }
}
