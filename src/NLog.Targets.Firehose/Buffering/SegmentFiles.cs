using System;
using System.Globalization;

namespace NLog.Targets.Firehose.Buffering
{
    /// <summary>
    /// Names of the files of one segment. A segment's base name is
    /// <c>yyyyMMddTHHmmssfffffffZ-sequence-writer</c>: a UTC creation time to the 100 ns, the writer's own sequence number
    /// (8 digits) and the writer's id (process id and a random part), so names sort oldest first and two writers never
    /// pick the same one. Beside <c>base.seg</c> (the frames) live <c>base.lock</c> (held open exclusively by whoever
    /// writes or replays the segment), <c>base.ack</c> (which frames are acknowledged) and <c>base.ack.tmp</c> (the next
    /// ack file while it is written).
    /// </summary>
    internal static class SegmentFiles
    {
        /// <summary>The extension of a segment's frames.</summary>
        public const string SegmentExtension = ".seg";

        /// <summary>The extension of a segment's lock file.</summary>
        public const string LockExtension = ".lock";

        /// <summary>The extension of a segment's acknowledgement file.</summary>
        public const string AckExtension = ".ack";

        /// <summary>The extension of an acknowledgement file being written.</summary>
        public const string AckTempExtension = ".ack.tmp";

        /// <summary>The search pattern that lists segment files.</summary>
        public const string SegmentPattern = "*" + SegmentExtension;

        /// <summary>The creation time at the start of a base name, to the 100 ns.</summary>
        private const string TimeFormat = "yyyyMMdd'T'HHmmssfffffff'Z'";

        /// <summary>The length of <see cref="TimeFormat"/>'s output.</summary>
        private const int TimeLength = 23;

        /// <summary>A base name for a new segment created at <paramref name="utc"/>.</summary>
        public static string BaseName(DateTime utc, long sequence, string writerId) =>
            utc.ToString(TimeFormat, CultureInfo.InvariantCulture) + "-" + sequence.ToString("D8", CultureInfo.InvariantCulture) + "-" + writerId;

        /// <summary>The creation time in a base name that <see cref="IsBaseName"/> accepted, or null if it is no valid time.</summary>
        public static DateTime? TimeOf(string baseName) =>
            DateTime.TryParseExact(baseName.Substring(0, TimeLength), TimeFormat, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out DateTime time)
                ? time
                : null;

        /// <summary>Whether <paramref name="baseName"/> (a file name without its extension) is a segment's base name.</summary>
        public static bool IsBaseName(string baseName)
        {
            // yyyyMMdd T HHmmssfffffff Z - 8 digits - writer id
            if (baseName.Length < TimeLength + 1 + 8 + 2 || baseName[8] != 'T' || baseName[22] != 'Z' || baseName[23] != '-' || baseName[32] != '-')
                return false;
            for (int i = 0; i < 32; i++)
            {
                if (i != 8 && i != 22 && i != 23 && (baseName[i] < '0' || baseName[i] > '9'))
                    return false;
            }
            for (int i = 33; i < baseName.Length; i++)
            {
                char c = baseName[i];
                if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || c == '-'))
                    return false;
            }
            return true;
        }

        /// <summary>
        /// The base name of a segment's file (any of its four kinds), or null when <paramref name="fileName"/> is not
        /// one.
        /// </summary>
        public static string? BaseNameOf(string fileName)
        {
            foreach (string extension in new[] { AckTempExtension, SegmentExtension, LockExtension, AckExtension })
            {
                if (fileName.EndsWith(extension, StringComparison.Ordinal))
                {
                    string baseName = fileName.Substring(0, fileName.Length - extension.Length);
                    return IsBaseName(baseName) ? baseName : null;
                }
            }
            return null;
        }
    }
}
