using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using Amazon.Runtime;
using Microsoft.VisualStudio.TestTools.UnitTesting;
using NLog.Targets.Firehose.Client;

namespace NLog.Targets.Firehose.Tests.Client
{
    [TestClass]
    public sealed class SigV4SignerTests
    {
        private const string AccessKeyId = "AKIDEXAMPLE";
        private const string Secret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
        private const string Token = "FwoGZXIvYXdzEXAMPLE//session+token==";
        private static readonly DateTime Day1 = new(2024, 1, 2, 3, 4, 5, DateTimeKind.Utc);

        [TestMethod]
        public void Sign_SameDayTwice_DerivesSigningKeyOnce()
        {
            var signer = new SigV4Signer("us-east-1", "firehose");

            SigV4Signature first = signer.Sign(FirehoseRequest(), Credentials(), Day1);
            SigV4Signature second = signer.Sign(FirehoseRequest(), Credentials(), Day1.AddHours(20));

            Assert.AreEqual(1L, signer.KeyCache.DerivationCount);
            Assert.AreNotEqual(first.Signature, second.Signature);
        }

        [TestMethod]
        public void Sign_NextDay_DerivesNewSigningKey()
        {
            var signer = new SigV4Signer("us-east-1", "firehose");

            signer.Sign(FirehoseRequest(), Credentials(), Day1);
            SigV4Signature nextDay = signer.Sign(FirehoseRequest(), Credentials(), Day1.AddDays(1));

            Assert.AreEqual(2L, signer.KeyCache.DerivationCount);
            Assert.Contains("/20240103/us-east-1/firehose/aws4_request", nextDay.Authorization);
        }

        [TestMethod]
        public void Sign_CachedKey_GivesSameSignatureAsFreshSigner()
        {
            var warm = new SigV4Signer("us-east-1", "firehose");
            warm.Sign(FirehoseRequest(), Credentials(), Day1);

            string cached = warm.Sign(FirehoseRequest(), Credentials(), Day1).Authorization;
            string fresh = new SigV4Signer("us-east-1", "firehose").Sign(FirehoseRequest(), Credentials(), Day1).Authorization;

            Assert.AreEqual(fresh, cached);
        }

        [TestMethod]
        public void Sign_WithSessionToken_AddsAndSignsSecurityToken()
        {
            SigV4Signature signature = new SigV4Signer("us-east-1", "firehose").Sign(FirehoseRequest(), Credentials(Token), Day1);

            Assert.AreEqual(Token, HeaderValue(signature, "X-Amz-Security-Token"));
            Assert.Contains("SignedHeaders=content-type;host;x-amz-date;x-amz-security-token;x-amz-target,", signature.Authorization);
            Assert.Contains("\nx-amz-security-token:" + Token + "\n", signature.CanonicalRequest);
        }

        [TestMethod]
        public void Sign_WithSessionTokenOmitted_AddsTokenButDoesNotSignIt()
        {
            var options = new SigV4SigningOptions { OmitSessionTokenFromSignature = true };

            SigV4Signature signature = new SigV4Signer("us-east-1", "firehose").Sign(FirehoseRequest(), Credentials(Token), Day1, options);

            Assert.AreEqual(Token, HeaderValue(signature, "X-Amz-Security-Token"));
            Assert.Contains("SignedHeaders=content-type;host;x-amz-date;x-amz-target,", signature.Authorization);
            Assert.DoesNotContain(Token, signature.CanonicalRequest);
        }

        [TestMethod]
        public void Sign_WithoutSessionToken_AddsNoTokenHeader()
        {
            SigV4Signature signature = new SigV4Signer("us-east-1", "firehose").Sign(FirehoseRequest(), Credentials(), Day1);

            CollectionAssert.AreEqual(new[] { "X-Amz-Date", "Authorization" }, signature.HeadersToAdd.Select(h => h.Key).ToArray());
            Assert.DoesNotContain("x-amz-security-token", signature.CanonicalRequest);
        }

        [TestMethod]
        public void Sign_TokenAndContentSha256_HeadersToAddInDocumentedOrder()
        {
            var options = new SigV4SigningOptions { AddContentSha256Header = true };
            SigV4Request request = FirehoseRequest();

            SigV4Signature signature = new SigV4Signer("us-east-1", "firehose").Sign(request, Credentials(Token), Day1, options);

            CollectionAssert.AreEqual(
                new[] { "X-Amz-Date", "X-Amz-Security-Token", "x-amz-content-sha256", "Authorization" },
                signature.HeadersToAdd.Select(h => h.Key).ToArray());
            Assert.AreEqual("20240102T030405Z", HeaderValue(signature, "X-Amz-Date"));
            Assert.AreEqual(request.PayloadSha256Hex, HeaderValue(signature, "x-amz-content-sha256"));
            Assert.AreEqual(signature.Authorization, HeaderValue(signature, "Authorization"));
            Assert.Contains(";x-amz-content-sha256;", signature.Authorization);
        }

