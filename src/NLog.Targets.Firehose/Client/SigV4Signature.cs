using System.Collections.Generic;

namespace NLog.Targets.Firehose.Client
{
    /// <summary>
    /// The result of signing one request: the intermediate values (useful for diagnostics and conformance tests)
    /// and the headers the caller must add to the request. None of these strings contains the secret access key.
    /// </summary>
    internal sealed class SigV4Signature
    {
        /// <summary>
        /// Creates a signature result.
        /// </summary>
        /// <param name="amzDate">The signing time as <c>yyyyMMddTHHmmssZ</c>.</param>
        /// <param name="canonicalRequest">The canonical request that was hashed.</param>
        /// <param name="stringToSign">The string that was signed.</param>
        /// <param name="signature">The lower-case hex signature.</param>
        /// <param name="authorization">The full <c>Authorization</c> header value.</param>
        /// <param name="headersToAdd">The headers to add to the request, in the order they should be added.</param>
        internal SigV4Signature(
            string amzDate,
            string canonicalRequest,
            string stringToSign,
            string signature,
            string authorization,
            IReadOnlyList<KeyValuePair<string, string>> headersToAdd)
        {
            AmzDate = amzDate;
            CanonicalRequest = canonicalRequest;
            StringToSign = stringToSign;
            Signature = signature;
            Authorization = authorization;
            HeadersToAdd = headersToAdd;
        }

        /// <summary>
        /// The signing time in the SigV4 basic ISO 8601 form <c>yyyyMMddTHHmmssZ</c>; also the value of the
        /// <c>X-Amz-Date</c> header.
        /// </summary>
        public string AmzDate { get; }

        /// <summary>
        /// The canonical request (method, canonical URI, canonical query, canonical headers, signed headers and
        /// payload hash, separated by line feeds, with no trailing newline).
        /// </summary>
        public string CanonicalRequest { get; }

        /// <summary>
        /// The string to sign: algorithm, date, credential scope and the hex SHA-256 of the canonical request.
        /// </summary>
        public string StringToSign { get; }

        /// <summary>
        /// The signature as lower-case hex.
        /// </summary>
        public string Signature { get; }

        /// <summary>
        /// The complete <c>Authorization</c> header value:
        /// <c>AWS4-HMAC-SHA256 Credential=…, SignedHeaders=…, Signature=…</c>.
        /// </summary>
        public string Authorization { get; }

        /// <summary>
        /// The headers the caller must add to the request, in this order: <c>X-Amz-Date</c>,
        /// <c>X-Amz-Security-Token</c> (when the credentials carry a session token, even when it was left out of
        /// the signature), <c>x-amz-content-sha256</c> (when
        /// <see cref="SigV4SigningOptions.AddContentSha256Header"/> is set) and <c>Authorization</c>.
        /// </summary>
        public IReadOnlyList<KeyValuePair<string, string>> HeadersToAdd { get; }
    }
}
