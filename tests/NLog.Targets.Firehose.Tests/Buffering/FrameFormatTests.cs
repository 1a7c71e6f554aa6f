using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using Microsoft.VisualStudio.TestTools.UnitTesting;
using NLog.Targets.Firehose.Buffering;

namespace NLog.Targets.Firehose.Tests.Buffering
{
    [TestClass]
    public class FrameFormatTests
    {
        [TestMethod]
        public void Write_ThenCheckAndDecode_RoundTripsStreamAndRecords()
        {
            var records = new List<ReadOnlyMemory<byte>> { Encoding.UTF8.GetBytes("{\"a\":1}\n"), Array.Empty<byte>(), new byte[] { 0, 255, 7 } };
            byte[] frame = Frame("strëam-1", records);

            Assert.IsTrue(FrameFormat.TryCheck(frame, out int length, out int count, out _));
            Assert.AreEqual(frame.Length, length);
            Assert.AreEqual(3, count);
            (string stream, ReadOnlyMemory<byte>[] decoded) = FrameFormat.Decode(frame);
            Assert.AreEqual("strëam-1", stream);
            Assert.HasCount(3, decoded);
            for (int i = 0; i < records.Count; i++)
                CollectionAssert.AreEqual(records[i].ToArray(), decoded[i].ToArray());
        }

        [TestMethod]
        public void TryCheck_AnyByteFlippedOrFrameCut_Rejected()
        {
            byte[] frame = Frame("s", new List<ReadOnlyMemory<byte>> { Encoding.UTF8.GetBytes("hello"), Encoding.UTF8.GetBytes("world") });
            for (int i = 0; i < frame.Length; i++)
            {
                byte[] damaged = (byte[])frame.Clone();
                damaged[i] ^= 0x10;
                Assert.IsFalse(FrameFormat.TryCheck(damaged, out _, out _, out _), "byte " + i + " flipped");
            }
            for (int cut = 0; cut < frame.Length; cut++)
                Assert.IsFalse(FrameFormat.TryCheck(frame.AsSpan(0, cut), out _, out _, out _), "cut to " + cut);
        }

        [TestMethod]
        public void Scan_DamagedMiddleFrame_ReportsItOnceAndResumesAtTheNext()
        {
            byte[] a = Frame("s", new List<ReadOnlyMemory<byte>> { Encoding.UTF8.GetBytes("one") });
            byte[] b = Frame("s", new List<ReadOnlyMemory<byte>> { Encoding.UTF8.GetBytes("two") });
            byte[] c = Frame("s", new List<ReadOnlyMemory<byte>> { Encoding.UTF8.GetBytes("three") });
            byte[] segment = a.Concat(b).Concat(c).ToArray();
            segment[a.Length + b.Length - 6] ^= 1;   // inside b's record

            var frames = new List<int>();
            var damage = new List<(int, int)>();
            FrameFormat.Scan(segment, (offset, length, count) => frames.Add(offset), (offset, length) => damage.Add((offset, length)));

            CollectionAssert.AreEqual(new[] { 0, a.Length + b.Length }, frames);
            Assert.HasCount(1, damage);
            Assert.AreEqual((a.Length, b.Length), damage[0]);
        }

        [TestMethod]
        public void IsOtherVersion_HeaderOfAnotherVersion_Recognised()
        {
            byte[] frame = Frame("s", new List<ReadOnlyMemory<byte>> { new byte[] { 1 } });
            Assert.IsFalse(FrameFormat.IsOtherVersion(frame));
            frame[4] = 2;
            Assert.IsTrue(FrameFormat.IsOtherVersion(frame));
            Assert.IsFalse(FrameFormat.TryCheck(frame, out _, out _, out _));
        }

        private static byte[] Frame(string stream, List<ReadOnlyMemory<byte>> records)
        {
            byte[] name = Encoding.UTF8.GetBytes(stream);
            var frame = new byte[FrameFormat.Measure(name.Length, records)];
            FrameFormat.Write(frame, name, records);
            return frame;
        }
    }
}