        [TestMethod]
        public void Sign_AnyOptions_NeverExposesSecretKey()
        {
            var signer = new SigV4Signer("us-east-1", "firehose");
            bool[] flags = [false, true];
            foreach (bool omit in flags)
            {
                foreach (bool contentSha in flags)
                {
                    foreach (string? token in new[] { null, Token })
                    {
                        var options = new SigV4SigningOptions { OmitSessionTokenFromSignature = omit, AddContentSha256Header = contentSha };
                        SigV4Signature signature = signer.Sign(FirehoseRequest(), Credentials(token), Day1, options);

                        IEnumerable<string> returned = new[]
                        {
                            signature.AmzDate, signature.CanonicalRequest, signature.StringToSign, signature.Signature,
                            signature.Authorization, signature.ToString() ?? string.Empty,
                        }.Concat(signature.HeadersToAdd.SelectMany(h => new[] { h.Key, h.Value }));
                        foreach (string text in returned)
                        {
                            Assert.DoesNotContain(Secret, text);
                            Assert.DoesNotContain("AWS4" + Secret, text);
                        }
                    }
                }
            }
        }

        [TestMethod]
        public void Sign_InvalidRequests_ExceptionMessagesNeverContainSecretKey()
        {
            var signer = new SigV4Signer("us-east-1", "firehose");
            var invalid = new List<Action>
            {
                () => signer.Sign(WithHeader("X-Amz-Date", "20240102T030405Z"), Credentials(), Day1),
                () => signer.Sign(WithHeader("authorization", Secret), Credentials(), Day1),
                () => signer.Sign(WithHeader("X-Amz-Security-Token", Token), Credentials(Token), Day1),
                () => signer.Sign(WithHeader("X-Amz-Content-Sha256", "x"), Credentials(), Day1, new SigV4SigningOptions { AddContentSha256Header = true }),
                () => signer.Sign(WithHeader("", "value"), Credentials(), Day1),
                () => signer.Sign(new SigV4Request { PayloadSha256Hex = "" }, Credentials(), Day1),
                () => signer.Sign(new SigV4Request { Method = "" }, Credentials(), Day1),
                () => signer.Sign(WithHeader("X-Null", null!), Credentials(), Day1),

                // (ImmutableCredentials itself refuses an empty access key or secret, so the signer's own checks
                // for those cannot be reached through it.)
            };

            foreach (Action sign in invalid)
            {
                ArgumentException error = Assert.ThrowsExactly<ArgumentException>(sign);
                Assert.DoesNotContain(Secret, error.ToString());
            }
        }

        [TestMethod]
        public void Sign_RequestWithoutTokenButWithTokenHeader_SignsItAsAnOrdinaryHeader()
        {
            SigV4Signature signature = new SigV4Signer("us-east-1", "firehose")
                .Sign(WithHeader("X-Amz-Security-Token", "given"), Credentials(), Day1);

            Assert.Contains("\nx-amz-security-token:given\n", signature.CanonicalRequest);
            Assert.IsFalse(signature.HeadersToAdd.Any(h => h.Key == "X-Amz-Security-Token"));
        }

        [TestMethod]
        public void Sign_Request_IsNotModified()
        {
            SigV4Request request = FirehoseRequest();
            var before = request.Headers.ToList();

            new SigV4Signer("us-east-1", "firehose").Sign(request, Credentials(Token), Day1);

            CollectionAssert.AreEqual(before, request.Headers);
        }

        [TestMethod]
        public void Sign_LocalOrUnspecifiedTime_TreatedAsUtcInstant()
        {
            var signer = new SigV4Signer("us-east-1", "firehose");

            string utc = signer.Sign(FirehoseRequest(), Credentials(), Day1).AmzDate;
            string local = signer.Sign(FirehoseRequest(), Credentials(), Day1.ToLocalTime()).AmzDate;
            string unspecified = signer.Sign(FirehoseRequest(), Credentials(), DateTime.SpecifyKind(Day1, DateTimeKind.Unspecified)).AmzDate;

            Assert.AreEqual("20240102T030405Z", utc);
            Assert.AreEqual(utc, local);
            Assert.AreEqual(utc, unspecified);
        }

        [TestMethod]
        public void Sign_FirehoseRequest_ProducesExpectedCanonicalRequest()
        {
            SigV4Request request = FirehoseRequest();

            SigV4Signature signature = new SigV4Signer("us-east-1", "firehose").Sign(request, Credentials(), Day1);

            Assert.AreEqual(
                "POST\n/\n\n" +
                "content-type:application/x-amz-json-1.1\n" +
                "host:firehose.us-east-1.amazonaws.com\n" +
                "x-amz-date:20240102T030405Z\n" +
                "x-amz-target:Firehose_20150804.PutRecordBatch\n\n" +
                "content-type;host;x-amz-date;x-amz-target\n" +
                request.PayloadSha256Hex,
                signature.CanonicalRequest);
            Assert.StartsWith("AWS4-HMAC-SHA256\n20240102T030405Z\n20240102/us-east-1/firehose/aws4_request\n", signature.StringToSign);
            Assert.StartsWith("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20240102/us-east-1/firehose/aws4_request, SignedHeaders=", signature.Authorization);
            Assert.MatchesRegex("^[0-9a-f]{64}$", signature.Signature);
        }

