using System;
using System.Linq;
using Microsoft.VisualStudio.TestTools.UnitTesting;
using NLog.Config;
using NLog.Targets.Firehose.Tests.Infrastructure;

namespace NLog.Targets.Firehose.Tests.Delivery
{
    [TestClass]
    public class MultiTargetTests
    {
        [TestMethod]
        public void TwoFirehoseTargets_SameEvents_BothSendEveryEvent()
        {
            using var a = TargetHarness.Create();
            using var b = TargetHarness.Create();
            var targetA = TargetHarness.NewTarget(_ => a.Client);
            targetA.Name = "a";
            var targetB = TargetHarness.NewTarget(_ => b.Client);
            targetB.Name = "b";
            using var factory = new LogFactory { ThrowConfigExceptions = true };
            var config = new LoggingConfiguration(factory);
            config.AddRuleForAllLevels(targetA);
            config.AddRuleForAllLevels(targetB);
            factory.Configuration = config;
            for (int i = 0; i < 200; i++)
                factory.GetLogger("Both").Info("e{0}", i);
            factory.Flush(TimeSpan.FromSeconds(30));
            Assert.AreEqual(200, a.SentRecords.Count, "target a");
            Assert.AreEqual(200, b.SentRecords.Count, "target b");
        }

        [TestMethod]
        public void ReusedLogEventInfo_LoggedTwice_SentTwice()
        {
            using var h = TargetHarness.Create(t => t.Layout = "${message}");
            var reused = LogEventInfo.Create(LogLevel.Info, "Reuse", "same object");
            h.Logger.Log(reused);
            h.Flush();
            h.Logger.Log(reused);
            h.Flush();
            Assert.AreEqual(2, h.SentRecords.Count);
        }
    }
}
