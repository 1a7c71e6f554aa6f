using System;
using System.Linq;
using System.Text;
using Microsoft.VisualStudio.TestTools.UnitTesting;
using NLog.Targets.Firehose.Batching;

namespace NLog.Targets.Firehose.Tests.Batching
{
    [TestClass]
    public class RecordBufferTests
    {
        private static readonly byte[] Newline = { (byte)'\n' };

        [TestMethod]
        public void TryAdd_SurrogatePairSplitAcrossChunks_EncodedAsOneCharacter()
        {
            // A chunk of capacity 16 filled with 15 'a' and the high surrogate of 🙂; the low surrogate starts the next chunk.
            var text = new StringBuilder(16);
            text.Append('a', 15);
            text.Append("🙂 end");
            var chunks = new System.Collections.Generic.List<char[]>();
            foreach (ReadOnlyMemory<char> chunk in text.GetChunks())
                chunks.Add(chunk.ToArray());
            Assert.IsGreaterThan(1, chunks.Count);
            Assert.IsTrue(char.IsHighSurrogate(chunks[0][^1]), "the test needs a chunk that ends on a high surrogate");

            var buffer = new RecordBuffer();
            long size = buffer.TryAdd(text, Newline, FirehoseLimits.MaxRecordBytes, out bool added);
            Assert.IsTrue(added);
            string expected = new string('a', 15) + "🙂 end\n";
            Assert.AreEqual(Encoding.UTF8.GetByteCount(expected), size);
            CollectionAssert.AreEqual(Encoding.UTF8.GetBytes(expected), buffer[0].ToArray());
            Assert.AreEqual(size, buffer.MeasureUtf8(text, Newline));
        }

        [TestMethod]
        public void TryAdd_TooLarge_NothingStoredAndLaterRecordsUnaffected()
        {
            var buffer = new RecordBuffer();
            long size = buffer.TryAdd(new StringBuilder(new string('é', 600)), Newline, 1000, out bool added);
            Assert.IsFalse(added);
            Assert.AreEqual(1201, size);
            buffer.TryAdd(new StringBuilder("ok"), Newline, 1000, out added);
            Assert.IsTrue(added);
            Assert.AreEqual(1, buffer.Count);
            CollectionAssert.AreEqual(Encoding.UTF8.GetBytes("ok\n"), buffer[0].ToArray());
        }
    
        [TestMethod]
        public void RetainLast_ThreeRecords_OnlyLastKeptAtStartAndMoreCanFollow()
        {
            var buffer = new RecordBuffer();
            foreach (string text in new[] { "one", "two", "three" })
                buffer.TryAdd(new StringBuilder(text), Newline, 1000, out _);
            buffer.RetainLast();
            Assert.AreEqual(1, buffer.Count);
            CollectionAssert.AreEqual(Encoding.UTF8.GetBytes("three\n"), buffer[0].ToArray());
            buffer.TryAdd(new StringBuilder("four"), Newline, 1000, out _);
            CollectionAssert.AreEqual(new[] { "three\n", "four\n" }, Enumerable.Range(0, buffer.Count).Select(i => Encoding.UTF8.GetString(buffer[i].Span)).ToArray());
        }
    }
}
