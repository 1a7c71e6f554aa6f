using System;
using System.Linq;
using System.Text.Json;
using System.Threading.Tasks;
using Microsoft.VisualStudio.TestTools.UnitTesting;
using NLog.Layouts;
using NLog.Targets.Firehose.Layouts;
using NLog.Targets.Firehose.Tests.Infrastructure;

namespace NLog.Targets.Firehose.Tests.Layouts
{
    /// <summary>
    /// The default layout renders on the logging thread only when the document could differ if rendered later: scope
    /// properties, an exception, or a mutable parameter or property. Otherwise it renders on the background thread.
    /// </summary>
    [TestClass]
    public class ScopeDeferringLayoutTests
    {
        /// <summary>A value whose text changes after it is logged: rendering it later shows the change.</summary>
        private sealed class Mutable
        {
            public string Text { get; set; } = "before";
            public override string ToString() => Text;
        }

        private static ScopeDeferringLayout NewLayout() => FirehoseJsonLayout.Create("svc");

        /// <summary>Precalculates on this thread (as NLog does on the logging thread), then renders on another thread inside another scope.</summary>
        private static JsonElement PrecalculateHereRenderElsewhere(ScopeDeferringLayout layout, LogEventInfo logEvent, Action? afterPrecalculate = null)
        {
            layout.Precalculate(logEvent);
            afterPrecalculate?.Invoke();
            string json = Task.Run(() =>
            {
                using (ScopeContext.PushProperty("BackgroundOnly", "x"))
                    return layout.Render(logEvent);
            }).GetAwaiter().GetResult();
            using var doc = JsonDocument.Parse(json);
            return doc.RootElement.Clone();
        }

        [TestMethod]
        public void Precalculate_ScopePropertiesOnLoggingThread_DocumentHasThem()
        {
            var layout = NewLayout();
            var logEvent = LogEventInfo.Create(LogLevel.Info, "L", "in scope");
            JsonElement json;
            using (ScopeContext.PushProperty("RequestId", "r-17"))
                json = PrecalculateHereRenderElsewhere(layout, logEvent);
            Assert.AreEqual("r-17", json.GetProperty("RequestId").GetString());
            Assert.IsFalse(json.TryGetProperty("BackgroundOnly", out _), "the background thread's scope is not the event's");
        }

        [TestMethod]
        public void Precalculate_NoScopeImmutableParameters_DeferredAndSameDocument()
        {
            var layout = NewLayout();
            var logEvent = new LogEventInfo(LogLevel.Info, "L", null, "Order {OrderId} for {Customer}", new object[] { 42, "ACME" });
            Assert.IsFalse(ScopeDeferringLayout.MustRenderOnLoggingThread(logEvent), "nothing here can change: rendered later");
            JsonElement json = PrecalculateHereRenderElsewhere(layout, logEvent);
            StringAssert.Contains(json.GetProperty("message").GetString(), "Order 42 for");
            Assert.AreEqual(42, json.GetProperty("OrderId").GetInt32());
            Assert.IsFalse(json.TryGetProperty("BackgroundOnly", out _), "the background render leaves scope properties out");
            string direct = FirehoseJsonLayout.CreateJson("svc").Render(logEvent);
            Assert.AreEqual(direct, layout.Render(logEvent), "the deferred document is the plain JsonLayout's");
        }

        [TestMethod]
        public void Precalculate_MutableParameter_RenderedWithValueAtLogTime()
        {
            var layout = NewLayout();
            var value = new Mutable();
            var logEvent = new LogEventInfo(LogLevel.Info, "L", null, "State {State}", new object[] { value });
            Assert.IsTrue(ScopeDeferringLayout.MustRenderOnLoggingThread(logEvent));
            JsonElement json = PrecalculateHereRenderElsewhere(layout, logEvent, () => value.Text = "after");
            StringAssert.Contains(json.GetProperty("message").GetString(), "before");
        }

        [TestMethod]
        public void Precalculate_MutableEventProperty_RenderedWithValueAtLogTime()
        {
            var layout = NewLayout();
            var value = new Mutable();
            var logEvent = LogEventInfo.Create(LogLevel.Info, "L", "plain");
            logEvent.Properties["State"] = value;
            Assert.IsTrue(ScopeDeferringLayout.MustRenderOnLoggingThread(logEvent));
            JsonElement json = PrecalculateHereRenderElsewhere(layout, logEvent, () => value.Text = "after");
            Assert.AreEqual("before", json.GetProperty("State").GetProperty("Text").GetString(), json.ToString());
        }

        /// <summary>Keeps the events a Logger hands it, as NLog made them.</summary>
        private sealed class CaptureTarget : Target
        {
            public System.Collections.Generic.List<LogEventInfo> Events { get; } = new System.Collections.Generic.List<LogEventInfo>();

            protected override void Write(LogEventInfo logEvent) => Events.Add(logEvent);
        }

