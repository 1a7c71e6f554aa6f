using System;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace NLog.Targets.Firehose.Tests
{
    [TestClass]
    public static class AssemblySetup
    {
        /// <summary>Tests use loopback only: never let AWSSDK.Core probe the EC2 instance metadata service.</summary>
        [AssemblyInitialize]
        public static void Initialize(TestContext context)
        {
            _ = context;
            Environment.SetEnvironmentVariable("AWS_EC2_METADATA_DISABLED", "true");
        }
    }
}
