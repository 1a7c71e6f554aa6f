using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using Amazon.Runtime;
using Microsoft.AspNetCore.Http;
using NLog.Targets.Firehose.Client;

namespace Firehose.Local.Protocol
{
    /// <summary>
    /// Verifies AWS Signature Version 4 (Authorization header) by recomputing the signature of the received request
    /// with the configured credentials, and answers like AWS when it does not match.
    /// </summary>
    internal sealed class SignatureVerifier
    {
        private const string Algorithm = "AWS4-HMAC-SHA256";
        private const string Service = "firehose";
        private readonly string _accessKey;
        private readonly string _secretKey;
        private readonly string _region;
        private readonly TimeSpan _maxSkew;
        private readonly SigV4Signer _signer;

        public SignatureVerifier(string accessKey, string secretKey, string region, TimeSpan maxSkew)
        {
            _accessKey = accessKey;
            _secretKey = secretKey;
            _region = region;
            _maxSkew = maxSkew;
            _signer = new SigV4Signer(region, Service);
        }

        /// <summary>Null when the signature is valid; otherwise the error to answer with.</summary>
        public ServiceException? Verify(string method, string rawTarget, IHeaderDictionary headers, ReadOnlySpan<byte> body, DateTime utcNow)
        {
            string authorization = headers.Authorization.ToString();
            if (authorization.Length == 0)
                return new ServiceException(400, ErrorTypes.MissingAuthenticationToken, "Missing Authentication Token");
            if (!authorization.StartsWith(Algorithm + " ", StringComparison.Ordinal))
                return new ServiceException(400, ErrorTypes.IncompleteSignature, "Authorization header requires the AWS4-HMAC-SHA256 algorithm.");

            var parts = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (string part in authorization.Substring(Algorithm.Length + 1).Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            {
                int eq = part.IndexOf('=', StringComparison.Ordinal);
                if (eq > 0)
                    parts[part.Substring(0, eq)] = part.Substring(eq + 1);
            }
            if (!parts.TryGetValue("Credential", out string? credential) || !parts.TryGetValue("SignedHeaders", out string? signedHeaderList) || !parts.TryGetValue("Signature", out string? signature))
                return new ServiceException(400, ErrorTypes.IncompleteSignature, "Authorization header requires 'Credential', 'SignedHeaders' and 'Signature' parameters. Authorization=" + authorization);

            string[] scope = credential.Split('/');
            if (scope.Length != 5 || scope[4] != "aws4_request")
                return new ServiceException(400, ErrorTypes.IncompleteSignature, "Credential should have the form <access key>/<date>/<region>/<service>/aws4_request.");
            if (!string.Equals(scope[0], _accessKey, StringComparison.Ordinal))
                return new ServiceException(400, ErrorTypes.UnrecognizedClient, "The security token included in the request is invalid.");
            if (scope[2] != _region)
                return new ServiceException(400, ErrorTypes.InvalidSignature, $"Credential should be scoped to a valid region, not '{scope[2]}'. ");
            if (scope[3] != Service)
                return new ServiceException(400, ErrorTypes.InvalidSignature, $"Credential should be scoped to correct service: '{Service}'. ");

            string amzDate = headers["X-Amz-Date"].ToString();
            if (!DateTime.TryParseExact(amzDate, "yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out DateTime signedAt))
                return new ServiceException(400, ErrorTypes.IncompleteSignature, "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.");
            if (scope[1] != signedAt.ToString("yyyyMMdd", CultureInfo.InvariantCulture))
                return new ServiceException(400, ErrorTypes.InvalidSignature, $"Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '{scope[1]}' != '{amzDate.Substring(0, 8)}'");
            if ((utcNow - signedAt).Duration() > _maxSkew)
            {
                string now = utcNow.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
                return new ServiceException(400, ErrorTypes.InvalidSignature, $"Signature expired: {amzDate} is now earlier or later than {now} (+/- {_maxSkew.TotalMinutes.ToString(CultureInfo.InvariantCulture)} min.)");
            }

            string[] signedHeaders = signedHeaderList.Split(';');
            if (!signedHeaders.Contains("host"))
                return new ServiceException(400, ErrorTypes.InvalidSignature, "'Host' must be a 'SignedHeader' in the AWS Authorization.");

            int q = rawTarget.IndexOf('?', StringComparison.Ordinal);
            var request = new SigV4Request
            {
                Method = method,
                Path = q < 0 ? rawTarget : rawTarget.Substring(0, q),
                Query = q < 0 ? string.Empty : rawTarget.Substring(q + 1),
                PayloadSha256Hex = SigV4Signer.Sha256Hex(body),
            };
            foreach (string name in signedHeaders)
            {
                if (name is "x-amz-date" or "x-amz-security-token")
                    continue;   // the signer adds these itself
                if (!headers.TryGetValue(name, out var value))
                    return new ServiceException(400, ErrorTypes.InvalidSignature, "The request signature we calculated does not match the signature you provided: signed header missing from the request: " + name);
                request.Headers.Add(new KeyValuePair<string, string>(name, string.Join(',', value.ToArray())));
            }
            string? token = headers["X-Amz-Security-Token"].ToString() is { Length: > 0 } t ? t : null;
            var options = new SigV4SigningOptions { OmitSessionTokenFromSignature = token != null && !signedHeaders.Contains("x-amz-security-token") };
            string expected;
            try
            {
                expected = _signer.Sign(request, new ImmutableCredentials(_accessKey, _secretKey, token), signedAt, options).Signature;
            }
            catch (ArgumentException ex)
            {
                return new ServiceException(400, ErrorTypes.IncompleteSignature, ex.Message);
            }
            if (!string.Equals(expected, signature, StringComparison.Ordinal))
                return new ServiceException(400, ErrorTypes.InvalidSignature, "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.");
            return null;
        }
    }
}
