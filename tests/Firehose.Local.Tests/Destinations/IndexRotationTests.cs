using System;
using Firehose.Local.Destinations;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace Firehose.Local.Tests.Destinations
{
    /// <summary>Index names for each rotation period, on both sides of each period boundary (UTC).</summary>
    [TestClass]
    public sealed class IndexRotationTests
    {
        [TestMethod]
        [DataRow("NoRotation", "2026-01-01T00:00:00Z", "logs")]
        [DataRow("OneHour", "2026-01-01T00:59:59.999Z", "logs-2026-01-01-00")]
        [DataRow("OneHour", "2026-01-01T01:00:00Z", "logs-2026-01-01-01")]
        [DataRow("OneHour", "2025-12-31T23:59:59.999Z", "logs-2025-12-31-23")]
        [DataRow("OneDay", "2025-12-31T23:59:59.999Z", "logs-2025-12-31")]
        [DataRow("OneDay", "2026-01-01T00:00:00Z", "logs-2026-01-01")]
        [DataRow("OneMonth", "2026-01-31T23:59:59.999Z", "logs-2026-01")]
        [DataRow("OneMonth", "2026-02-01T00:00:00Z", "logs-2026-02")]
        // Weeks start on Sunday; week 1 holds 1 January (2026-01-01 is a Thursday, so week 1 is 2025-12-28..2026-01-03).
        [DataRow("OneWeek", "2026-01-10T23:59:59.999Z", "logs-2026-w02")]
        [DataRow("OneWeek", "2026-01-11T00:00:00Z", "logs-2026-w03")]
        [DataRow("OneWeek", "2025-12-27T23:59:59.999Z", "logs-2025-w52")]
        [DataRow("OneWeek", "2025-12-28T00:00:00Z", "logs-2026-w01")]
        [DataRow("OneWeek", "2026-01-03T23:59:59.999Z", "logs-2026-w01")]
        [DataRow("OneWeek", "2026-01-04T00:00:00Z", "logs-2026-w02")]
        // A year that starts on Sunday: 2023-01-01 opens week 1; the Saturday before ends 2022's last week.
        [DataRow("OneWeek", "2022-12-31T23:59:59.999Z", "logs-2022-w53")]
        [DataRow("OneWeek", "2023-01-01T00:00:00Z", "logs-2023-w01")]
        public void IndexName_AtPeriodBoundary_RotatedName(string period, string arrival, string expected)
        {
            Assert.AreEqual(expected, IndexRotation.IndexName("logs", period, DateTimeOffset.Parse(arrival, System.Globalization.CultureInfo.InvariantCulture)));
        }
    }
}
