using System;
using System.Net.Http;
using System.Text;
using System.Threading.Tasks;
using Amazon.Runtime;
using Firehose.Local.Tests.Infrastructure;
using Microsoft.VisualStudio.TestTools.UnitTesting;
using NLog.Targets.Firehose.Client;

namespace Firehose.Local.Tests.Protocol
{
    /// <summary>SigV4 verification: on by default, the service's error answers, and the switch that turns it off.</summary>
    [TestClass]
    public sealed class SignatureTests
    {
        private static readonly byte[] DescribeBody = Encoding.UTF8.GetBytes("{\"DeliveryStreamName\":\"s\"}");

        private static Task<FirehoseLocalServer> StartAsync(TempDirectory dir, bool verify = true)
            => TestServer.StartAsync(dir.Path, o =>
            {
                o.Streams.Add(TestServer.S3Stream("s"));
                o.VerifySignatures = verify;
            });

        [TestMethod]
        public async Task Signature_Valid_Accepted()
        {
            using var dir = new TempDirectory();
            await using var server = await StartAsync(dir);
            using var client = new LocalClient(server);

            ApiResponse response = await client.CallAsync("DescribeDeliveryStream", DescribeBody);

            Assert.AreEqual(200, response.Status, response.ToString());
        }

        [TestMethod]
        public async Task Signature_WrongSecret_InvalidSignature400()
        {
            using var dir = new TempDirectory();
            await using var server = await StartAsync(dir);
            using var client = new LocalClient(server, secretKey: "wrong-secret");

            ApiResponse response = await client.CallAsync("DescribeDeliveryStream", DescribeBody);

            Assert.AreEqual(400, response.Status);
            Assert.AreEqual("InvalidSignatureException", response.ErrorType);
            StringAssert.StartsWith(response.Message, "The request signature we calculated does not match the signature you provided.");
        }

        [TestMethod]
        public async Task Signature_UnknownAccessKey_UnrecognizedClient400()
        {
            using var dir = new TempDirectory();
            await using var server = await StartAsync(dir);
            using var client = new LocalClient(server, accessKey: "AKIDSOMEONEELSE");

            ApiResponse response = await client.CallAsync("DescribeDeliveryStream", DescribeBody);

            Assert.AreEqual(400, response.Status);
            Assert.AreEqual("UnrecognizedClientException", response.ErrorType);
            Assert.AreEqual("The security token included in the request is invalid.", response.Message);
        }

        [TestMethod]
        public async Task Signature_Missing_MissingAuthenticationToken400()
        {
            using var dir = new TempDirectory();
            await using var server = await StartAsync(dir);
            using var client = new LocalClient(server, accessKey: null, secretKey: null);

            ApiResponse response = await client.CallAsync("DescribeDeliveryStream", DescribeBody);

            Assert.AreEqual(400, response.Status);
            Assert.AreEqual("MissingAuthenticationTokenException", response.ErrorType);
        }

        [TestMethod]
        public async Task Signature_BodyChangedAfterSigning_InvalidSignature400()
        {
            using var dir = new TempDirectory();
            await using var server = await StartAsync(dir);
            using var client = new LocalClient(server);

            ApiResponse response = await client.CallAsync("DescribeDeliveryStream", DescribeBody,
                request => request.Content = new ByteArrayContent(Encoding.UTF8.GetBytes("{\"DeliveryStreamName\":\"t\"}")) { Headers = { { "Content-Type", "application/x-amz-json-1.1" } } });

            Assert.AreEqual(400, response.Status);
            Assert.AreEqual("InvalidSignatureException", response.ErrorType);
        }

        [TestMethod]
        public async Task Signature_WrongRegion_InvalidSignature400()
        {
            using var dir = new TempDirectory();
            await using var server = await TestServer.StartAsync(dir.Path, o => o.Region = "eu-west-1");
            using var client = new LocalClient(server);
            // Sign for us-east-1 while the server expects eu-west-1: rebuild the Authorization header by hand.
            var signer = new SigV4Signer("us-east-1", "firehose");
            var toSign = new SigV4Request { PayloadSha256Hex = SigV4Signer.Sha256Hex(DescribeBody) };
            toSign.Headers.Add(new("host", server.Url.Authority));
            SigV4Signature signature = signer.Sign(toSign, new ImmutableCredentials(TestServer.AccessKey, TestServer.SecretKey, null), DateTime.UtcNow);

            ApiResponse response = await client.CallAsync("DescribeDeliveryStream", DescribeBody, request =>
            {
                request.Headers.Remove("Authorization");
                request.Headers.Remove("X-Amz-Date");
                foreach (var header in signature.HeadersToAdd)
                    request.Headers.TryAddWithoutValidation(header.Key, header.Value);
            });

            Assert.AreEqual(400, response.Status);
            Assert.AreEqual("InvalidSignatureException", response.ErrorType);
            StringAssert.Contains(response.Message, "region");
        }

        [TestMethod]
        public async Task Signature_VerifySignaturesNotSet_UnsignedRejected()
        {
            using var dir = new TempDirectory();
            // The options as a user gets them: VerifySignatures left at its default.
            await using var server = await TestServer.StartAsync(dir.Path, o => o.Streams.Add(TestServer.S3Stream("s")));
            using var unsigned = new LocalClient(server, accessKey: null, secretKey: null);

            ApiResponse response = await unsigned.CallAsync("DescribeDeliveryStream", DescribeBody);

            Assert.AreEqual(400, response.Status);
            Assert.AreEqual("MissingAuthenticationTokenException", response.ErrorType);
            Assert.AreEqual("Missing Authentication Token", response.Message);
        }

        [TestMethod]
        [DataRow(-16, 400)]   // older than the default 15 minutes
        [DataRow(16, 400)]    // as far in the future
        [DataRow(-14, 200)]   // within the skew
        public async Task Signature_XAmzDateMinutesFromNow_RejectedBeyondDefaultSkew(int minutes, int expectedStatus)
        {
            using var dir = new TempDirectory();
            await using var server = await TestServer.StartAsync(dir.Path, o => o.Streams.Add(TestServer.S3Stream("s")));
            using var client = new LocalClient(server) { SigningTime = DateTime.UtcNow.AddMinutes(minutes) };

            ApiResponse response = await client.CallAsync("DescribeDeliveryStream", DescribeBody);

            Assert.AreEqual(expectedStatus, response.Status, response.ToString());
            if (expectedStatus == 400)
            {
                Assert.AreEqual("InvalidSignatureException", response.ErrorType);
                StringAssert.StartsWith(response.Message, "Signature expired: ");
                StringAssert.Contains(response.Message, "(+/- 15 min.)");
            }
        }

        [TestMethod]
        public async Task Signature_VerificationOff_UnsignedAccepted()
        {
            using var dir = new TempDirectory();
            await using var server = await StartAsync(dir, verify: false);
            using var client = new LocalClient(server, accessKey: null, secretKey: null);

            ApiResponse response = await client.CallAsync("DescribeDeliveryStream", DescribeBody);

            Assert.AreEqual(200, response.Status, response.ToString());
        }
    }
}
