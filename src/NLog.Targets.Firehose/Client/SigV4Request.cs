using System.Collections.Generic;

namespace NLog.Targets.Firehose.Client
{
    /// <summary>
    /// The parts of an HTTP request that AWS Signature Version 4 signs. The signer reads this object and never
    /// changes it; the headers it produces are returned in <see cref="SigV4Signature.HeadersToAdd"/>.
    /// </summary>
    internal sealed class SigV4Request
    {
        /// <summary>
        /// The HTTP method exactly as it goes on the request line, for example <c>POST</c>.
        /// </summary>
        public string Method { get; set; } = "POST";

        /// <summary>
        /// The raw path as it appears on the request line. It may contain %-escapes, spaces or non-ASCII
        /// characters; the signer normalises and URI-encodes it according to <see cref="SigV4SigningOptions"/>.
        /// </summary>
        public string Path { get; set; } = "/";

        /// <summary>
        /// The raw query string without the leading <c>?</c>; empty when the request has no query.
        /// </summary>
        public string Query { get; set; } = "";

        /// <summary>
        /// The headers to sign, as they will be sent, in order. Duplicate names are allowed; their values are
        /// joined with <c>,</c> in this order. The <c>Host</c> header must be included: it is not derived from
        /// anything else. Do not add <c>Authorization</c>, <c>X-Amz-Date</c> or the other headers the signer
        /// produces itself.
        /// </summary>
        public List<KeyValuePair<string, string>> Headers { get; } = new();

        /// <summary>
        /// The lower-case hex SHA-256 of the request body (see <see cref="SigV4Signer.Sha256Hex"/>); by default
        /// the hash of an empty body.
        /// </summary>
        public string PayloadSha256Hex { get; set; } = SigV4Signer.EmptyPayloadSha256Hex;
    }
}
