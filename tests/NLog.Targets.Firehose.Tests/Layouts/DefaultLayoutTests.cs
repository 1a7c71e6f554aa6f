using System;
using System.Globalization;
using System.Linq;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.VisualStudio.TestTools.UnitTesting;
using NLog.Targets.Firehose.Tests.Infrastructure;

namespace NLog.Targets.Firehose.Tests.Layouts
{
    /// <summary>The default layout: one line of Kibana-ready JSON per event, with the fields the README lists.</summary>
    [TestClass]
    public class DefaultLayoutTests
    {
        private static JsonElement SendOne(Action<Logger> log, Action<FirehoseTarget>? configure = null)
        {
            using var h = TargetHarness.Create(configure);
            log(h.LogFactory.GetLogger("Orders.Checkout"));
            h.Flush();
            byte[] record = h.SentRecords.Single();
            Assert.AreEqual((byte)'\n', record[^1], "a record ends with the delimiter");
            Assert.AreEqual(-1, Array.IndexOf(record, (byte)'\n', 0, record.Length - 1), "one record is one line");
            using var doc = JsonDocument.Parse(record);
            return doc.RootElement.Clone();
        }

        private static void Throw(int depth)
        {
            if (depth == 0)
                throw new InvalidOperationException("inner failure");
            try
            {
                Throw(depth - 1);
            }
            catch (Exception ex)
            {
                throw new ApplicationException("outer failure", ex);
            }
        }

        [TestMethod]
        public void DefaultLayout_InfoEvent_HasTimestampLevelLoggerMessageHostProcessService()
        {
            DateTime before = DateTime.UtcNow.AddSeconds(-1);
            var json = SendOne(l => l.Info("Order {OrderId} placed", 42));
            string ts = json.GetProperty("@timestamp").GetString()!;
            Assert.IsTrue(Regex.IsMatch(ts, @"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$"), ts);
            DateTime parsed = DateTime.Parse(ts, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal);
            Assert.IsTrue(parsed >= before && parsed <= DateTime.UtcNow.AddSeconds(1), ts);
            Assert.AreEqual("info", json.GetProperty("log.level").GetString());
            Assert.AreEqual("Orders.Checkout", json.GetProperty("log.logger").GetString());
            Assert.AreEqual("Order 42 placed", json.GetProperty("message").GetString());
            Assert.AreEqual(Environment.MachineName, json.GetProperty("host.name").GetString(), ignoreCase: true);
            Assert.AreEqual(JsonValueKind.Number, json.GetProperty("process.pid").ValueKind);
            Assert.AreEqual(Environment.ProcessId, json.GetProperty("process.pid").GetInt32());
            Assert.AreEqual(System.Diagnostics.Process.GetCurrentProcess().ProcessName, json.GetProperty("process.name").GetString());
            Assert.AreEqual(System.Reflection.Assembly.GetEntryAssembly()!.GetName().Name, json.GetProperty("service.name").GetString());
            Assert.AreEqual(42, json.GetProperty("OrderId").GetInt32(), "structured properties are fields");
            Assert.IsFalse(json.TryGetProperty("error.type", out _), "no error fields without an exception");
        }

        [TestMethod]
        public void DefaultLayout_LocalTimestamp_WrittenAsUtcWithMilliseconds()
        {
            var local = new DateTime(2026, 3, 29, 1, 30, 15, 123, DateTimeKind.Utc).ToLocalTime();
            Assert.AreEqual(DateTimeKind.Local, local.Kind);
            var json = SendOne(l => l.Log(new LogEventInfo(LogLevel.Info, "Orders.Checkout", "fixed time") { TimeStamp = local }));
            Assert.AreEqual("2026-03-29T01:30:15.123Z", json.GetProperty("@timestamp").GetString());
        }

        [TestMethod]
        public void DefaultLayout_PropertiesNamedLikeEcsObjects_LeftOutSoTheIndexAcceptsTheDocument()
        {
            var json = SendOne(l => l.Warn("Connect to {host} failed: {error} ({event}, {log}, {process}, {service}, {hostname})", "db1", "refused", "e", "l", "p", "s", "h"));
            foreach (string name in new[] { "host", "error", "event", "log", "process", "service" })
                Assert.IsFalse(json.TryGetProperty(name, out _), name + " would clash with the " + name + ".* fields");
            Assert.AreEqual("h", json.GetProperty("hostname").GetString(), "other names are kept");
            Assert.AreEqual("Connect to db1 failed: refused (e, l, p, s, h)", json.GetProperty("message").GetString());
        }

        [TestMethod]
        public void DefaultLayout_ServiceNameSet_UsedForServiceName()
        {
            var json = SendOne(l => l.Warn("x"), t => t.ServiceName = "checkout-api");
            Assert.AreEqual("checkout-api", json.GetProperty("service.name").GetString());
            Assert.AreEqual("warn", json.GetProperty("log.level").GetString());
        }

        [TestMethod]
        public void DefaultLayout_ExceptionWithInner_ErrorFieldsIncludeInnerException()
        {
            var json = SendOne(l =>
            {
                try
                {
                    Throw(1);
                }
                catch (Exception ex)
                {
                    l.Error(ex, "Checkout failed for {User}", "ann");
                }
            });
            Assert.AreEqual("error", json.GetProperty("log.level").GetString());
            Assert.AreEqual("System.ApplicationException", json.GetProperty("error.type").GetString());
            Assert.AreEqual("outer failure", json.GetProperty("error.message").GetString());
            string stack = json.GetProperty("error.stack_trace").GetString()!;
            StringAssert.Contains(stack, "outer failure");
            StringAssert.Contains(stack, "System.InvalidOperationException: inner failure");
            StringAssert.Contains(stack, nameof(Throw));
            Assert.AreEqual("ann", json.GetProperty("User").GetString());
        }

        [TestMethod]
        public void DefaultLayout_MessageWithNewlinesAndQuotes_StaysOneValidLine()
        {
            var json = SendOne(l => l.Info("line1\nline2\r\n\"quoted\"\t\u0001 é 🙂"));
            Assert.AreEqual("line1\nline2\r\n\"quoted\"\t\u0001 é 🙂", json.GetProperty("message").GetString());
        }

        [TestMethod]
        public void DefaultLayout_PropertyNamedLikeAField_LeftOutSoNoDuplicateKey()
        {
            using var h = TargetHarness.Create();
            h.Logger.WithProperty("message", "shadow").WithProperty("extra", 1).Info("real");
            h.Flush();
            string text = h.SentText.Single();
            Assert.AreEqual(1, Regex.Matches(text, "\"message\":").Count, text);
            using var doc = JsonDocument.Parse(text);
            Assert.AreEqual("real", doc.RootElement.GetProperty("message").GetString());
            Assert.AreEqual(1, doc.RootElement.GetProperty("extra").GetInt32());
        }

        [TestMethod]
        public void DefaultLayout_ScopeProperties_AreFields()
        {
            using var h = TargetHarness.Create();
            using (h.Logger.PushScopeProperty("RequestId", "r-17"))
                h.Logger.Info("in scope");
            h.Flush();
            using var doc = JsonDocument.Parse(h.SentText.Single());
            Assert.AreEqual("r-17", doc.RootElement.GetProperty("RequestId").GetString());
        }

        [TestMethod]
        public void Layout_ReplacedByUser_UsedAsIs()
        {
            using var h = TargetHarness.Create(t => t.Layout = "${level}|${message}");
            h.Logger.Info("plain");
            h.Flush();
            Assert.AreEqual("Info|plain", h.SentText.Single());
        }
    }
}
