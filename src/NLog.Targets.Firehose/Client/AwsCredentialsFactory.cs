using System;
using Amazon.Runtime;
using Amazon.Runtime.CredentialManagement;

namespace NLog.Targets.Firehose.Client
{
    /// <summary>
    /// Picks where credentials come from, using AWSSDK.Core: explicit keys, a named profile, or the SDK's default
    /// chain (environment variables, shared profile, SSO, web identity, ECS/EC2 metadata). Never puts a secret in a
    /// message.
    /// </summary>
    internal static class AwsCredentialsFactory
    {
        /// <summary>
        /// Chooses the credentials source. Returns null and an <paramref name="error"/> that says what to fix when the
        /// settings do not make sense (one key without the other, a profile that does not exist).
        /// </summary>
        public static AWSCredentials? Create(string? accessKey, string? secretKey, string? sessionToken, string? profile, string? profilesLocation, out string? error, out string description)
        {
            error = null;
            bool hasAccess = !string.IsNullOrEmpty(accessKey);
            bool hasSecret = !string.IsNullOrEmpty(secretKey);
            if (hasAccess || hasSecret || !string.IsNullOrEmpty(sessionToken))
            {
                if (!hasAccess || !hasSecret)
                {
                    error = "AccessKey and SecretKey must be set together (SessionToken needs both): set both, or neither to use a profile or the AWS default credential chain";
                    description = "explicit keys (incomplete)";
                    return null;
                }
                description = "explicit AccessKey/SecretKey" + (string.IsNullOrEmpty(sessionToken) ? string.Empty : " with SessionToken");
                return string.IsNullOrEmpty(sessionToken)
                    ? new BasicAWSCredentials(accessKey, secretKey)
                    : (AWSCredentials)new SessionAWSCredentials(accessKey, secretKey, sessionToken);
            }

            if (!string.IsNullOrEmpty(profile))
            {
                description = "profile '" + profile + "'";
                var chain = string.IsNullOrEmpty(profilesLocation) ? new CredentialProfileStoreChain() : new CredentialProfileStoreChain(profilesLocation);
                try
                {
                    if (chain.TryGetAWSCredentials(profile, out AWSCredentials credentials))
                        return credentials;
                }
                catch (Exception ex) when (ex is not OutOfMemoryException)
                {
                    error = $"AWS profile '{profile}' could not be read{Where(profilesLocation)}: {ex.GetType().Name}: {SecretRedactor.Redact(ex.Message)}";
                    return null;
                }
                error = $"AWS profile '{profile}' was not found{Where(profilesLocation)}: check Profile and ProfilesLocation, or the AWS_CONFIG_FILE / AWS_SHARED_CREDENTIALS_FILE environment variables";
                return null;
            }

            description = "the AWS default credential chain";
            return new DefaultChainCredentials();
        }

        /// <summary>The region a named profile sets, or null.</summary>
        public static string? ProfileRegion(string? profile, string? profilesLocation)
        {
            if (string.IsNullOrEmpty(profile))
                return null;
            try
            {
                var chain = string.IsNullOrEmpty(profilesLocation) ? new CredentialProfileStoreChain() : new CredentialProfileStoreChain(profilesLocation);
                return chain.TryGetProfile(profile, out CredentialProfile p) ? p.Region?.SystemName : null;
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                return null;
            }
        }

        private static string Where(string? profilesLocation) => string.IsNullOrEmpty(profilesLocation) ? string.Empty : $" in '{profilesLocation}'";
    }
}
