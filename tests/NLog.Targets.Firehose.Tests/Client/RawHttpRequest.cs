using System;
using System.Collections.Generic;
using System.IO;
using System.Text;

namespace NLog.Targets.Firehose.Tests.Client
{
    /// <summary>
    /// A raw HTTP/1.1 request as written in the SigV4 test-suite files (<c>request.txt</c>, <c>.req</c>,
    /// <c>*-signed-request.txt</c>, <c>.sreq</c>): request line, <c>Name:value</c> header lines (a line starting with
    /// whitespace continues the previous header), then an optional blank line and body.
    /// </summary>
    internal sealed class RawHttpRequest
    {
        private RawHttpRequest(string method, string path, string query, List<KeyValuePair<string, string>> headers, byte[] body)
        {
            Method = method;
            Path = path;
            Query = query;
            Headers = headers;
            Body = body;
        }

        /// <summary>The method on the request line.</summary>
        public string Method { get; }

        /// <summary>The raw path (request target before <c>?</c>).</summary>
        public string Path { get; }

        /// <summary>The raw query (after the first <c>?</c>), or empty.</summary>
        public string Query { get; }

        /// <summary>
        /// The headers in file order, the value being everything after the first <c>:</c> (not trimmed). A
        /// continuation line is appended to the previous value after a <c>\n</c>, leading whitespace included,
        /// so the value keeps its folded form and the signer's whitespace rules are what gets tested.
        /// </summary>
        public List<KeyValuePair<string, string>> Headers { get; }

        /// <summary>The body bytes after the blank line; empty when there is none.</summary>
        public byte[] Body { get; }

        /// <summary>Reads and parses a request file.</summary>
        /// <param name="path">The file to read.</param>
        /// <returns>The parsed request.</returns>
        public static RawHttpRequest Load(string path) => Parse(File.ReadAllBytes(path));

        /// <summary>Parses a raw request (UTF-8, LF or CRLF line endings).</summary>
        /// <param name="raw">The raw bytes.</param>
        /// <returns>The parsed request.</returns>
        public static RawHttpRequest Parse(byte[] raw)
        {
            var lines = new List<string>();
            byte[] body = [];
            int position = 0;
            while (position < raw.Length)
            {
                int end = Array.IndexOf(raw, (byte)'\n', position);
                int next = end < 0 ? raw.Length : end + 1;
                int length = (end < 0 ? raw.Length : end) - position;
                if (length > 0 && raw[position + length - 1] == '\r')
                {
                    length--;
                }

                string line = Encoding.UTF8.GetString(raw, position, length);
                position = next;
                if (line.Length == 0 && lines.Count > 0)
                {
                    body = raw.AsSpan(position).ToArray();
                    break;
                }

                lines.Add(line);
            }

            if (lines.Count == 0)
            {
                throw new FormatException("The request has no request line.");
            }

            string requestLine = lines[0];
            int firstSpace = requestLine.IndexOf(' ', StringComparison.Ordinal);
            int lastSpace = requestLine.LastIndexOf(' ');
            if (firstSpace <= 0 || lastSpace <= firstSpace)
            {
                throw new FormatException($"Bad request line '{requestLine}'.");
            }

            // The target may itself contain spaces (get-space-*), so it is everything between the method and the
            // protocol version.
            string target = requestLine.Substring(firstSpace + 1, lastSpace - firstSpace - 1);
            int question = target.IndexOf('?', StringComparison.Ordinal);
            string path = question < 0 ? target : target.Substring(0, question);
            string query = question < 0 ? string.Empty : target.Substring(question + 1);

            var headers = new List<KeyValuePair<string, string>>();
            for (int i = 1; i < lines.Count; i++)
            {
                string line = lines[i];
                if (line[0] is ' ' or '\t')
                {
                    if (headers.Count == 0)
                    {
                        throw new FormatException("A continuation line comes before any header.");
                    }

                    KeyValuePair<string, string> previous = headers[^1];
                    headers[^1] = new KeyValuePair<string, string>(previous.Key, previous.Value + "\n" + line);
                    continue;
                }

                int colon = line.IndexOf(':', StringComparison.Ordinal);
                if (colon <= 0)
                {
                    throw new FormatException($"Bad header line '{line}'.");
                }

                headers.Add(new KeyValuePair<string, string>(line.Substring(0, colon), line.Substring(colon + 1)));
            }

            return new RawHttpRequest(requestLine.Substring(0, firstSpace), path, query, headers, body);
        }
    }
}
