using System;
using System.Globalization;

namespace Firehose.Local.Destinations
{
    /// <summary>
    /// Firehose's index rotation: the UTC arrival time of a record, cut to the rotation period, appended to the index
    /// name. NoRotation <c>name</c>, OneHour <c>name-YYYY-MM-DD-HH</c>, OneDay <c>name-YYYY-MM-DD</c>,
    /// OneWeek <c>name-YYYY-wWW</c>, OneMonth <c>name-YYYY-MM</c>.
    /// </summary>
    /// <remarks>
    /// Weeks follow the rule the Firehose developer guide states for OneWeek ("Configure index rotation for OpenSearch
    /// Service"): US conventions, a week starts on Sunday and the first week of the year is the first week that contains
    /// a Saturday of that year — that is, the week holding 1 January. The year is the week's year, so the days of that
    /// week that fall in late December belong to week 01 of the next year (as Java's <c>YYYY-'w'ww</c> with
    /// <c>WeekFields.of(Locale.US)</c>). The guide's own example in that page (2016-02-25 → <c>w08</c>) follows ISO weeks
    /// instead and contradicts the stated rule; this implementation follows the rule.
    /// </remarks>
    internal static class IndexRotation
    {
        public const string NoRotation = "NoRotation";
        public const string OneHour = "OneHour";
        public const string OneDay = "OneDay";
        public const string OneWeek = "OneWeek";
        public const string OneMonth = "OneMonth";

        public static bool IsValid(string period) => period is NoRotation or OneHour or OneDay or OneWeek or OneMonth;

        public static string IndexName(string indexName, string period, DateTimeOffset arrival)
        {
            DateTime utc = arrival.UtcDateTime;
            return period switch
            {
                NoRotation => indexName,
                OneHour => indexName + "-" + utc.ToString("yyyy-MM-dd-HH", CultureInfo.InvariantCulture),
                OneDay => indexName + "-" + utc.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
                OneWeek => indexName + "-" + UsWeek(utc),
                OneMonth => indexName + "-" + utc.ToString("yyyy-MM", CultureInfo.InvariantCulture),
                _ => throw new ArgumentOutOfRangeException(nameof(period), period, "unknown rotation period"),
            };
        }

        /// <summary><c>YYYY-wWW</c> for US weeks (Sunday first; week 1 holds 1 January).</summary>
        public static string UsWeek(DateTime date)
        {
            DateTime day = date.Date;
            // The week's year: a week that holds 1 January of the next year belongs to that year.
            DateTime sunday = day.AddDays(-(int)day.DayOfWeek);
            DateTime saturday = sunday.AddDays(6);
            int year = saturday.Year;
            var jan1 = new DateTime(year, 1, 1, 0, 0, 0, DateTimeKind.Unspecified);
            DateTime firstSunday = jan1.AddDays(-(int)jan1.DayOfWeek);
            int week = (int)((sunday - firstSunday).TotalDays / 7) + 1;
            return year.ToString("D4", CultureInfo.InvariantCulture) + "-w" + week.ToString("D2", CultureInfo.InvariantCulture);
        }
    }
}
