using System;
using System.Collections.Generic;
using System.IO;
using System.Net.Http;
using System.Net.Sockets;
using NLog.Targets.Firehose.Client;

namespace NLog.Targets.Firehose.Delivery
{
    /// <summary>
    /// The one place that decides what an error means: which codes are throttling, which are passing faults worth a
    /// retry, and which no retry can fix (those open the circuit breaker), with the advice logged for each.
    /// </summary>
    internal static class FailureClassifier
    {
        private static readonly HashSet<string> ThrottleCodes = new HashSet<string>(StringComparer.Ordinal)
        {
            "ServiceUnavailableException", "ThrottlingException", "Throttling", "ThrottledException",
            "RequestThrottledException", "ProvisionedThroughputExceededException", "LimitExceededException",
            "TooManyRequestsException", "SlowDown",
        };

        private static readonly HashSet<string> TransientCodes = new HashSet<string>(StringComparer.Ordinal)
        {
            "InternalFailure", "InternalFailureException", "InternalServerError", "InternalError", "ServiceFailure",
            "RequestTimeout", "RequestTimeoutException", "PriorRequestNotComplete",
            // The client corrects its clock and retries once by itself; if that still fails, retry later.
            "RequestExpired",
        };

        private static readonly Dictionary<string, string> FatalAdvice = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["AccessDeniedException"] = "grant firehose:PutRecordBatch on this delivery stream to the identity the application runs as",
            ["AccessDenied"] = "grant firehose:PutRecordBatch on this delivery stream to the identity the application runs as",
            ["UnrecognizedClientException"] = "the access key id is not known to AWS: check AccessKey, the profile or the role",
            ["InvalidClientTokenId"] = "the access key id is not known to AWS: check AccessKey, the profile or the role",
            ["InvalidSignatureException"] = "the signature was refused: check that SecretKey belongs to AccessKey, and that the machine's clock is right",
            ["SignatureDoesNotMatch"] = "the signature was refused: check that SecretKey belongs to AccessKey",
            ["IncompleteSignature"] = "the signature was refused as incomplete: check the credentials",
            ["MissingAuthenticationToken"] = "no credentials were sent: check the credential settings",
            ["ResourceNotFoundException"] = "the delivery stream does not exist in this account and region: check DeliveryStreamName and Region",
            ["InvalidArgumentException"] = "the service refused the request as invalid: check DeliveryStreamName",
            ["ValidationException"] = "the service refused the request as invalid: check DeliveryStreamName",
            ["InvalidSourceException"] = "the stream does not accept direct puts: use a Direct PUT delivery stream",
            ["InvalidKMSResourceException"] = "the stream's KMS key is disabled, missing or not usable by Firehose: fix the key or the stream's encryption settings",
            // The client already refreshed the credentials and retried once: the source keeps handing out expired ones.
            ["ExpiredTokenException"] = "the credentials have expired and refreshing them did not help: renew the SessionToken, or use a source that refreshes (a profile, SSO after 'aws sso login', a role)",
            ["ExpiredToken"] = "the credentials have expired and refreshing them did not help: renew the SessionToken, or use a source that refreshes (a profile, SSO after 'aws sso login', a role)",
            ["NoCredentials"] = "set AccessKey/SecretKey, Profile, or the AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_PROFILE environment variables, or run with an IAM role",
        };

        /// <summary>Classifies a failed call, giving the error code to report.</summary>
        public static FailureKind Classify(Exception exception, out string code)
        {
            switch (exception)
            {
                case FirehoseServiceException service:
                    code = service.ErrorCode;
                    if (ThrottleCodes.Contains(code) || service.StatusCode == 429)
                        return FailureKind.Throttled;
                    if (TransientCodes.Contains(code) || service.StatusCode >= 500)
                        return FailureKind.Transient;
                    if (FatalAdvice.ContainsKey(code) || code.StartsWith("KMS", StringComparison.Ordinal))
                        return FailureKind.Fatal;
                    // An unknown refusal: a 4xx will not change by retrying; anything else may.
                    return service.StatusCode >= 400 && service.StatusCode < 500 ? FailureKind.Fatal : FailureKind.Transient;
                case NoCredentialsException:
                    code = "NoCredentials";
                    return FailureKind.Fatal;
                case TimeoutException:
                    code = "Timeout";
                    return FailureKind.Transient;
                case HttpRequestException http:
#if NET
                    code = http.HttpRequestError == HttpRequestError.Unknown ? "HttpRequestException" : http.HttpRequestError.ToString();
#else
                    code = Polyfills.HttpRequestErrors.NameOf(http) ?? "HttpRequestException";
#endif
                    return FailureKind.Transient;
                case InvalidDataException:
                    code = "MalformedResponse";
                    return FailureKind.Transient;
                case IOException or SocketException:
                    code = exception.GetType().Name;
                    return FailureKind.Transient;
                default:
                    code = exception.GetType().Name;
                    return FailureKind.Transient;
            }
        }

        /// <summary>Classifies a per-record <c>ErrorCode</c> from a PutRecordBatch answer: throttled, else worth a retry.</summary>
        public static FailureKind ClassifyRecord(string errorCode)
            => ThrottleCodes.Contains(errorCode) ? FailureKind.Throttled : FailureKind.Transient;

        /// <summary>What to do about a fatal error code.</summary>
        public static string AdviceFor(string code)
        {
            if (FatalAdvice.TryGetValue(code, out string? advice))
                return advice;
            if (code.StartsWith("KMS", StringComparison.Ordinal))
                return FatalAdvice["InvalidKMSResourceException"];
            return "the service refused the call; retrying cannot fix it";
        }
    }
}
