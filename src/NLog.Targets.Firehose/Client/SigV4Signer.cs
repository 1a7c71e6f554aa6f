using System;
using System.Collections.Generic;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Amazon.Runtime;

namespace NLog.Targets.Firehose.Client
{
    /// <summary>
    /// Signs HTTP requests with AWS Signature Version 4 (<c>AWS4-HMAC-SHA256</c>) in the <c>Authorization</c>
    /// header. Presigned (query-string) signing is deliberately not supported: the library never presigns.
    /// One instance serves one region and service, is thread-safe, and caches the latest derived signing key.
    /// </summary>
    internal sealed class SigV4Signer
    {
        /// <summary>
        /// The hex SHA-256 of an empty payload.
        /// </summary>
        public const string EmptyPayloadSha256Hex = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

        private const string Algorithm = "AWS4-HMAC-SHA256";
        private const string AmzDateHeader = "X-Amz-Date";
        private const string SecurityTokenHeader = "X-Amz-Security-Token";
        private const string ContentSha256Header = "x-amz-content-sha256";
        private const string AuthorizationHeader = "Authorization";

        private static readonly SigV4SigningOptions DefaultOptions = new();

        /// <summary>
        /// Creates a signer for one region and service.
        /// </summary>
        /// <param name="region">The signing region, for example <c>us-east-1</c>.</param>
        /// <param name="service">The signing name of the service, for example <c>firehose</c>.</param>
        /// <exception cref="ArgumentException">The region or service is null or empty.</exception>
        public SigV4Signer(string region, string service)
        {
            if (string.IsNullOrEmpty(region))
            {
                throw new ArgumentException("The signing region must not be empty.", nameof(region));
            }

            if (string.IsNullOrEmpty(service))
            {
                throw new ArgumentException("The signing service name must not be empty.", nameof(service));
            }

            Region = region;
            Service = service;
        }

        /// <summary>
        /// The signing region.
        /// </summary>
        public string Region { get; }

        /// <summary>
        /// The signing name of the service.
        /// </summary>
        public string Service { get; }

        /// <summary>
        /// The cache of the latest derived signing key (exposed for tests).
        /// </summary>
        internal SigV4SigningKeyCache KeyCache { get; } = new();

