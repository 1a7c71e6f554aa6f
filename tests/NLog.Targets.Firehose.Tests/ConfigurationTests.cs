using System;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using Microsoft.VisualStudio.TestTools.UnitTesting;
using NLog.Config;
using NLog.Targets.Firehose.Tests.Infrastructure;
using NLog.Targets.Wrappers;

namespace NLog.Targets.Firehose.Tests
{
    /// <summary>
    /// The target configured the ways users configure it — XML with each registration, inside AsyncWrapper, from
    /// code — shipping to the loopback endpoint with the real HTTP client; and each configuration error.
    /// </summary>
    [TestClass]
    public class ConfigurationTests
    {
        private static LoopbackFirehose _server = null!;

        [ClassInitialize]
        public static async Task StartServer(TestContext context)
        {
            _ = context;
            _server = await LoopbackFirehose.StartAsync();
        }

        [ClassCleanup]
        public static async Task StopServer() => await _server.DisposeAsync();

        private static string FirehoseAttributes(string stream) =>
            $"name=\"firehose\" deliveryStreamName=\"{stream}\" region=\"us-east-1\" serviceUrl=\"{_server.Url}\" accessKey=\"{LoopbackFirehose.AccessKey}\" secretKey=\"{LoopbackFirehose.SecretKey}\" layout=\"${{message}}\"";

        private static string Xml(string extensions, string targets, string writeTo = "firehose") => $@"<nlog xmlns=""http://www.nlog-project.org/schemas/NLog.xsd"" xmlns:xsi=""http://www.w3.org/2001/XMLSchema-instance"" throwConfigExceptions=""true"">
  {extensions}
  <targets>{targets}</targets>
  <rules><logger name=""*"" minlevel=""Info"" writeTo=""{writeTo}"" /></rules>
</nlog>";

        private static void LogAndAssertDelivered(LogFactory factory, string stream)
        {
            string marker = Guid.NewGuid().ToString("N");
            factory.GetLogger("Config.Test").Info(marker);
            factory.Flush(TimeSpan.FromSeconds(30));
            CollectionAssert.Contains(_server.AcceptedText(stream).Select(t => t.TrimEnd('\n')).ToList(), marker);
            Assert.IsTrue(_server.Calls.Where(c => c.Stream == stream).All(c => c.SignatureProblem is null));
        }

        [TestMethod]
        public void XmlConfig_ExtensionsAddAssembly_ShipsEvents()
        {
            using var factory = new LogFactory();
            factory.Setup().LoadConfigurationFromXml(Xml("<extensions><add assembly=\"NLog.Targets.Firehose\" /></extensions>",
                $"<target xsi:type=\"Firehose\" {FirehoseAttributes("xml-ext")} />"));
            Assert.IsInstanceOfType<FirehoseTarget>(factory.Configuration!.FindTargetByName("firehose"));
            LogAndAssertDelivered(factory, "xml-ext");
        }

        [TestMethod]
        public void XmlConfig_RegisterTargetInCode_ShipsEvents()
        {
            using var factory = new LogFactory();
            factory.Setup().SetupExtensions(s => s.RegisterTarget<FirehoseTarget>())
                .LoadConfigurationFromXml(Xml(string.Empty, $"<target type=\"Firehose\" {FirehoseAttributes("xml-registered")} />"));
            LogAndAssertDelivered(factory, "xml-registered");
        }

        [TestMethod]
        public void XmlConfig_AssemblyQualifiedType_ShipsEvents()
        {
            using var factory = new LogFactory();
            factory.Setup().LoadConfigurationFromXml(Xml(string.Empty, $"<target type=\"Firehose, NLog.Targets.Firehose\" {FirehoseAttributes("xml-qualified")} />"));
            LogAndAssertDelivered(factory, "xml-qualified");
        }

