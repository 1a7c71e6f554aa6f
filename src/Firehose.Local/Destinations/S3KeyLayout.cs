using System;
using System.Globalization;

namespace Firehose.Local.Destinations
{
    /// <summary>
    /// Firehose's default S3 object key: <c>{prefix}YYYY/MM/dd/HH/{stream}-{version}-YYYY-MM-dd-HH-mm-ss-{uuid}</c>,
    /// in UTC, from the arrival time of the oldest record in the object.
    /// </summary>
    internal static class S3KeyLayout
    {
        public static string Key(string? prefix, string stream, string versionId, DateTimeOffset time, Guid id)
        {
            DateTime utc = time.UtcDateTime;
            return string.Concat(
                prefix ?? string.Empty,
                utc.ToString("yyyy'/'MM'/'dd'/'HH'/'", CultureInfo.InvariantCulture),
                stream, "-", versionId, "-",
                utc.ToString("yyyy-MM-dd-HH-mm-ss", CultureInfo.InvariantCulture), "-",
                id.ToString("D"));
        }
    }
}
