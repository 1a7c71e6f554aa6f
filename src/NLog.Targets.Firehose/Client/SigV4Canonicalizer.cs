using System;
using System.Collections.Generic;
using System.Text;

namespace NLog.Targets.Firehose.Client
{
    /// <summary>
    /// The canonicalisation rules of AWS Signature Version 4 for the path, the query string and the headers.
    /// </summary>
    internal static class SigV4Canonicalizer
    {
        private const string UpperHex = "0123456789ABCDEF";
        private const string LowerHex = "0123456789abcdef";

        /// <summary>
        /// Builds the canonical URI from a raw request path.
        /// </summary>
        /// <param name="path">The raw path as on the request line; empty means <c>/</c>.</param>
        /// <param name="normalize">Collapse repeated <c>/</c> and remove <c>.</c> and <c>..</c> segments first.</param>
        /// <param name="doubleEncode">
        /// Encode the path as given (so an existing <c>%3C</c> becomes <c>%253C</c>); otherwise decode existing
        /// %-escapes and encode each segment exactly once.
        /// </param>
        /// <returns>The canonical URI.</returns>
        public static string CanonicalUri(string path, bool normalize, bool doubleEncode)
        {
            if (path.Length == 0)
            {
                path = "/";
            }

            string[] segments = normalize ? NormalizeSegments(path) : path.Split('/');
            var builder = new StringBuilder(path.Length + 16);
            for (int i = 0; i < segments.Length; i++)
            {
                if (i > 0)
                {
                    builder.Append('/');
                }

                byte[] bytes = Encoding.UTF8.GetBytes(segments[i]);
                if (!doubleEncode)
                {
                    bytes = PercentDecode(bytes);
                }

                AppendUriEncoded(builder, bytes);
            }

            return builder.ToString();
        }

        /// <summary>
        /// Builds the canonical query string from a raw query string (without <c>?</c>): each parameter is
        /// %-decoded, URI-encoded (RFC 3986 unreserved characters kept, upper-case hex), the parameters are sorted
        /// by encoded name and then by encoded value, and a parameter without a value becomes <c>name=</c>.
        /// </summary>
        /// <param name="query">The raw query string; may be empty.</param>
        /// <returns>The canonical query string; empty when there are no parameters.</returns>
        public static string CanonicalQuery(string query)
        {
            if (query.Length == 0)
            {
                return string.Empty;
            }

            var parameters = new List<KeyValuePair<string, string>>();
            foreach (string part in query.Split('&'))
            {
                if (part.Length == 0)
                {
                    continue;
                }

                int equals = part.IndexOf('=', StringComparison.Ordinal);
                string name = equals < 0 ? part : part.Substring(0, equals);
                string value = equals < 0 ? string.Empty : part.Substring(equals + 1);
                parameters.Add(new KeyValuePair<string, string>(EncodeQueryComponent(name), EncodeQueryComponent(value)));
            }

            parameters.Sort(static (a, b) =>
            {
                int byName = string.CompareOrdinal(a.Key, b.Key);
                return byName != 0 ? byName : string.CompareOrdinal(a.Value, b.Value);
            });

            var builder = new StringBuilder(query.Length + 16);
            for (int i = 0; i < parameters.Count; i++)
            {
                if (i > 0)
                {
                    builder.Append('&');
                }

                builder.Append(parameters[i].Key).Append('=').Append(parameters[i].Value);
            }

            return builder.ToString();
        }

        /// <summary>
        /// Builds the canonical headers block and the SignedHeaders list. Names are lower-cased; values are trimmed
        /// and every inner run of whitespace (spaces, tabs and the line breaks of folded values) becomes one
        /// space; values of repeated names are joined with <c>,</c> in their original order; names are sorted
        /// ordinally.
        /// </summary>
        /// <param name="headers">The headers to sign, in request order.</param>
        /// <param name="signedHeaders">Receives the <c>;</c>-separated list of lower-case header names.</param>
        /// <returns>The canonical headers, each line ending in a line feed.</returns>
        public static string CanonicalHeaders(IReadOnlyList<KeyValuePair<string, string>> headers, out string signedHeaders)
        {
            var valuesByName = new Dictionary<string, StringBuilder>(headers.Count, StringComparer.Ordinal);
            var names = new List<string>(headers.Count);
            foreach (KeyValuePair<string, string> header in headers)
            {
                string name = header.Key.ToLowerInvariant();
                string value = NormalizeHeaderValue(header.Value);
                if (valuesByName.TryGetValue(name, out StringBuilder? existing))
                {
                    existing.Append(',').Append(value);
                }
                else
                {
                    valuesByName.Add(name, new StringBuilder(value));
                    names.Add(name);
                }
            }

            names.Sort(StringComparer.Ordinal);
            var canonical = new StringBuilder(256);
            var signed = new StringBuilder(64);
            foreach (string name in names)
            {
                canonical.Append(name).Append(':').Append(valuesByName[name]).Append('\n');
                if (signed.Length > 0)
                {
                    signed.Append(';');
                }

                signed.Append(name);
            }

            signedHeaders = signed.ToString();
            return canonical.ToString();
        }

