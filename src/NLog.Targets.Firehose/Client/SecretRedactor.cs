using System;
using System.Text.RegularExpressions;

namespace NLog.Targets.Firehose.Client
{
    /// <summary>
    /// Keeps secrets out of text that reaches logs and exceptions: service error messages (which can echo the
    /// canonical request, session token included) and AWS SDK messages (which can echo a line of a credentials file).
    /// </summary>
    internal static class SecretRedactor
    {
        /// <summary>What a removed secret is replaced with.</summary>
        public const string Mask = "***";

        private const string CanonicalStringMarker = "The Canonical String for this request should have been";

        // A credentials-file line, or the SDK's echo of one ("<aws_secret_access_key abc>", "aws_session_token = abc").
        private static readonly Regex SecretAssignment = new Regex(
            @"(aws_secret_access_key|aws_session_token|aws_security_token|secret_access_key|session_token)\s*[=:\s]\s*[^\s>'""]+",
            RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));

        // The SDK's echo of a line it could not parse in a credentials or config file: "Line 3:<...>".
        private static readonly Regex EchoedFileLine = new Regex(@"(Line\s+\d+\s*:\s*)<[^>]*>",
            RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));

        /// <summary>
        /// Removes <paramref name="secretKey"/> and <paramref name="sessionToken"/> wherever they appear, anything that
        /// looks like a credentials-file secret, and the canonical request a signature error may echo.
        /// </summary>
        public static string Redact(string? text, string? secretKey = null, string? sessionToken = null)
        {
            if (string.IsNullOrEmpty(text))
                return text ?? string.Empty;
            string result = text!;
            int canonical = result.IndexOf(CanonicalStringMarker, StringComparison.OrdinalIgnoreCase);
            if (canonical >= 0)
                result = result.Substring(0, canonical) + "[canonical request omitted]";
            if (!string.IsNullOrEmpty(sessionToken))
                result = result.Replace(sessionToken!, Mask, StringComparison.Ordinal);
            if (!string.IsNullOrEmpty(secretKey))
                result = result.Replace(secretKey!, Mask, StringComparison.Ordinal);
            try
            {
                result = EchoedFileLine.Replace(result, m => m.Groups[1].Value + "<line omitted>");
                result = SecretAssignment.Replace(result, m => m.Groups[1].Value + " " + Mask);
            }
            catch (RegexMatchTimeoutException)
            {
                result = "[message omitted: it could not be checked for secrets]";
            }
            return result;
        }
    }
}