        [TestMethod]
        [DataRow("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")]
        [DataRow("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")]
        public void Sha256Hex_KnownInput_ReturnsLowerCaseHex(string input, string expected)
        {
            Assert.AreEqual(expected, SigV4Signer.Sha256Hex(Encoding.UTF8.GetBytes(input)));
        }

        [TestMethod]
        public void Sha256Hex_Empty_EqualsEmptyPayloadConstant()
        {
            Assert.AreEqual(SigV4Signer.EmptyPayloadSha256Hex, SigV4Signer.Sha256Hex(ReadOnlySpan<byte>.Empty));
            Assert.AreEqual(SigV4Signer.EmptyPayloadSha256Hex, new SigV4Request().PayloadSha256Hex);
        }

        [TestMethod]
        public void Constructor_EmptyRegionOrService_Throws()
        {
            Assert.ThrowsExactly<ArgumentException>(() => new SigV4Signer("", "firehose"));
            Assert.ThrowsExactly<ArgumentException>(() => new SigV4Signer("us-east-1", ""));
        }

        [TestMethod]
        public void Default_Options_AreFirehoseDefaultsAndNotShared()
        {
            SigV4SigningOptions options = SigV4SigningOptions.Default;

            Assert.IsTrue(options.NormalizePath);
            Assert.IsTrue(options.DoubleUriEncode);
            Assert.IsFalse(options.OmitSessionTokenFromSignature);
            Assert.IsFalse(options.AddContentSha256Header);
            Assert.AreNotSame(options, SigV4SigningOptions.Default);
        }

        [TestMethod]
        [DataRow("/", true, true, "/")]
        [DataRow("", true, true, "/")]
        [DataRow("/a/./b/../c//d/", true, true, "/a/c/d/")]
        [DataRow("/a/b/.", true, true, "/a/b")]
        [DataRow("/../a", true, true, "/a")]
        [DataRow("/a%2Fb", true, true, "/a%252Fb")]
        [DataRow("/a%2Fb", true, false, "/a%2Fb")]
        [DataRow("/a%41b", true, false, "/aAb")]
        [DataRow("/caf\u00e9 x", false, true, "/caf%C3%A9%20x")]
        public void CanonicalUri_Path_IsNormalisedAndEncoded(string path, bool normalize, bool doubleEncode, string expected)
        {
            Assert.AreEqual(expected, SigV4Canonicalizer.CanonicalUri(path, normalize, doubleEncode));
        }

        [TestMethod]
        [DataRow("", "")]
        [DataRow("b=2&a=1", "a=1&b=2")]
        [DataRow("a=2&a=1", "a=1&a=2")]
        [DataRow("flag&x=", "flag=&x=")]
        [DataRow("a=x y&&b=%7e+", "a=x%20y&b=~%2B")]
        public void CanonicalQuery_RawQuery_IsEncodedAndSorted(string query, string expected)
        {
            Assert.AreEqual(expected, SigV4Canonicalizer.CanonicalQuery(query));
        }

        [TestMethod]
        [DataRow("  a   b  ", "a b")]
        [DataRow("a\n  b\n\tc", "a b c")]
        [DataRow("\"a   b\"", "\"a b\"")]
        [DataRow("", "")]
        public void NormalizeHeaderValue_Whitespace_TrimmedAndCollapsed(string value, string expected)
        {
            Assert.AreEqual(expected, SigV4Canonicalizer.NormalizeHeaderValue(value));
        }

        private static ImmutableCredentials Credentials(string? token = null) => new(AccessKeyId, Secret, token);

        private static SigV4Request FirehoseRequest()
        {
            var request = new SigV4Request
            {
                PayloadSha256Hex = SigV4Signer.Sha256Hex("{\"DeliveryStreamName\":\"s\",\"Records\":[{\"Data\":\"aGVsbG8K\"}]}"u8),
            };
            request.Headers.Add(new KeyValuePair<string, string>("Host", "firehose.us-east-1.amazonaws.com"));
            request.Headers.Add(new KeyValuePair<string, string>("Content-Type", "application/x-amz-json-1.1"));
            request.Headers.Add(new KeyValuePair<string, string>("X-Amz-Target", "Firehose_20150804.PutRecordBatch"));
            return request;
        }

        private static SigV4Request WithHeader(string name, string value)
        {
            SigV4Request request = FirehoseRequest();
            request.Headers.Add(new KeyValuePair<string, string>(name, value));
            return request;
        }

        private static string? HeaderValue(SigV4Signature signature, string name) =>
            signature.HeadersToAdd.Where(h => h.Key == name).Select(h => h.Value).SingleOrDefault();
    }
}
