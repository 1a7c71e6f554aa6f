#if NETSTANDARD2_0
using System;

namespace NLog.Targets.Firehose.Polyfills
{
    /// <summary>netstandard2.0 stand-in for <c>Convert.ToHexString</c> (.NET 5+): upper-case hex, two digits per byte.</summary>
    internal static class ConvertPolyfill
    {
        extension(Convert)
        {
            /// <summary>The upper-case hex of <paramref name="inArray"/>, two digits per byte.</summary>
            public static string ToHexString(byte[] inArray)
            {
                if (inArray is null)
                    throw new ArgumentNullException(nameof(inArray));
                return ToHexString(new ReadOnlySpan<byte>(inArray));
            }

            /// <summary>The upper-case hex of <paramref name="bytes"/>, two digits per byte.</summary>
            public static string ToHexString(ReadOnlySpan<byte> bytes)
            {
                const string digits = "0123456789ABCDEF";
                if (bytes.IsEmpty)
                    return string.Empty;
                var chars = new char[bytes.Length * 2];
                for (int i = 0; i < bytes.Length; i++)
                {
                    chars[2 * i] = digits[bytes[i] >> 4];
                    chars[(2 * i) + 1] = digits[bytes[i] & 0xF];
                }
                return new string(chars);
            }
        }
    }
}
#endif
