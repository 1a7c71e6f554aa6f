using System;
using System.IO;
using System.Text.Json;
using Amazon.Runtime;
using NLog.Targets.Firehose.Client;

namespace NLog.Targets.Firehose.Tests.Client
{
    /// <summary>
    /// The signing configuration of one SigV4 suite case, read from its <c>context.json</c>.
    /// </summary>
    internal sealed class SigV4SuiteContext
    {
        private SigV4SuiteContext(ImmutableCredentials credentials, string region, string service, DateTime timestamp, SigV4SigningOptions options)
        {
            Credentials = credentials;
            Region = region;
            Service = service;
            Timestamp = timestamp;
            Options = options;
        }

        /// <summary>The credentials (with the session token when the case has one).</summary>
        public ImmutableCredentials Credentials { get; }

        /// <summary>The scope region.</summary>
        public string Region { get; }

        /// <summary>The scope service.</summary>
        public string Service { get; }

        /// <summary>The signing time (UTC).</summary>
        public DateTime Timestamp { get; }

        /// <summary>
        /// The options from the flags <c>normalize</c>, <c>double_uri_encode</c> (default true),
        /// <c>omit_session_token</c> (default false) and <c>sign_body</c>.
        /// </summary>
        public SigV4SigningOptions Options { get; }

        /// <summary>Reads a <c>context.json</c> file.</summary>
        /// <param name="path">The file.</param>
        /// <returns>The parsed context.</returns>
        public static SigV4SuiteContext Load(string path)
        {
            using JsonDocument document = JsonDocument.Parse(File.ReadAllBytes(path));
            JsonElement root = document.RootElement;
            JsonElement credentials = root.GetProperty("credentials");
            string? token = credentials.TryGetProperty("token", out JsonElement tokenElement) ? tokenElement.GetString() : null;

            var options = new SigV4SigningOptions
            {
                NormalizePath = root.GetProperty("normalize").GetBoolean(),
                DoubleUriEncode = !root.TryGetProperty("double_uri_encode", out JsonElement doubleEncode) || doubleEncode.GetBoolean(),
                OmitSessionTokenFromSignature = root.TryGetProperty("omit_session_token", out JsonElement omit) && omit.GetBoolean(),
                AddContentSha256Header = root.GetProperty("sign_body").GetBoolean(),
            };

            return new SigV4SuiteContext(
                new ImmutableCredentials(
                    credentials.GetProperty("access_key_id").GetString(),
                    credentials.GetProperty("secret_access_key").GetString(),
                    token),
                root.GetProperty("region").GetString()!,
                root.GetProperty("service").GetString()!,
                root.GetProperty("timestamp").GetDateTimeOffset().UtcDateTime,
                options);
        }
    }
}
