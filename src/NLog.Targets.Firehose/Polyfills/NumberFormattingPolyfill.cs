#if NETSTANDARD2_0
using System;
using System.Globalization;

namespace NLog.Targets.Firehose.Polyfills
{
    /// <summary>
    /// netstandard2.0 stand-ins for <c>long.TryFormat</c> and <c>uint.TryFormat</c> (.NET Core 2.1+). The format
    /// <c>"x"</c> (lower-case hex, as few digits as needed) is written without allocating; any other format goes
    /// through <c>ToString</c> and gives the same text.
    /// </summary>
    internal static class NumberFormattingPolyfill
    {
        extension(long value)
        {
            /// <summary>Formats the value into <paramref name="destination"/>; false when it does not fit.</summary>
            public bool TryFormat(Span<char> destination, out int charsWritten, ReadOnlySpan<char> format = default, IFormatProvider? provider = null)
                => IsLowerHex(format)
                    ? TryFormatLowerHex(unchecked((ulong)value), destination, out charsWritten)
                    : TryCopy(value.ToString(format.ToString(), provider), destination, out charsWritten);
        }

        extension(uint value)
        {
            /// <summary>Formats the value into <paramref name="destination"/>; false when it does not fit.</summary>
            public bool TryFormat(Span<char> destination, out int charsWritten, ReadOnlySpan<char> format = default, IFormatProvider? provider = null)
                => IsLowerHex(format)
                    ? TryFormatLowerHex(value, destination, out charsWritten)
                    : TryCopy(value.ToString(format.ToString(), provider), destination, out charsWritten);
        }

        private static bool IsLowerHex(ReadOnlySpan<char> format) => format.Length == 1 && format[0] == 'x';

        /// <summary>The two's-complement hex of the value, as "x" formats it (a negative long gives 16 digits).</summary>
        private static bool TryFormatLowerHex(ulong value, Span<char> destination, out int charsWritten)
        {
            const string digits = "0123456789abcdef";
            int length = 1;
            for (ulong rest = value >> 4; rest != 0; rest >>= 4)
                length++;
            if (length > destination.Length)
            {
                charsWritten = 0;
                return false;
            }
            for (int i = length - 1; i >= 0; i--)
            {
                destination[i] = digits[(int)(value & 0xF)];
                value >>= 4;
            }
            charsWritten = length;
            return true;
        }

        private static bool TryCopy(string text, Span<char> destination, out int charsWritten)
        {
            if (text.Length > destination.Length)
            {
                charsWritten = 0;
                return false;
            }
            text.AsSpan().CopyTo(destination);
            charsWritten = text.Length;
            return true;
        }
    }
}
#endif
