using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace NLog.Targets.Firehose.Tests
{
    [TestClass]
    public class SmokeTests
    {
        [TestMethod]
        public void Smoke_Runs_Passes() => Assert.IsNotNull(typeof(NLog.LogFactory));
    }
}