        [TestMethod]
        public void XmlConfig_InsideAsyncWrapper_ShipsEventsAndDisposesPromptly()
        {
            var factory = new LogFactory();
            factory.Setup().SetupExtensions(s => s.RegisterTarget<FirehoseTarget>())
                .LoadConfigurationFromXml(Xml(string.Empty,
                    $"<target xsi:type=\"AsyncWrapper\" name=\"async\"><target xsi:type=\"Firehose\" {FirehoseAttributes("xml-async").Replace("name=\"firehose\"", "name=\"inner\"")} /></target>", writeTo: "async"));
            Assert.IsInstanceOfType<AsyncTargetWrapper>(factory.Configuration!.FindTargetByName("async"));
            for (int i = 0; i < 2000; i++)
                factory.GetLogger("Async").Info("async {0}", i);
            LogAndAssertDelivered(factory, "xml-async");
            Assert.AreEqual(2001, _server.AcceptedText("xml-async").Count);
            var dispose = Task.Run(factory.Dispose);
            Assert.IsTrue(dispose.Wait(TimeSpan.FromSeconds(30)), "LogFactory.Dispose must not hang with the target inside an AsyncWrapper");
        }

        [TestMethod]
        public void CodeConfig_LoggingConfiguration_ShipsEvents()
        {
            using var factory = new LogFactory();
            var target = new FirehoseTarget("firehose")
            {
                DeliveryStreamName = "code-config",
                Region = "us-east-1",
                ServiceUrl = _server.Url.ToString(),
                AccessKey = LoopbackFirehose.AccessKey,
                SecretKey = LoopbackFirehose.SecretKey,
                Layout = "${message}",
            };
            TargetHarness.Configure(factory, target);
            LogAndAssertDelivered(factory, "code-config");
        }

        [TestMethod]
        public void Defaults_Constructor_FittedToFirehose()
        {
            var target = new FirehoseTarget();
            Assert.AreEqual(2000, target.BatchSize);
            Assert.AreEqual(4, target.MaxRequestsInFlight);
            Assert.IsFalse(target.PackRecords);
            Assert.AreEqual(1_024_000, target.MaxPackedRecordBytes);
            Assert.AreEqual(64L * 1024 * 1024, target.MaxQueueBytes);
            Assert.AreEqual(20, target.TaskDelayMilliseconds);
            Assert.AreEqual(10000, target.QueueLimit);
            Assert.AreEqual(AsyncTargetWrapperOverflowAction.Discard, target.OverflowAction);
            Assert.AreEqual("\n", target.RecordDelimiter);
            Assert.AreEqual(30000, target.RequestTimeoutMilliseconds);
            Assert.AreEqual("named", new FirehoseTarget("named").Name);
        }

        // ---- configuration errors: NLogConfigurationException at initialisation, saying what to set ----

        private static NLogConfigurationException InitError(Action<FirehoseTarget> configure)
        {
            var target = TargetHarness.NewTarget(_ => NSubstitute.Substitute.For<NLog.Targets.Firehose.Client.IFirehoseClient>());
            target.RegionFallback = () => null;
            configure(target);
            using var factory = new LogFactory { ThrowConfigExceptions = true };
            var ex = Assert.ThrowsExactly<NLogConfigurationException>(() => TargetHarness.Configure(factory, target));
            Assert.IsFalse(ex.ToString().Contains("harness-secret", StringComparison.Ordinal), "no secret in the message");
            return ex;
        }

        private static string Messages(Exception ex) => string.Join(" | ", Flatten(ex).Select(e => e.Message));

        private static System.Collections.Generic.IEnumerable<Exception> Flatten(Exception? ex)
        {
            for (; ex != null; ex = ex.InnerException)
                yield return ex;
        }

        [TestMethod]
        public void Init_NoDeliveryStreamName_SaysToSetIt()
            => StringAssert.Contains(Messages(InitError(t => t.DeliveryStreamName = NLog.Layouts.Layout.Empty)), "DeliveryStreamName is required");

