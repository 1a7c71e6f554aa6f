#if NETSTANDARD2_0
using System;
using System.Text;

namespace NLog.Targets.Firehose.Polyfills
{
    /// <summary>
    /// netstandard2.0 stand-in for <c>Encoder.GetBytes(ReadOnlySpan&lt;char&gt;, Span&lt;byte&gt;, bool)</c> (.NET Core 2.1+),
    /// on the pointer overload netstandard2.0 has. An empty span is passed as a pointer to a dummy (the pointer overload
    /// refuses null), as the runtime itself does.
    /// </summary>
    internal static class EncoderPolyfill
    {
        extension(Encoder encoder)
        {
            /// <summary>Encodes <paramref name="chars"/> into <paramref name="bytes"/>, keeping state between calls unless <paramref name="flush"/>.</summary>
            public unsafe int GetBytes(ReadOnlySpan<char> chars, Span<byte> bytes, bool flush)
            {
                char noChar = '\0';
                byte noByte = 0;
                fixed (char* c = chars)
                fixed (byte* b = bytes)
                {
                    return encoder.GetBytes(c == null ? &noChar : c, chars.Length, b == null ? &noByte : b, bytes.Length, flush);
                }
            }
        }
    }
}
#endif
