using System;
using System.Diagnostics.CodeAnalysis;
using Amazon.Runtime.Internal.Endpoints.StandardLibrary;

namespace NLog.Targets.Firehose.Client
{
    /// <summary>
    /// Resolves the Amazon Data Firehose endpoint for a region, following the service's endpoint rule set
    /// (<c>endpoint-rule-set-1.json</c> / the <c>smithy.rules#endpointRuleSet</c> trait of the 2015-08-04 model).
    /// </summary>
    /// <remarks>
    /// <para>
    /// The rule set's <c>Endpoint</c> (custom endpoint) parameter is not handled here; the target's <c>ServiceUrl</c>
    /// option takes that role and bypasses this resolver.
    /// </para>
    /// <para>
    /// Partition data comes from AWSSDK.Core's <see cref="Fn.Partition(string)"/>, the same <c>aws.partition</c>
    /// implementation that the generated endpoint providers of the AWS SDK for .NET call. It is backed by the
    /// <c>partitions.json</c> embedded in AWSSDK.Core (regions listed explicitly, then each partition's
    /// <c>regionRegex</c>, then the <c>aws</c> partition as the default), so it stays current with the SDK package
    /// instead of with a hand-copied table. The AWSSDK.Core version referenced here agrees with botocore's 2026-01
    /// <c>partitions.json</c>, including <c>supportsDualStack = true</c> for the ISO partitions.
    /// </para>
    /// <para>
    /// The rule set has no special case for GovCloud (<c>aws-us-gov</c>): FIPS there uses the generic
    /// <c>https://firehose-fips.{Region}.{dnsSuffix}</c> template like every other partition.
    /// </para>
    /// </remarks>
    internal static class FirehoseEndpointResolver
    {
        /// <summary>The rule set's error when no region is configured.</summary>
        internal const string MissingRegionError = "Invalid Configuration: Missing Region";

        /// <summary>The rule set's error when FIPS and DualStack are both requested but the partition lacks one of them.</summary>
        internal const string FipsAndDualStackNotSupportedError =
            "FIPS and DualStack are enabled, but this partition does not support one or both";

        /// <summary>The rule set's error when FIPS is requested but the partition lacks FIPS.</summary>
        internal const string FipsNotSupportedError = "FIPS is enabled but this partition does not support FIPS";

        /// <summary>The rule set's error when DualStack is requested but the partition lacks DualStack.</summary>
        internal const string DualStackNotSupportedError =
            "DualStack is enabled but this partition does not support DualStack";

        /// <summary>
        /// Resolves the Firehose endpoint for a region per the service's endpoint rules.
        /// </summary>
        /// <param name="region">The AWS region code, for example <c>us-east-1</c>.</param>
        /// <param name="useFips">Whether to use the FIPS endpoint (the rules' <c>UseFIPS</c>).</param>
        /// <param name="useDualStack">Whether to use the dual-stack endpoint (the rules' <c>UseDualStack</c>).</param>
        /// <returns>The endpoint, for example <c>https://firehose.us-east-1.amazonaws.com/</c>.</returns>
        /// <exception cref="ArgumentException">
        /// The region is missing or invalid, or the region's partition does not support the requested FIPS/DualStack
        /// combination. The message is the rule set's error text.
        /// </exception>
        public static Uri Resolve(string region, bool useFips = false, bool useDualStack = false)
        {
            if (TryResolve(region, useFips, useDualStack, out var endpoint, out var error))
            {
                return endpoint;
            }

            throw new ArgumentException(error, nameof(region));
        }