        /// <summary>
        /// Signs a request.
        /// </summary>
        /// <param name="request">The request to sign; it is not modified.</param>
        /// <param name="credentials">The credentials; a non-empty <see cref="ImmutableCredentials.Token"/> is
        /// sent as <c>X-Amz-Security-Token</c>.</param>
        /// <param name="utcNow">The signing time. A <see cref="DateTimeKind.Local"/> value is converted to UTC;
        /// an unspecified kind is taken as UTC.</param>
        /// <param name="options">The SigV4 variant; <c>null</c> means <see cref="SigV4SigningOptions.Default"/>.</param>
        /// <returns>The signature and the headers to add to the request.</returns>
        /// <exception cref="ArgumentNullException">The request or credentials are null.</exception>
        /// <exception cref="ArgumentException">The request or credentials are incomplete, or the request already
        /// holds a header that the signer adds itself.</exception>
        public SigV4Signature Sign(SigV4Request request, ImmutableCredentials credentials, DateTime utcNow, SigV4SigningOptions? options = null)
        {
            ArgumentNullException.ThrowIfNull(request);
            ArgumentNullException.ThrowIfNull(credentials);
            options ??= DefaultOptions;

            // Messages never quote credential values.
            if (string.IsNullOrEmpty(credentials.AccessKey))
            {
                throw new ArgumentException("The credentials have no access key id.", nameof(credentials));
            }

            if (string.IsNullOrEmpty(credentials.SecretKey))
            {
                throw new ArgumentException("The credentials have no secret access key.", nameof(credentials));
            }

            if (string.IsNullOrEmpty(request.Method))
            {
                throw new ArgumentException("The request has no HTTP method.", nameof(request));
            }

            if (request.Path is null || request.Query is null)
            {
                throw new ArgumentException("The request path and query must not be null.", nameof(request));
            }

            if (string.IsNullOrEmpty(request.PayloadSha256Hex))
            {
                throw new ArgumentException("The request has no payload hash.", nameof(request));
            }

            DateTime utc = utcNow.Kind == DateTimeKind.Local ? utcNow.ToUniversalTime() : DateTime.SpecifyKind(utcNow, DateTimeKind.Utc);
            string amzDate = utc.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
            string dateStamp = amzDate.Substring(0, 8);
            string? token = string.IsNullOrEmpty(credentials.Token) ? null : credentials.Token;

            var headersToSign = new List<KeyValuePair<string, string>>(request.Headers.Count + 3);
            foreach (KeyValuePair<string, string> header in request.Headers)
            {
                CheckRequestHeader(header, token is not null, options.AddContentSha256Header);
                headersToSign.Add(header);
            }

            headersToSign.Add(new KeyValuePair<string, string>(AmzDateHeader, amzDate));
            if (token is not null && !options.OmitSessionTokenFromSignature)
            {
                headersToSign.Add(new KeyValuePair<string, string>(SecurityTokenHeader, token));
            }

            if (options.AddContentSha256Header)
            {
                headersToSign.Add(new KeyValuePair<string, string>(ContentSha256Header, request.PayloadSha256Hex));
            }

            string canonicalHeaders = SigV4Canonicalizer.CanonicalHeaders(headersToSign, out string signedHeaders);
            string canonicalRequest = string.Concat(
                request.Method, "\n",
                SigV4Canonicalizer.CanonicalUri(request.Path, options.NormalizePath, options.DoubleUriEncode), "\n",
                SigV4Canonicalizer.CanonicalQuery(request.Query), "\n",
                canonicalHeaders, "\n",
                signedHeaders, "\n",
                request.PayloadSha256Hex);

            string scope = string.Concat(dateStamp, "/", Region, "/", Service, "/aws4_request");
            string stringToSign = string.Concat(
                Algorithm, "\n",
                amzDate, "\n",
                scope, "\n",
                Sha256Hex(Encoding.UTF8.GetBytes(canonicalRequest)));

            ReadOnlySpan<byte> signingKey = KeyCache.GetSigningKey(credentials.SecretKey, dateStamp, Region, Service);
            Span<byte> signatureBytes = stackalloc byte[HMACSHA256.HashSizeInBytes];
            HMACSHA256.HashData(signingKey, Encoding.UTF8.GetBytes(stringToSign), signatureBytes);
            string signature = SigV4Canonicalizer.ToLowerHex(signatureBytes);

            string authorization = string.Concat(
                Algorithm, " Credential=", credentials.AccessKey, "/", scope,
                ", SignedHeaders=", signedHeaders,
                ", Signature=", signature);

            var headersToAdd = new List<KeyValuePair<string, string>>(4)
            {
                new(AmzDateHeader, amzDate),
            };
            if (token is not null)
            {
                headersToAdd.Add(new KeyValuePair<string, string>(SecurityTokenHeader, token));
            }

            if (options.AddContentSha256Header)
            {
                headersToAdd.Add(new KeyValuePair<string, string>(ContentSha256Header, request.PayloadSha256Hex));
            }

            headersToAdd.Add(new KeyValuePair<string, string>(AuthorizationHeader, authorization));

            return new SigV4Signature(amzDate, canonicalRequest, stringToSign, signature, authorization, headersToAdd.AsReadOnly());
        }

        /// <summary>
        /// Computes the lower-case hex SHA-256 of some data, as used for the payload hash.
        /// </summary>
        /// <param name="data">The data to hash.</param>
        /// <returns>64 lower-case hex digits.</returns>
        public static string Sha256Hex(ReadOnlySpan<byte> data)
        {
            Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
            SHA256.HashData(data, hash);
            return SigV4Canonicalizer.ToLowerHex(hash);
        }

        /// <summary>
        /// Rejects a null header, and a header the signer is about to add itself (which would otherwise be sent
        /// twice and signed with both values).
        /// </summary>
        private static void CheckRequestHeader(KeyValuePair<string, string> header, bool addsToken, bool addsContentSha256)
        {
            if (string.IsNullOrEmpty(header.Key) || header.Value is null)
            {
                throw new ArgumentException("The request has a header with an empty name or a null value.", "request");
            }

            bool reserved =
                string.Equals(header.Key, AuthorizationHeader, StringComparison.OrdinalIgnoreCase) ||
                string.Equals(header.Key, AmzDateHeader, StringComparison.OrdinalIgnoreCase) ||
                (addsToken && string.Equals(header.Key, SecurityTokenHeader, StringComparison.OrdinalIgnoreCase)) ||
                (addsContentSha256 && string.Equals(header.Key, ContentSha256Header, StringComparison.OrdinalIgnoreCase));
            if (reserved)
            {
                throw new ArgumentException(
                    "The request already has a '" + header.Key + "' header, which the signer adds itself. " +
                    "Sign a request that does not contain it, then add SigV4Signature.HeadersToAdd.",
                    "request");
            }
        }
    }
}
