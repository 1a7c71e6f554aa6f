using System;
using Microsoft.VisualStudio.TestTools.UnitTesting;
using NLog.Layouts;
using NLog.Targets.Firehose.Layouts;

namespace NLog.Targets.Firehose.Tests.Layouts
{
    /// <summary>
    /// The default layout's own field writers (<c>@timestamp</c>, <c>log.level</c>, the fixed host and process fields) write
    /// the same text as the NLog layout renderers they stand for.
    /// </summary>
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
        public void DefaultLayout_FastFields_SameDocumentAsNLogLayoutRenderersForEveryLevel()
        {
            JsonLayout fast = FirehoseJsonLayout.CreateJson("svc", fastFields: true);
            JsonLayout nlog = FirehoseJsonLayout.CreateJson("svc", fastFields: false);
            foreach (LogLevel level in LogLevel.AllLevels)
            {
                var logEvent = new LogEventInfo(level, "l", null, "m {A}", new object[] { 1 }) { TimeStamp = new DateTime(2026, 12, 8, 3, 52, 29, 123, DateTimeKind.Local) };
                string expected = nlog.Render(logEvent);
                Assert.AreEqual(expected, fast.Render(logEvent));
                StringAssert.Contains(expected, "\"host.name\":");
                StringAssert.Contains(expected, "\"process.pid\":" + Environment.ProcessId);
            }
        }
    }
}