        [TestMethod]
        public void Init_BlankDeliveryStreamName_SaysToSetIt()
            => StringAssert.Contains(Messages(InitError(t => t.DeliveryStreamName = "   ")), "DeliveryStreamName is required");

        [TestMethod]
        public void Init_StreamNameTooLong_SaysWhatIsValid()
            => StringAssert.Contains(Messages(InitError(t => t.DeliveryStreamName = new string('a', 65))), "1-64 characters");

        [TestMethod]
        public void Init_StreamNameBadCharacter_SaysWhatIsValid()
            => StringAssert.Contains(Messages(InitError(t => t.DeliveryStreamName = "logs/prod")), "'logs/prod' is not a valid Firehose stream name");

        [TestMethod]
        public void Init_NoRegionAnywhere_SaysToSetRegion()
            => StringAssert.Contains(Messages(InitError(t => t.Region = null)), "No AWS region: set Region");

        [TestMethod]
        public void Init_InvalidRegion_SaysWhatIsValid()
            => StringAssert.Contains(Messages(InitError(t => t.Region = "us east 1")), "Region 'us east 1' is not a valid AWS region");

        [TestMethod]
        public void Init_UnparsableServiceUrl_SaysWhatToSet()
            => StringAssert.Contains(Messages(InitError(t => t.ServiceUrl = "not a url")), "ServiceUrl 'not a url' is not an absolute http:// or https:// URL");

        [TestMethod]
        public void Init_FtpServiceUrl_Refused()
            => StringAssert.Contains(Messages(InitError(t => t.ServiceUrl = "ftp://example.com/")), "not an absolute http:// or https:// URL");

        [TestMethod]
        public void Init_ServiceUrlWithUserInfo_RefusedWithoutEchoingPassword()
        {
            string text = Messages(InitError(t => t.ServiceUrl = "https://user:hunter2@firehose.us-east-1.amazonaws.com/"));
            StringAssert.Contains(text, "must not carry user information");
            Assert.IsFalse(text.Contains("hunter2", StringComparison.Ordinal));
        }

        [TestMethod]
        public void Init_AccessKeyWithoutSecretKey_SaysToSetBoth()
            => StringAssert.Contains(Messages(InitError(t => t.SecretKey = null)), "AccessKey and SecretKey must be set together");

        [TestMethod]
        public void Init_SecretKeyWithoutAccessKey_SaysToSetBothWithoutTheSecret()
            => StringAssert.Contains(Messages(InitError(t => t.AccessKey = null)), "AccessKey and SecretKey must be set together");

        [TestMethod]
        public void Init_UnknownProfile_SaysProfileNotFound()
        {
            string file = Path.GetTempFileName();
            try
            {
                File.WriteAllText(file, "[other]\naws_access_key_id = AKIDOTHER\naws_secret_access_key = other-secret\n");
                string text = Messages(InitError(t => { t.AccessKey = null; t.SecretKey = null; t.Profile = "missing"; t.ProfilesLocation = file; }));
                StringAssert.Contains(text, "AWS profile 'missing' was not found");
            }
            finally
            {
                File.Delete(file);
            }
        }

        [TestMethod]
        public void Init_NonPositiveRequestTimeout_Refused()
            => StringAssert.Contains(Messages(InitError(t => t.RequestTimeoutMilliseconds = 0)), "RequestTimeoutMilliseconds must be a positive");

        [TestMethod]
        public void Init_ConfigErrorWithoutThrowConfigExceptions_LogsAndHostKeepsRunning()
        {
            using var log = new InternalLogCapture(LogLevel.Error);
            var target = TargetHarness.NewTarget(_ => NSubstitute.Substitute.For<NLog.Targets.Firehose.Client.IFirehoseClient>());
            target.DeliveryStreamName = NLog.Layouts.Layout.Empty;
            using var factory = new LogFactory();
            TargetHarness.Configure(factory, target);
            factory.GetLogger("x").Info("does not throw");
            factory.Flush(TimeSpan.FromSeconds(5));
            StringAssert.Contains(log.Text, "DeliveryStreamName is required");
        }

