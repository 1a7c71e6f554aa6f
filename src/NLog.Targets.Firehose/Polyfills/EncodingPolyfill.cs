#if NETSTANDARD2_0
using System;
using System.Text;

namespace NLog.Targets.Firehose.Polyfills
{
    /// <summary>
    /// netstandard2.0 stand-ins for the span overloads of <see cref="Encoding"/> (.NET Core 2.1+), on the pointer
    /// overloads netstandard2.0 has, so nothing is copied. An empty span is passed as a pointer to a dummy (the pointer
    /// overloads refuse null), as the runtime itself does.
    /// </summary>
    internal static class EncodingPolyfill
    {
        extension(Encoding encoding)
        {
            /// <summary>Encodes <paramref name="chars"/> into <paramref name="bytes"/>; returns the number of bytes written.</summary>
            public unsafe int GetBytes(ReadOnlySpan<char> chars, Span<byte> bytes)
            {
                char noChar = '\0';
                byte noByte = 0;
                fixed (char* c = chars)
                fixed (byte* b = bytes)
                {
                    return encoding.GetBytes(c == null ? &noChar : c, chars.Length, b == null ? &noByte : b, bytes.Length);
                }
            }

            /// <summary>The number of bytes <paramref name="chars"/> encodes to.</summary>
            public unsafe int GetByteCount(ReadOnlySpan<char> chars)
            {
                char noChar = '\0';
                fixed (char* c = chars)
                {
                    return encoding.GetByteCount(c == null ? &noChar : c, chars.Length);
                }
            }

            /// <summary>Decodes <paramref name="bytes"/> into a string.</summary>
            public unsafe string GetString(ReadOnlySpan<byte> bytes)
            {
                if (bytes.IsEmpty)
                    return string.Empty;
                fixed (byte* b = bytes)
                {
                    return encoding.GetString(b, bytes.Length);
                }
            }
        }
    }
}
#endif
