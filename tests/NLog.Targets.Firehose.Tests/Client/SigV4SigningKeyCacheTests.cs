using System;
using System.Collections.Concurrent;
using System.Linq;
using System.Threading.Tasks;
using Microsoft.VisualStudio.TestTools.UnitTesting;
using NLog.Targets.Firehose.Client;

namespace NLog.Targets.Firehose.Tests.Client
{
    [TestClass]
    public sealed class SigV4SigningKeyCacheTests
    {
        private const string Secret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";

        [TestMethod]
        public void DeriveSigningKey_AwsDocumentationExample_MatchesPublishedKey()
        {
            // The example from the AWS documentation ("derive a signing key"): 20120215 / us-east-1 / iam.
            byte[] key = SigV4SigningKeyCache.DeriveSigningKey(Secret, "20120215", "us-east-1", "iam");

            Assert.AreEqual("f4780e2d9f65fa895f9c67b32ce1baf0b0d8a43505a000a1a9e090d414db404d", Convert.ToHexStringLower(key));
        }

        [TestMethod]
        public void GetSigningKey_SameInputsTwice_DerivesOnce()
        {
            var cache = new SigV4SigningKeyCache();

            byte[] first = cache.GetSigningKey(Secret, "20150830", "us-east-1", "service").ToArray();
            byte[] second = cache.GetSigningKey(Secret, "20150830", "us-east-1", "service").ToArray();

            Assert.AreEqual(1L, cache.DerivationCount);
            CollectionAssert.AreEqual(first, second);
            CollectionAssert.AreEqual(SigV4SigningKeyCache.DeriveSigningKey(Secret, "20150830", "us-east-1", "service"), first);
        }

        [TestMethod]
        public void GetSigningKey_NextDay_DerivesNewKey()
        {
            var cache = new SigV4SigningKeyCache();

            byte[] day1 = cache.GetSigningKey(Secret, "20150830", "us-east-1", "service").ToArray();
            byte[] day2 = cache.GetSigningKey(Secret, "20150831", "us-east-1", "service").ToArray();

            Assert.AreEqual(2L, cache.DerivationCount);
            CollectionAssert.AreNotEqual(day1, day2);
            CollectionAssert.AreEqual(SigV4SigningKeyCache.DeriveSigningKey(Secret, "20150831", "us-east-1", "service"), day2);
        }

        [TestMethod]
        public void GetSigningKey_AnyInputChanges_Rederives()
        {
            var cache = new SigV4SigningKeyCache();
            cache.GetSigningKey(Secret, "20150830", "us-east-1", "service");

            cache.GetSigningKey(Secret + "2", "20150830", "us-east-1", "service");
            cache.GetSigningKey(Secret + "2", "20150830", "eu-west-1", "service");
            cache.GetSigningKey(Secret + "2", "20150830", "eu-west-1", "firehose");

            Assert.AreEqual(4L, cache.DerivationCount);
        }

        [TestMethod]
        public void GetSigningKey_BackToEarlierInputs_RederivesBecauseOnlyLatestIsKept()
        {
            var cache = new SigV4SigningKeyCache();

            cache.GetSigningKey(Secret, "20150830", "us-east-1", "service");
            cache.GetSigningKey(Secret, "20150831", "us-east-1", "service");
            cache.GetSigningKey(Secret, "20150830", "us-east-1", "service");

            Assert.AreEqual(3L, cache.DerivationCount);
        }

        [TestMethod]
        public void GetSigningKey_ConcurrentCallers_AllGetTheCorrectKey()
        {
            var cache = new SigV4SigningKeyCache();
            string[] dates = ["20150830", "20150831"];
            var results = new ConcurrentBag<(string Date, string KeyHex)>();

            Parallel.For(0, 2000, i =>
            {
                string date = dates[i / 500 % 2];
                results.Add((date, Convert.ToHexStringLower(cache.GetSigningKey(Secret, date, "us-east-1", "service"))));
            });

            foreach (string date in dates)
            {
                string expected = Convert.ToHexStringLower(SigV4SigningKeyCache.DeriveSigningKey(Secret, date, "us-east-1", "service"));
                Assert.IsTrue(results.Where(r => r.Date == date).All(r => r.KeyHex == expected), $"wrong key for {date}");
            }
        }
    }
}
