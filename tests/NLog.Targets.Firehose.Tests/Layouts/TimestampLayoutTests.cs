using System;
using Microsoft.VisualStudio.TestTools.UnitTesting;
using NLog.Layouts;
using NLog.Targets.Firehose.Layouts;

namespace NLog.Targets.Firehose.Tests.Layouts
{
    /// <summary>The default layout's <c>@timestamp</c> writes the same text as the <c>${date}</c> layout it stands for.</summary>
    [TestClass]
    public class TimestampLayoutTests
    {
        private static readonly Layout NLogDate = Layout.FromString(TimestampLayout.NLogEquivalent);

        private static void AssertSameAsNLog(DateTime timestamp)
        {
            var logEvent = new LogEventInfo(LogLevel.Info, "l", "m") { TimeStamp = timestamp };
            Assert.AreEqual("\"" + NLogDate.Render(logEvent) + "\"", new TimestampLayout().Render(logEvent), "for " + timestamp.ToString("o"));
        }

        [TestMethod]
        public void Render_UtcTimes_SameTextAsNLogDate()
        {
            AssertSameAsNLog(new DateTime(2026, 12, 8, 3, 52, 29, 123, DateTimeKind.Utc));
            AssertSameAsNLog(new DateTime(2026, 1, 2, 0, 0, 0, DateTimeKind.Utc));
            AssertSameAsNLog(new DateTime(1999, 12, 31, 23, 59, 59, 999, DateTimeKind.Utc).AddTicks(9999));   // fraction truncated, not rounded
            AssertSameAsNLog(new DateTime(987, 6, 5, 4, 3, 2, 1, DateTimeKind.Utc));   // leading zeros
            AssertSameAsNLog(new DateTime(9999, 12, 31, 23, 59, 59, 999, DateTimeKind.Utc));
        }

        [TestMethod]
        public void Render_LocalAndUnspecifiedTimes_ConvertedToUtcLikeNLogDate()
        {
            AssertSameAsNLog(new DateTime(2026, 7, 1, 12, 30, 45, 678, DateTimeKind.Local));
            AssertSameAsNLog(new DateTime(2026, 3, 29, 2, 30, 0, DateTimeKind.Unspecified));
            AssertSameAsNLog(DateTime.Now);
        }

        [TestMethod]
        public void DefaultLayout_TimestampField_SameDocumentAsNLogJsonLayout()
        {
            var logEvent = new LogEventInfo(LogLevel.Info, "l", "m") { TimeStamp = new DateTime(2026, 12, 8, 3, 52, 29, 123, DateTimeKind.Local) };
            string fast = FirehoseJsonLayout.CreateJson("svc", fastTimestamp: true).Render(logEvent);
            string nlog = FirehoseJsonLayout.CreateJson("svc", fastTimestamp: false).Render(logEvent);
            Assert.AreEqual(nlog, fast);
        }
    }
}