        // ---- region and endpoint resolution ----

        private static FirehoseTarget Initialised(Action<FirehoseTarget> configure, LogFactory factory)
        {
            var target = TargetHarness.NewTarget(_ => NSubstitute.Substitute.For<NLog.Targets.Firehose.Client.IFirehoseClient>());
            target.RegionFallback = () => null;
            configure(target);
            TargetHarness.Configure(factory, target);
            return target;
        }

        [TestMethod]
        public void Init_Region_EndpointFromRegionRules()
        {
            using var factory = new LogFactory { ThrowConfigExceptions = true };
            var target = Initialised(t => t.Region = "eu-central-1", factory);
            Assert.AreEqual(new Uri("https://firehose.eu-central-1.amazonaws.com"), target.ResolvedEndpoint);
        }

        [TestMethod]
        public void Init_ChinaRegion_ChinaPartitionSuffix()
        {
            using var factory = new LogFactory { ThrowConfigExceptions = true };
            var target = Initialised(t => t.Region = "cn-north-1", factory);
            Assert.AreEqual(new Uri("https://firehose.cn-north-1.amazonaws.com.cn"), target.ResolvedEndpoint);
        }

        [TestMethod]
        public void Init_ServiceUrlWithRegionInHost_RegionTakenFromHost()
        {
            using var factory = new LogFactory { ThrowConfigExceptions = true };
            var target = Initialised(t => { t.Region = null; t.ServiceUrl = "https://vpce-0abc.firehose.ap-southeast-2.vpce.amazonaws.com"; }, factory);
            Assert.AreEqual("ap-southeast-2", target.ResolvedRegion);
            Assert.AreEqual("vpce-0abc.firehose.ap-southeast-2.vpce.amazonaws.com", target.ResolvedEndpoint!.Host);
        }

        [TestMethod]
        public void Init_RegionFromFallback_Used()
        {
            using var factory = new LogFactory { ThrowConfigExceptions = true };
            var target = Initialised(t => { t.Region = null; t.RegionFallback = () => "sa-east-1"; }, factory);
            Assert.AreEqual("sa-east-1", target.ResolvedRegion);
        }

        [TestMethod]
        public void Init_RegionFromEnvironmentLayout_Used()
        {
            Environment.SetEnvironmentVariable("FIREHOSE_TEST_REGION", "ca-central-1");
            try
            {
                using var factory = new LogFactory { ThrowConfigExceptions = true };
                var target = Initialised(t => t.Region = "${environment:FIREHOSE_TEST_REGION}", factory);
                Assert.AreEqual("ca-central-1", target.ResolvedRegion);
            }
            finally
            {
                Environment.SetEnvironmentVariable("FIREHOSE_TEST_REGION", null);
            }
        }

        [TestMethod]
        public void RegionFromHost_KnownShapes_Parsed()
        {
            Assert.AreEqual("us-east-1", FirehoseTarget.RegionFromHost("firehose.us-east-1.amazonaws.com"));
            Assert.AreEqual("us-gov-west-1", FirehoseTarget.RegionFromHost("firehose-fips.us-gov-west-1.amazonaws.com"));
            Assert.IsNull(FirehoseTarget.RegionFromHost("127.0.0.1"));
            Assert.IsNull(FirehoseTarget.RegionFromHost("localhost"));
        }

        [TestMethod]
        public void UnescapeDelimiter_Escapes_Understood()
        {
            Assert.AreEqual("\r\n", FirehoseTarget.UnescapeDelimiter("\\r\\n"));
            Assert.AreEqual("\t|\\", FirehoseTarget.UnescapeDelimiter("\\t|\\\\"));
            Assert.AreEqual("\\x", FirehoseTarget.UnescapeDelimiter("\\x"));
        }
    }
}
