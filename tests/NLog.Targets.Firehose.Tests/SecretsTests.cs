using System;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Amazon.Runtime;
using Microsoft.VisualStudio.TestTools.UnitTesting;
using NLog.Targets.Firehose.Client;
using NLog.Targets.Firehose.Tests.Infrastructure;

namespace NLog.Targets.Firehose.Tests
{
    /// <summary>No secret key or session token in any log line or exception text, whatever the service or the SDK says.</summary>
    [TestClass]
    public class SecretsTests
    {
        private const string Token = "TOKENVALUEzyx987";

        [TestMethod]
        public async Task ServiceError_EchoesCanonicalRequestWithToken_TokenAndSecretRedacted()
        {
            await using var server = await LoopbackFirehose.StartAsync();
            server.FailCall = _ => (400, "InvalidSignatureException",
                "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. " +
                "The Canonical String for this request should have been\n'POST\n/\n\ncontent-type:application/x-amz-json-1.1\nhost:firehose\nx-amz-security-token:" + Token + "\n'" +
                " and secret " + LoopbackFirehose.SecretKey);
            using var log = new InternalLogCapture(LogLevel.Trace);
            var target = server.NewTarget("secrets");
            target.SessionToken = Token;
            target.DeliveryTimeoutMilliseconds = 0;
            Exception? reported = null;
            using (var factory = TargetHarness.Configure(new LogFactory(), target))
            {
                using var done = new ManualResetEventSlim();
                target.WriteAsyncLogEvent(new Common.AsyncLogEventInfo(LogEventInfo.Create(LogLevel.Info, "L", "x"), ex => { reported = ex; done.Set(); }));
                factory.Flush(TimeSpan.FromSeconds(30));
                Assert.IsTrue(done.Wait(TimeSpan.FromSeconds(30)));
            }
            Assert.IsNotNull(reported);
            StringAssert.Contains(log.Text, "InvalidSignatureException");
            StringAssert.Contains(log.Text, "[canonical request omitted]");
            foreach (string text in new[] { log.Text, reported!.ToString() })
            {
                Assert.IsFalse(text.Contains(Token, StringComparison.Ordinal), "session token leaked");
                Assert.IsFalse(text.Contains(LoopbackFirehose.SecretKey, StringComparison.Ordinal), "secret key leaked");
            }
        }

        [TestMethod]
        public void ConfigurationDump_TraceLevel_NoSecretOrToken()
        {
            using var log = new InternalLogCapture(LogLevel.Trace);
            using var factory = new LogFactory();
            factory.Setup().SetupExtensions(s => s.RegisterTarget<FirehoseTarget>()).LoadConfigurationFromXml(@"<nlog throwConfigExceptions=""true"">
  <targets><target type=""Firehose"" name=""firehose"" deliveryStreamName=""s"" region=""us-east-1"" accessKey=""AKIDXML"" secretKey=""XMLSECRETVALUE"" sessionToken=""XMLTOKENVALUE"" /></targets>
  <rules><logger name=""*"" writeTo=""firehose"" /></rules>
</nlog>");
            var target = factory.Configuration!.FindTargetByName<FirehoseTarget>("firehose")!;
            Assert.AreEqual("XMLSECRETVALUE", target.SecretKey!.Render(LogEventInfo.CreateNullEvent()), "still renders the secret for signing");
            Assert.AreEqual("***", target.SecretKey.ToString());
            StringAssert.Contains(log.Text, "SecretKey");
            Assert.IsFalse(log.Text.Contains("XMLSECRETVALUE", StringComparison.Ordinal), "secret key in NLog's internal log");
            Assert.IsFalse(log.Text.Contains("XMLTOKENVALUE", StringComparison.Ordinal), "session token in NLog's internal log");
        }

        [TestMethod]
        public void MalformedCredentialsFile_ProfileError_NoSecretInMessage()
        {
            string file = Path.GetTempFileName();
            try
            {
                // A typo (':' for '=') on the secret line: AWSSDK.Core echoes bad lines in its parse error.
                File.WriteAllText(file, "[logging]\naws_access_key_id = AKIDFILE\naws_secret_access_key: FILESECRETVALUE\n");
                var target = TargetHarness.NewTarget(_ => NSubstitute.Substitute.For<IFirehoseClient>());
                target.AccessKey = null;
                target.SecretKey = null;
                target.Profile = "logging";
                target.ProfilesLocation = file;
                using var log = new InternalLogCapture(LogLevel.Trace);
                using var factory = new LogFactory { ThrowConfigExceptions = true };
                var ex = Assert.Throws<Exception>(() => TargetHarness.Configure(factory, target));
                StringAssert.Contains(ex.ToString(), "AWS profile 'logging' could not be read", "the SDK's parse error is what is reported");
                Assert.IsFalse(ex.ToString().Contains("FILESECRETVALUE", StringComparison.Ordinal), ex.ToString());
                Assert.IsFalse(log.Text.Contains("FILESECRETVALUE", StringComparison.Ordinal), log.Text);
            }
            finally
            {
                File.Delete(file);
            }
        }

        [TestMethod]
        public void Redact_SdkAndServiceTexts_SecretsMasked()
        {
            Assert.AreEqual("Line 3:<line omitted> does not contain a section", SecretRedactor.Redact("Line 3:<aws_secret_access_key SECRETX> does not contain a section"));
            Assert.AreEqual("aws_session_token ***\nnext", SecretRedactor.Redact("aws_session_token = TOKENX\nnext"));
            Assert.AreEqual("signature mismatch. [canonical request omitted]", SecretRedactor.Redact("signature mismatch. The Canonical String for this request should have been 'x-amz-security-token:T'"));
            Assert.AreEqual("key *** and token ***", SecretRedactor.Redact("key S3CR3T and token T0K3N", "S3CR3T", "T0K3N"));
            Assert.AreEqual(string.Empty, SecretRedactor.Redact(null));
        }
    }
}