        /// <summary>
        /// Resolves the Firehose endpoint for a region per the service's endpoint rules, reporting failure as the rule
        /// set's error message instead of throwing.
        /// </summary>
        /// <param name="region">The AWS region code; <see langword="null"/>, empty or blank counts as missing.</param>
        /// <param name="useFips">Whether to use the FIPS endpoint (the rules' <c>UseFIPS</c>).</param>
        /// <param name="useDualStack">Whether to use the dual-stack endpoint (the rules' <c>UseDualStack</c>).</param>
        /// <param name="endpoint">The resolved endpoint when the method returns <see langword="true"/>.</param>
        /// <param name="error">The error message when the method returns <see langword="false"/>.</param>
        /// <returns><see langword="true"/> when an endpoint was resolved.</returns>
        public static bool TryResolve(
            string? region,
            bool useFips,
            bool useDualStack,
            [NotNullWhen(true)] out Uri? endpoint,
            [NotNullWhen(false)] out string? error)
        {
            endpoint = null;

            // Rule: isSet(Region), else "Invalid Configuration: Missing Region". The rules would treat "" as set and
            // then build "https://firehose..amazonaws.com"; an empty or blank value from configuration is far more
            // likely an unset layout, so it is reported as missing.
            if (string.IsNullOrWhiteSpace(region))
            {
                error = MissingRegionError;
                return false;
            }

            // Not part of Firehose's rule set: the rules interpolate Region into the host unchecked, so a value such as
            // "us-east-1/x" or "evil.example#" would yield a different host or a malformed URI. Like the other AWS SDKs
            // (e.g. JS v3's checkRegion, which applies the rules engine's isValidHostLabel(Region, false)), the region
            // is checked to be a single RFC 1123 host label first. The check is done here rather than with AWSSDK.Core's
            // Fn.IsValidHostLabel, which accepts non-ASCII letters ("üs-east-1" passes and would become a punycode host),
            // and it also requires lower case: the partitions' regionRegex values are lower case, so "CN-NORTH-1" would
            // silently fall through to the aws partition (amazonaws.com), and SigV4 scopes use the region verbatim.
            if (!IsLowerCaseHostLabel(region!))   // not null: IsNullOrWhiteSpace above (netstandard2.0 does not annotate it)
            {
                error = "Invalid Configuration: Region '" + region +
                        "' is not a valid AWS region code; expected a lower-case host label such as 'us-east-1'";
                return false;
            }

            // Rule: aws.partition(Region) -> PartitionResult. It never fails for a non-null region: unknown regions
            // fall back to the aws partition, as the rules' partition function specifies.
            Partition partition = Fn.Partition(region);

            string url;
            if (useFips && useDualStack)
            {
                if (!partition.supportsFIPS || !partition.supportsDualStack)
                {
                    error = FipsAndDualStackNotSupportedError;
                    return false;
                }

                url = "https://firehose-fips." + region + "." + partition.dualStackDnsSuffix;
            }
            else if (useFips)
            {
                if (!partition.supportsFIPS)
                {
                    error = FipsNotSupportedError;
                    return false;
                }

                url = "https://firehose-fips." + region + "." + partition.dnsSuffix;
            }
            else if (useDualStack)
            {
                if (!partition.supportsDualStack)
                {
                    error = DualStackNotSupportedError;
                    return false;
                }

                url = "https://firehose." + region + "." + partition.dualStackDnsSuffix;
            }
            else
            {
                url = "https://firehose." + region + "." + partition.dnsSuffix;
            }

            if (!Uri.TryCreate(url, UriKind.Absolute, out endpoint))
            {
                error = "Invalid Configuration: the endpoint '" + url + "' resolved for region '" + region +
                        "' is not a valid URI";
                return false;
            }

            error = null;
            return true;
        }

        /// <summary>
        /// Whether <paramref name="value"/> is one RFC 1123 host label in lower-case ASCII: 1 to 63 characters of
        /// <c>a-z</c>, <c>0-9</c> and <c>-</c>, starting and ending with a letter or digit.
        /// </summary>
        internal static bool IsLowerCaseHostLabel(string value)
        {
            if (value.Length is < 1 or > 63 || value[0] == '-' || value[value.Length - 1] == '-')
            {
                return false;
            }

            foreach (char c in value)
            {
                if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'))
                {
                    return false;
                }
            }

            return true;
        }
    }
}
