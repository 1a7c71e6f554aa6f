using System.Globalization;
using System.Text.RegularExpressions;

namespace Firehose.Local.Protocol
{
    /// <summary>The model's constraints (service-2.json), checked as the service does, with its validation messages.</summary>
    internal static partial class Validate
    {
        public static void StreamName(string? name, string member = "deliveryStreamName")
        {
            if (name is null)
                throw ServiceException.Validation("null", member, "Member must not be null");
            if (name.Length is < 1 or > 64)
                throw ServiceException.Validation(name, member, name.Length < 1 ? "Member must have length greater than or equal to 1" : "Member must have length less than or equal to 64");
            if (!StreamNamePattern().IsMatch(name))
                throw ServiceException.Validation(name, member, "Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+");
        }

        public static void Pattern(string? value, string member, Regex pattern, string patternText, int min, int max, bool required)
        {
            if (value is null)
            {
                if (required)
                    throw ServiceException.Validation("null", member, "Member must not be null");
                return;
            }
            if (value.Length < min)
                throw ServiceException.Validation(value, member, "Member must have length greater than or equal to " + min.ToString(CultureInfo.InvariantCulture));
            if (value.Length > max)
                throw ServiceException.Validation(value, member, "Member must have length less than or equal to " + max.ToString(CultureInfo.InvariantCulture));
            if (!pattern.IsMatch(value))
                throw ServiceException.Validation(value, member, "Member must satisfy regular expression pattern: " + patternText);
        }

        public static int Range(int? value, string member, int min, int max, int defaultValue)
        {
            if (value is null)
                return defaultValue;
            if (value < min)
                throw ServiceException.Validation(value.Value.ToString(CultureInfo.InvariantCulture), member, "Member must have value greater than or equal to " + min.ToString(CultureInfo.InvariantCulture));
            if (value > max)
                throw ServiceException.Validation(value.Value.ToString(CultureInfo.InvariantCulture), member, "Member must have value less than or equal to " + max.ToString(CultureInfo.InvariantCulture));
            return value.Value;
        }

        [GeneratedRegex("^[a-zA-Z0-9_.-]+$")]
        private static partial Regex StreamNamePattern();

        [GeneratedRegex(@"^arn:.*:s3:::[\w\.\-]{1,255}$")]
        public static partial Regex BucketArn();

        [GeneratedRegex(@"^arn:.*:iam::\d{12}:role/[a-zA-Z_0-9+=,.@\-_/]+$")]
        public static partial Regex RoleArn();

        [GeneratedRegex(@"^arn:.*:es:[a-zA-Z0-9\-]+:\d{12}:domain/[a-z][-0-9a-z]{2,27}$")]
        public static partial Regex DomainArn();

        [GeneratedRegex(@"^https?:.*$")]
        public static partial Regex ClusterEndpoint();

        [GeneratedRegex(@"^[\s\S]*$")]
        public static partial Regex Anything();
    }
}
