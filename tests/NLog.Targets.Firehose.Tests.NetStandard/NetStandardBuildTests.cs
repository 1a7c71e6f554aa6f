using System.Reflection;
using System.Runtime.Versioning;
using Microsoft.VisualStudio.TestTools.UnitTesting;
using NLog.Targets.Firehose.Layouts;

namespace NLog.Targets.Firehose.Tests
{
    /// <summary>
    /// This project runs the suite against the library's netstandard2.0 build and NLog's netstandard2.0 build: checks
    /// that those are what was loaded, so the suite cannot pass on the net8.0 builds by mistake.
    /// </summary>
    [TestClass]
    public class NetStandardBuildTests
    {
        private const string NetStandard20 = ".NETStandard,Version=v2.0";

        [TestMethod]
        public void LibraryAssembly_NetStandardSuite_IsTheNetStandard20Build()
        {
            Assert.AreEqual(NetStandard20, TargetFrameworkOf(typeof(FirehoseTarget).Assembly));
        }

        [TestMethod]
        public void NLogAssembly_NetStandardSuite_IsTheNetStandard20Build()
        {
            Assert.AreEqual(NetStandard20, TargetFrameworkOf(typeof(LogEventInfo).Assembly));
        }

        [TestMethod]
        public void NLogExtensionsLoggingAssembly_NetStandardSuite_IsTheNetStandard20Build()
        {
            Assert.AreEqual(NetStandard20, TargetFrameworkOf(typeof(NLog.Extensions.Logging.NLogLoggerProvider).Assembly));
        }

        [TestMethod]
        public void LibraryAssembly_NetStandardSuite_HasThePolyfills()
        {
            // The polyfills compile only for netstandard2.0: their presence tells the build apart from net8.0's too.
            Assert.IsNotNull(typeof(FirehoseTarget).Assembly.GetType("NLog.Targets.Firehose.Polyfills.StringBuilderChunks"));
        }

        [TestMethod]
        public void ScopeDeferringLayout_NetStandard20NLog_BindsNLogInternals()
        {
            // The layout binds LogEventInfo.IsLogEventThreadAgnosticImmutable (internal to NLog) by reflection; the
            // netstandard2.0 NLog has it as the others do.
            Assert.IsTrue(ScopeDeferringLayout.UsesNLogImmutableTest);
        }

        private static string? TargetFrameworkOf(Assembly assembly)
            => assembly.GetCustomAttribute<TargetFrameworkAttribute>()?.FrameworkName;
    }
}
