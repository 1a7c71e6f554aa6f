using System;
using System.Linq;
using System.Text;
using Microsoft.VisualStudio.TestTools.UnitTesting;
using NLog.Targets.Firehose.Buffering;

namespace NLog.Targets.Firehose.Tests.Buffering
{
    [TestClass]
    public class Crc32CTests
    {
        [TestMethod]
        public void Compute_CheckString_IsKnownAnswer()
        {
            Assert.AreEqual(0xE3069283u, Crc32C.Compute(Encoding.ASCII.GetBytes("123456789")));
        }

        [TestMethod]
        public void Compute_Rfc3720Vectors_MatchPublishedValues()
        {
            // RFC 3720 (iSCSI) appendix B.4: 32 bytes of zeros, of ones, ascending and descending.
            Assert.AreEqual(0u, Crc32C.Compute(ReadOnlySpan<byte>.Empty));
            Assert.AreEqual(0x8A9136AAu, Crc32C.Compute(new byte[32]));
            Assert.AreEqual(0x62A8AB43u, Crc32C.Compute(Enumerable.Repeat((byte)0xFF, 32).ToArray()));
            Assert.AreEqual(0x46DD794Eu, Crc32C.Compute(Enumerable.Range(0, 32).Select(i => (byte)i).ToArray()));
            Assert.AreEqual(0x113FDB5Cu, Crc32C.Compute(Enumerable.Range(0, 32).Select(i => (byte)(31 - i)).ToArray()));
        }

        [TestMethod]
        public void Update_AnyLengthAndSplit_AgreesWithBitwiseReference()
        {
            var random = new Random(7);
            for (int length = 0; length < 100; length++)
            {
                byte[] data = new byte[length];
                random.NextBytes(data);
                uint expected = Bitwise(data);
                Assert.AreEqual(expected, Crc32C.Compute(data), "length " + length);
                int split = length == 0 ? 0 : random.Next(length);
                uint crc = Crc32C.Update(0xFFFFFFFF, data.AsSpan(0, split));
                Assert.AreEqual(expected, ~Crc32C.Update(crc, data.AsSpan(split)), "split at " + split + " of " + length);
            }
        }

        private static uint Bitwise(byte[] data)
        {
            uint crc = 0xFFFFFFFF;
            foreach (byte b in data)
            {
                crc ^= b;
                for (int bit = 0; bit < 8; bit++)
                    crc = (crc & 1) != 0 ? (crc >> 1) ^ 0x82F63B78 : crc >> 1;
            }
            return ~crc;
        }
    }
}
