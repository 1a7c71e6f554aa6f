#if NETSTANDARD2_0
using System;
using System.Security.Cryptography;

namespace NLog.Targets.Firehose.Polyfills
{
    /// <summary>netstandard2.0 stand-in for the static <c>RandomNumberGenerator.GetBytes(int)</c> (.NET 6+).</summary>
    internal static class RandomNumberGeneratorPolyfill
    {
        extension(RandomNumberGenerator)
        {
            /// <summary><paramref name="count"/> cryptographically strong random bytes.</summary>
            public static byte[] GetBytes(int count)
            {
                if (count < 0)
                    throw new ArgumentOutOfRangeException(nameof(count), count, "count must not be negative");
                var bytes = new byte[count];
                using (var generator = RandomNumberGenerator.Create())
                    generator.GetBytes(bytes);
                return bytes;
            }
        }
    }
}
#endif