        [TestMethod]
        public void MustRenderOnLoggingThread_EventsFromALogger_NLogsOwnTestAgreesWithPublicTest()
        {
            Assert.IsTrue(ScopeDeferringLayout.UsesNLogImmutableTest, "NLog 6's internal IsLogEventThreadAgnosticImmutable is bound");
            var capture = new CaptureTarget();
            using var factory = new LogFactory();
            factory.Setup().LoadConfiguration(c => c.ForLogger().WriteTo(capture));
            Logger logger = factory.GetLogger("L");
            logger.Info("Order {OrderId} for {Customer}", 42, "ACME");
            logger.Info("State {State}", new Mutable());
            logger.WithProperty("Count", 3).Info("plain");
            logger.WithProperty("State", new Mutable()).Info("plain");
            logger.Info("positional {0}", 7);
            var expected = new[] { false, true, false, true, false };
            Assert.AreEqual(expected.Length, capture.Events.Count);
            for (int i = 0; i < expected.Length; i++)
            {
                LogEventInfo e = capture.Events[i];
                Assert.AreEqual(expected[i], ScopeDeferringLayout.MustRenderOnLoggingThread(e), e.Message);
                Assert.AreEqual(expected[i], ScopeDeferringLayout.HasMutableState(e), e.Message);
            }
        }

        [TestMethod]
        public void MustRenderOnLoggingThread_Exception_True()
        {
            var logEvent = LogEventInfo.Create(LogLevel.Error, "L", new InvalidOperationException("x"), null, "failed");
            Assert.IsTrue(ScopeDeferringLayout.MustRenderOnLoggingThread(logEvent));
        }

        [TestMethod]
        public void MustRenderOnLoggingThread_ManyParameters_True()
        {
            var logEvent = new LogEventInfo(LogLevel.Info, "L", null, "{a}{b}{c}{d}{e}{f}", new object[] { 1, 2, 3, 4, 5, 6 });
            Assert.IsTrue(ScopeDeferringLayout.MustRenderOnLoggingThread(logEvent), "too many to check one by one, as NLog");
        }

        [TestMethod]
        public void Target_ScopeAndNoScopeEvents_EachDocumentRight()
        {
            using var h = TargetHarness.Create();
            using (h.Logger.PushScopeProperty("RequestId", "r-1"))
                h.Logger.Info("first");
            h.Logger.Info("second");
            var value = new Mutable();
            h.Logger.Info("third {State}", value);
            value.Text = "after";
            h.Flush();
            var docs = h.SentText.Select(t => JsonDocument.Parse(t).RootElement.Clone()).ToDictionary(e => e.GetProperty("message").GetString()!);
            Assert.AreEqual("r-1", docs["first"].GetProperty("RequestId").GetString());
            Assert.IsFalse(docs["second"].TryGetProperty("RequestId", out _));
            Assert.IsTrue(docs.ContainsKey("third before"), string.Join(", ", docs.Keys));
        }

        [TestMethod]
        public void Precalculate_AgainOnAnotherThreadInsideAScope_FirstDecisionStands()
        {
            Assert.IsTrue(ScopeDeferringLayout.RemembersDecisions, "NLog 6's per-event layout cache is bound");
            var layout = NewLayout();
            var logEvent = LogEventInfo.Create(LogLevel.Info, "L", "outside any scope");
            layout.Precalculate(logEvent);   // the logging thread: no scope, deferred
            string json = Task.Run(() =>
            {
                using (ScopeContext.PushProperty("user", "bob"))
                {
                    layout.Precalculate(logEvent);   // a wrapper precalculating again on another caller's thread
                    return layout.Render(logEvent);
                }
            }).GetAwaiter().GetResult();
            using var doc = JsonDocument.Parse(json);
            Assert.IsFalse(doc.RootElement.TryGetProperty("user", out _), "another request's scope must not enter the document: " + json);
        }

        [TestMethod]
        public void Target_BehindBufferingWrapperFlushedFromAnotherRequest_NoForeignScopeProperties()
        {
            using var h = TargetHarness.Create(t => { }, wrap: target => new NLog.Targets.Wrappers.BufferingTargetWrapper(target, 2) { Name = "buffer" });
            var first = Task.Run(() => h.Logger.Info("first"));   // outside any scope
            first.GetAwaiter().GetResult();
            Task.Run(() =>
            {
                using (ScopeContext.PushProperty("user", "bob"))
                    h.Logger.Info("second");   // fills the buffer: both are written from this thread
            }).GetAwaiter().GetResult();
            h.Flush();
            var docs = h.SentText.Select(t => JsonDocument.Parse(t).RootElement.Clone()).ToDictionary(e => e.GetProperty("message").GetString()!);
            Assert.IsFalse(docs["first"].TryGetProperty("user", out _), "first was logged outside the scope");
            Assert.AreEqual("bob", docs["second"].GetProperty("user").GetString());
        }

        [TestMethod]
        public void Target_DefaultLayout_IsTheDeferringLayoutAndDescribesItsJson()
        {
            var target = new FirehoseTarget();
            Assert.IsInstanceOfType<ScopeDeferringLayout>(target.Layout is Layout l ? Unwrap(l) : null);
            StringAssert.Contains(target.Layout.ToString(), "JsonLayout");
        }

        private static Layout Unwrap(Layout layout)
            => layout.GetType().GetProperty("TargetLayout")?.GetValue(layout) as Layout ?? layout;
    }
}
