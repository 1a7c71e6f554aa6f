#if NETSTANDARD2_0
using System;
using System.Text;

namespace NLog.Targets.Firehose.Polyfills
{
    /// <summary>
    /// netstandard2.0 stand-ins for <c>StringBuilder.Append(ReadOnlySpan&lt;char&gt;)</c> (.NET Core 2.1+) and
    /// <c>StringBuilder.GetChunks</c> (.NET Core 3.0+).
    /// </summary>
    internal static class StringBuilderPolyfill
    {
        extension(StringBuilder builder)
        {
            /// <summary>Appends <paramref name="value"/>.</summary>
            public unsafe StringBuilder Append(ReadOnlySpan<char> value)
            {
                if (value.IsEmpty)
                    return builder;
                fixed (char* chars = value)
                {
                    return builder.Append(chars, value.Length);
                }
            }

            /// <summary>
            /// The builder's text in pieces, in order (see <see cref="StringBuilderChunks"/>): what <c>GetChunks</c>
            /// yields on .NET, but copied, as netstandard2.0 gives no access to the builder's own chunks.
            /// </summary>
            public StringBuilderChunks GetChunks() => new StringBuilderChunks(builder);
        }
    }
}
#endif