        /// <summary>
        /// Trims a header value and collapses every inner run of spaces, tabs, carriage returns and line feeds
        /// into a single space.
        /// </summary>
        /// <param name="value">The raw header value.</param>
        /// <returns>The canonical value.</returns>
        public static string NormalizeHeaderValue(string value)
        {
            var builder = new StringBuilder(value.Length);
            bool pendingSpace = false;
            foreach (char c in value)
            {
                if (c is ' ' or '\t' or '\r' or '\n')
                {
                    pendingSpace = builder.Length > 0;
                    continue;
                }

                if (pendingSpace)
                {
                    builder.Append(' ');
                    pendingSpace = false;
                }

                builder.Append(c);
            }

            return builder.ToString();
        }

        /// <summary>
        /// Formats bytes as lower-case hex.
        /// </summary>
        /// <param name="bytes">The bytes to format.</param>
        /// <returns>Two lower-case hex digits per byte.</returns>
        public static string ToLowerHex(ReadOnlySpan<byte> bytes)
        {
            Span<char> chars = bytes.Length <= 64 ? stackalloc char[bytes.Length * 2] : new char[bytes.Length * 2];
            for (int i = 0; i < bytes.Length; i++)
            {
                chars[2 * i] = LowerHex[bytes[i] >> 4];
                chars[(2 * i) + 1] = LowerHex[bytes[i] & 0xF];
            }

            return chars.ToString();   // Span<char>.ToString is the chars as a string
        }

        /// <summary>
        /// Splits a path into the segments of its normalised form: empty and <c>.</c> segments are dropped,
        /// <c>..</c> removes the previous segment, the result always starts with <c>/</c> (an empty first
        /// segment) and keeps a trailing <c>/</c> when the raw path ended with one.
        /// </summary>
        private static string[] NormalizeSegments(string path)
        {
            var kept = new List<string>();
            foreach (string segment in path.Split('/'))
            {
                if (segment.Length == 0 || segment == ".")
                {
                    continue;
                }

                if (segment == "..")
                {
                    if (kept.Count > 0)
                    {
                        kept.RemoveAt(kept.Count - 1);
                    }

                    continue;
                }

                kept.Add(segment);
            }

            var result = new List<string>(kept.Count + 2) { string.Empty };
            result.AddRange(kept);
            if (kept.Count == 0 || path[path.Length - 1] == '/')
            {
                // "/" for an empty result, or "/a/b/" when the raw path ended with a slash.
                result.Add(string.Empty);
            }

            return result.ToArray();
        }

        /// <summary>
        /// Decodes %-escapes in a query name or value and URI-encodes the result once.
        /// </summary>
        private static string EncodeQueryComponent(string component)
        {
            var builder = new StringBuilder(component.Length + 8);
            AppendUriEncoded(builder, PercentDecode(Encoding.UTF8.GetBytes(component)));
            return builder.ToString();
        }

        /// <summary>
        /// Replaces each valid <c>%XX</c> escape with the byte it stands for; anything else is kept as is.
        /// </summary>
        private static byte[] PercentDecode(byte[] bytes)
        {
            if (Array.IndexOf(bytes, (byte)'%') < 0)
            {
                return bytes;
            }

            var decoded = new byte[bytes.Length];
            int length = 0;
            for (int i = 0; i < bytes.Length; i++)
            {
                if (bytes[i] == '%' && i + 2 < bytes.Length && HexValue(bytes[i + 1]) >= 0 && HexValue(bytes[i + 2]) >= 0)
                {
                    decoded[length++] = (byte)((HexValue(bytes[i + 1]) << 4) | HexValue(bytes[i + 2]));
                    i += 2;
                }
                else
                {
                    decoded[length++] = bytes[i];
                }
            }

            Array.Resize(ref decoded, length);
            return decoded;
        }

        /// <summary>
        /// Appends bytes URI-encoded: RFC 3986 unreserved characters as they are, every other byte as
        /// <c>%XX</c> with upper-case hex.
        /// </summary>
        private static void AppendUriEncoded(StringBuilder builder, byte[] bytes)
        {
            foreach (byte b in bytes)
            {
                if (IsUnreserved(b))
                {
                    builder.Append((char)b);
                }
                else
                {
                    builder.Append('%').Append(UpperHex[b >> 4]).Append(UpperHex[b & 0xF]);
                }
            }
        }

        /// <summary>
        /// Whether a byte is an RFC 3986 unreserved character: <c>A-Z a-z 0-9 - . _ ~</c>.
        /// </summary>
        private static bool IsUnreserved(byte b) =>
            (b >= 'A' && b <= 'Z') || (b >= 'a' && b <= 'z') || (b >= '0' && b <= '9') ||
            b == '-' || b == '.' || b == '_' || b == '~';

        /// <summary>
        /// The value of a hex digit, or -1 when the byte is not one.
        /// </summary>
        private static int HexValue(byte b) => b switch
        {
            >= (byte)'0' and <= (byte)'9' => b - '0',
            >= (byte)'A' and <= (byte)'F' => b - 'A' + 10,
            >= (byte)'a' and <= (byte)'f' => b - 'a' + 10,
            _ => -1,
        };
    }
}
