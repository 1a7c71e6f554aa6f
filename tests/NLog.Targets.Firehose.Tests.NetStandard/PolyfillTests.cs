using System;
using System.Buffers;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Net.Http;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.VisualStudio.TestTools.UnitTesting;
using NLog.Targets.Firehose.Polyfills;

namespace NLog.Targets.Firehose.Tests
{
    /// <summary>
    /// The netstandard2.0 build's stand-ins for .NET 8 members (Polyfills/), called directly and compared with the
    /// runtime's own members, which this net10.0 process has.
    /// </summary>
    [TestClass]
    public class PolyfillTests
    {
        private static readonly Random Seeded = new Random(20240607);

        [TestMethod]
        public void ArrayMaxLength_Polyfill_EqualsRuntime()
        {
            Assert.AreEqual(Array.MaxLength, ArrayPolyfill.get_MaxLength());
        }

        [TestMethod]
        [DataRow(0)]
        [DataRow(1)]
        [DataRow(4)]
        [DataRow(33)]
        public void ConvertToHexString_RandomBytes_EqualsRuntime(int length)
        {
            byte[] bytes = RandomBytes(length);
            Assert.AreEqual(Convert.ToHexString(bytes), ConvertPolyfill.ToHexString(bytes));
            Assert.AreEqual(Convert.ToHexString(bytes), ConvertPolyfill.ToHexString(new ReadOnlySpan<byte>(bytes)));
        }

        [TestMethod]
        [DataRow(0L)]
        [DataRow(1L)]
        [DataRow(15L)]
        [DataRow(16L)]
        [DataRow(1717777777L)]
        [DataRow(long.MaxValue)]
        [DataRow(-1L)]
        [DataRow(long.MinValue)]
        public void LongTryFormat_HexAndDecimal_EqualsRuntime(long value)
        {
            Span<char> expected = stackalloc char[32];
            Span<char> actual = stackalloc char[32];
            foreach (string format in new[] { "x", "X", "D", "" })
            {
                Assert.IsTrue(value.TryFormat(expected, out int expectedWritten, format, CultureInfo.InvariantCulture));
                Assert.IsTrue(NumberFormattingPolyfill.TryFormat(value, actual, out int actualWritten, format, CultureInfo.InvariantCulture));
                Assert.AreEqual(expected.Slice(0, expectedWritten).ToString(), actual.Slice(0, actualWritten).ToString(), "format '" + format + "'");
            }
        }

        [TestMethod]
        [DataRow(0u)]
        [DataRow(9u)]
        [DataRow(0xABCDu)]
        [DataRow(uint.MaxValue)]
        public void UIntTryFormat_Hex_EqualsRuntime(uint value)
        {
            Span<char> expected = stackalloc char[16];
            Span<char> actual = stackalloc char[16];
            Assert.IsTrue(value.TryFormat(expected, out int expectedWritten, "x", CultureInfo.InvariantCulture));
            Assert.IsTrue(NumberFormattingPolyfill.TryFormat(value, actual, out int actualWritten, "x", CultureInfo.InvariantCulture));
            Assert.AreEqual(expected.Slice(0, expectedWritten).ToString(), actual.Slice(0, actualWritten).ToString());
        }

        [TestMethod]
        public void LongTryFormat_DestinationTooShort_FalseLikeRuntime()
        {
            Span<char> small = stackalloc char[3];
            Assert.IsFalse(0x1234L.TryFormat(small, out _, "x", CultureInfo.InvariantCulture));
            Assert.IsFalse(NumberFormattingPolyfill.TryFormat(0x1234L, small, out int written, "x", CultureInfo.InvariantCulture));
            Assert.AreEqual(0, written);
            Assert.IsFalse(NumberFormattingPolyfill.TryFormat(12345L, small, out _, "D", CultureInfo.InvariantCulture));
        }

        private static readonly string[] Texts = { "", "plain ascii", "caf\u00e9 \u20ac \U0001F642", "lone \ud83d high and \ude42 low" };

        [TestMethod]
        [DataRow(0)]
        [DataRow(1)]
        [DataRow(2)]
        [DataRow(3)]
        public void EncodingSpans_Utf8_EqualRuntime(int textIndex)
        {
            string text = Texts[textIndex];
            var utf8 = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: false);
            byte[] expected = utf8.GetBytes(text);
            Assert.AreEqual(utf8.GetByteCount(text.AsSpan()), EncodingPolyfill.GetByteCount(utf8, text.AsSpan()));

            var actual = new byte[expected.Length + 4];
            int written = EncodingPolyfill.GetBytes(utf8, text.AsSpan(), actual);
            CollectionAssert.AreEqual(expected, actual.AsSpan(0, written).ToArray());
            Assert.AreEqual(utf8.GetString(expected), EncodingPolyfill.GetString(utf8, expected.AsSpan()));
        }

        [TestMethod]
        public void EncoderGetBytes_SurrogatePairSplitAcrossCalls_EqualsRuntime()
        {
            string text = "ab\U0001F642cd";
            int split = text.IndexOf('\ud83d') + 1;   // between the high and the low surrogate
            byte[] Encode(Func<Encoder, ReadOnlySpan<char>, Span<byte>, bool, int> getBytes)
            {
                Encoder encoder = new UTF8Encoding(false, false).GetEncoder();
                var output = new byte[32];
                int n = getBytes(encoder, text.AsSpan(0, split), output, false);
                n += getBytes(encoder, text.AsSpan(split), output.AsSpan(n), false);
                n += getBytes(encoder, ReadOnlySpan<char>.Empty, output.AsSpan(n), true);
                return output.AsSpan(0, n).ToArray();
            }

            byte[] expected = Encode((e, c, b, f) => e.GetBytes(c, b, f));
            CollectionAssert.AreEqual(Encoding.UTF8.GetBytes(text), expected);
            CollectionAssert.AreEqual(expected, Encode((e, c, b, f) => EncoderPolyfill.GetBytes(e, c, b, f)));
        }

        [TestMethod]
        [DataRow(0)]
        [DataRow(1)]
        [DataRow(StringBuilderChunks.PieceChars)]
        [DataRow(StringBuilderChunks.PieceChars + 1)]
        [DataRow((3 * StringBuilderChunks.PieceChars) + 5)]
        public void StringBuilderChunks_AnyLength_ConcatenateToTheText(int length)
        {
            var builder = new StringBuilder();
            for (int i = 0; i < length; i++)
                builder.Append((char)('a' + (i % 26)));
            var joined = new StringBuilder();
            int pieces = 0;
            foreach (ReadOnlyMemory<char> piece in StringBuilderPolyfill.GetChunks(builder))
            {
                Assert.IsLessThanOrEqualTo(StringBuilderChunks.PieceChars, piece.Length);
                Assert.IsGreaterThan(0, piece.Length);
                joined.Append(piece.Span);
                pieces++;
            }
            Assert.AreEqual(builder.ToString(), joined.ToString());
            Assert.AreEqual((length + StringBuilderChunks.PieceChars - 1) / StringBuilderChunks.PieceChars, pieces);
        }

        [TestMethod]
        public void StringBuilderAppend_Span_AppendsTheChars()
        {
            var builder = new StringBuilder("x");
            StringBuilderPolyfill.Append(builder, "caf\u00e9".AsSpan(1, 3));
            StringBuilderPolyfill.Append(builder, ReadOnlySpan<char>.Empty);
            Assert.AreEqual("xaf\u00e9", builder.ToString());
        }

        [TestMethod]
        public void StopwatchGetElapsedTime_TimestampPairs_EqualRuntime()
        {
            long now = Stopwatch.GetTimestamp();
            foreach (long delta in new[] { 0L, 1L, 999L, Stopwatch.Frequency, Stopwatch.Frequency * 3600, -Stopwatch.Frequency })
                Assert.AreEqual(Stopwatch.GetElapsedTime(now, now + delta), StopwatchPolyfill.GetElapsedTime(now, now + delta));
            TimeSpan sinceStart = StopwatchPolyfill.GetElapsedTime(now);
            Assert.IsGreaterThanOrEqualTo(TimeSpan.Zero, sinceStart);
        }

        [TestMethod]
        public void EnvironmentTickCount64_OverASleep_AdvancesLikeRuntime()
        {
            long runtimeStart = Environment.TickCount64;
            long polyfillStart = EnvironmentPolyfill.get_TickCount64();
            Thread.Sleep(200);
            long polyfillElapsed = EnvironmentPolyfill.get_TickCount64() - polyfillStart;
            long runtimeElapsed = Environment.TickCount64 - runtimeStart;
            Assert.IsGreaterThanOrEqualTo(199L, polyfillElapsed);
            Assert.IsLessThan(100L, Math.Abs(polyfillElapsed - runtimeElapsed), $"polyfill {polyfillElapsed} ms, runtime {runtimeElapsed} ms");
            Assert.IsGreaterThan(0L, polyfillStart);
        }

        [TestMethod]
        public void EnvironmentProcessId_Polyfill_EqualsRuntime()
        {
            Assert.AreEqual(Environment.ProcessId, EnvironmentPolyfill.get_ProcessId());
            Assert.AreEqual(Environment.ProcessId, EnvironmentPolyfill.get_ProcessId());   // the cached value
        }

        [TestMethod]
        [DataRow(0, 0)]
        [DataRow(4, 3)]
        [DataRow(32, 100)]
        [DataRow(65, 64 * 1024)]
        [DataRow(40, (64 * 1024) + 1)]
        [DataRow(20, (3 * 64 * 1024) + 17)]
        public void HashData_RandomKeyAndData_EqualsRuntime(int keyLength, int dataLength)
        {
            byte[] key = RandomBytes(keyLength);
            byte[] data = RandomBytes(dataLength);
            Assert.AreEqual(HMACSHA256.HashSizeInBytes, HMACSHA256Polyfill.get_HashSizeInBytes());
            Assert.AreEqual(SHA256.HashSizeInBytes, SHA256Polyfill.get_HashSizeInBytes());

            var mac = new byte[32];
            Assert.AreEqual(32, HMACSHA256Polyfill.HashData(key, data, mac));
            CollectionAssert.AreEqual(HMACSHA256.HashData(key, data), mac);

            var hash = new byte[32];
            Assert.AreEqual(32, SHA256Polyfill.HashData(data, hash));
            CollectionAssert.AreEqual(SHA256.HashData(data), hash);
        }

        [TestMethod]
        public void HashData_DestinationTooShort_Throws()
        {
            Assert.ThrowsExactly<ArgumentException>(() => HMACSHA256Polyfill.HashData(new byte[4], new byte[4], new byte[31]));
            Assert.ThrowsExactly<ArgumentException>(() => SHA256Polyfill.HashData(new byte[4], new byte[31]));
        }

        [TestMethod]
        public void CryptographicOperationsZeroMemory_Buffer_Cleared()
        {
            byte[] buffer = RandomBytes(16);
            buffer[0] = 1;
            Polyfills.CryptographicOperations.ZeroMemory(buffer);
            CollectionAssert.AreEqual(new byte[16], buffer);
        }

        [TestMethod]
        public void RandomNumberGeneratorGetBytes_Count_ThatManyNotAllEqual()
        {
            byte[] bytes = RandomNumberGeneratorPolyfill.GetBytes(64);
            Assert.HasCount(64, bytes);
            Assert.AreNotEqual(64, Array.FindAll(bytes, b => b == bytes[0]).Length, "64 equal random bytes");
            Assert.IsEmpty(RandomNumberGeneratorPolyfill.GetBytes(0));
        }

        [TestMethod]
        [DataRow("secret in secret out", "secret", StringComparison.Ordinal)]
        [DataRow("aaaa", "aa", StringComparison.Ordinal)]
        [DataRow("no match here", "zz", StringComparison.Ordinal)]
        [DataRow("SeCrEt and secret", "secret", StringComparison.OrdinalIgnoreCase)]
        [DataRow("endsWithKEY", "KEY", StringComparison.Ordinal)]
        public void StringReplace_WithComparison_EqualsRuntime(string text, string oldValue, StringComparison comparison)
        {
            Assert.AreEqual(text.Replace(oldValue, "***", comparison), StringPolyfill.Replace(text, oldValue, "***", comparison));
            Assert.AreEqual(text.Replace(oldValue, null, comparison), StringPolyfill.Replace(text, oldValue, null, comparison));
        }

        [TestMethod]
        public void StringReplace_EmptyOldValue_ThrowsLikeRuntime()
        {
            Assert.ThrowsExactly<ArgumentException>(() => "abc".Replace(string.Empty, "x", StringComparison.Ordinal));
            Assert.ThrowsExactly<ArgumentException>(() => StringPolyfill.Replace("abc", string.Empty, "x", StringComparison.Ordinal));
        }

        [TestMethod]
        [DataRow("name=value", '=')]
        [DataRow("novalue", '=')]
        [DataRow("A=b", 'a')]
        public void StringIndexOf_CharWithComparison_EqualsRuntime(string text, char value)
        {
            foreach (StringComparison comparison in new[] { StringComparison.Ordinal, StringComparison.OrdinalIgnoreCase })
                Assert.AreEqual(text.IndexOf(value, comparison), StringPolyfill.IndexOf(text, value, comparison), comparison.ToString());
        }

        [TestMethod]
        public async Task WaitAsync_TaskEndsFirst_ItsResult()
        {
            var source = new TaskCompletionSource<int>();
            Task<int> waiting = TaskPolyfill.WaitAsync(source.Task, TimeSpan.FromSeconds(30), CancellationToken.None);
            source.SetResult(7);
            Assert.AreEqual(7, await waiting);
        }

        [TestMethod]
        public async Task WaitAsync_TaskFails_ItsException()
        {
            var source = new TaskCompletionSource<int>();
            Task<int> waiting = TaskPolyfill.WaitAsync(source.Task, new CancellationTokenSource().Token);
            source.SetException(new InvalidDataException("bad"));
            var thrown = await Assert.ThrowsExactlyAsync<InvalidDataException>(() => waiting);
            Assert.AreEqual("bad", thrown.Message);
        }

        [TestMethod]
        public async Task WaitAsync_TimeoutPasses_TimeoutException()
        {
            var never = new TaskCompletionSource<int>();
            await Assert.ThrowsExactlyAsync<TimeoutException>(() => TaskPolyfill.WaitAsync(never.Task, TimeSpan.FromMilliseconds(50), CancellationToken.None));
            await Assert.ThrowsExactlyAsync<TimeoutException>(() => never.Task.WaitAsync(TimeSpan.FromMilliseconds(50), CancellationToken.None));
        }

        [TestMethod]
        public async Task WaitAsync_Cancelled_TaskCanceledExceptionForTheToken()
        {
            var never = new TaskCompletionSource<int>();
            using var cancel = new CancellationTokenSource();
            Task<int> waiting = TaskPolyfill.WaitAsync(never.Task, cancel.Token);
            cancel.CancelAfter(50);
            var thrown = await Assert.ThrowsExactlyAsync<TaskCanceledException>(() => waiting);
            Assert.AreEqual(cancel.Token, thrown.CancellationToken);
            Assert.IsFalse(never.Task.IsCompleted, "the task itself goes on");

            // Already cancelled: like the runtime, a cancelled task at once.
            Task<int> already = TaskPolyfill.WaitAsync(never.Task, cancel.Token);
            Assert.IsTrue(already.IsCanceled);
            Assert.IsTrue(never.Task.WaitAsync(cancel.Token).IsCanceled);
        }

        [TestMethod]
        public void TaskCompletionSource_SetResult_TaskRanToCompletion()
        {
            var source = new Polyfills.TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            Task task = source.Task;
            Assert.IsFalse(task.IsCompleted);
            source.SetResult();
            Assert.IsTrue(task.IsCompletedSuccessfully);
            Assert.IsFalse(source.TrySetResult());
        }

        [TestMethod]
        public void ReferenceEqualityComparer_EqualButDistinctObjects_NotEqual()
        {
            string a = new string('x', 3);
            string b = new string('x', 3);
            var comparer = Polyfills.ReferenceEqualityComparer.Instance;
            Assert.IsFalse(comparer.Equals(a, b));
            Assert.IsTrue(comparer.Equals(a, a));
            Assert.AreEqual(RuntimeHelpers.GetHashCode(a), comparer.GetHashCode(a));
            var set = new HashSet<object?>(comparer) { a, b, a };
            Assert.HasCount(2, set);
        }

        [TestMethod]
        public void ArrayBufferWriter_SameWrites_SameStateAsRuntime()
        {
            var expected = new System.Buffers.ArrayBufferWriter<byte>(16);
            var actual = new Polyfills.ArrayBufferWriter<byte>(16);
            foreach (int size in new[] { 1, 15, 3, 100, 0, 5000 })
            {
                byte[] data = RandomBytes(size);
                data.CopyTo(expected.GetSpan(size));
                expected.Advance(size);
                data.CopyTo(actual.GetMemory(size).Span);
                actual.Advance(size);
                Assert.AreEqual(expected.WrittenCount, actual.WrittenCount);
                Assert.AreEqual(expected.Capacity, actual.Capacity, "the same growth");
                CollectionAssert.AreEqual(expected.WrittenSpan.ToArray(), actual.WrittenMemory.ToArray());
            }
            expected.Clear();
            actual.Clear();
            Assert.AreEqual(0, actual.WrittenCount);
            Assert.AreEqual(expected.Capacity, actual.Capacity, "Clear keeps the buffer");
            Assert.ThrowsExactly<InvalidOperationException>(() => actual.Advance(actual.Capacity + 1));
        }

        [TestMethod]
        public void FileMove_OverwriteExisting_DestinationReplacedSourceGone()
        {
            using var dir = new Buffering.TempDirectory();
            string source = Path.Combine(dir.Path, "new.tmp");
            string destination = Path.Combine(dir.Path, "file.ack");
            File.WriteAllText(source, "new");
            File.WriteAllText(destination, "old");
            FilePolyfill.Move(source, destination, overwrite: true);
            Assert.AreEqual("new", File.ReadAllText(destination));
            Assert.IsFalse(File.Exists(source));
        }

        [TestMethod]
        public void FileMove_OverwriteMissingDestination_Moved()
        {
            using var dir = new Buffering.TempDirectory();
            string source = Path.Combine(dir.Path, "new.tmp");
            string destination = Path.Combine(dir.Path, "file.ack");
            File.WriteAllText(source, "new");
            FilePolyfill.Move(source, destination, overwrite: true);
            Assert.AreEqual("new", File.ReadAllText(destination));
            Assert.IsFalse(File.Exists(source));
        }

        [TestMethod]
        public void FileMove_NoOverwriteExistingDestination_IOExceptionLikeRuntime()
        {
            using var dir = new Buffering.TempDirectory();
            string source = Path.Combine(dir.Path, "new.tmp");
            string destination = Path.Combine(dir.Path, "file.ack");
            File.WriteAllText(source, "new");
            File.WriteAllText(destination, "old");
            Assert.ThrowsExactly<IOException>(() => File.Move(source, destination, overwrite: false));
            Assert.ThrowsExactly<IOException>(() => FilePolyfill.Move(source, destination, overwrite: false));
            Assert.AreEqual("old", File.ReadAllText(destination));
        }

        [TestMethod]
        public void FileMove_MissingSource_FileNotFoundLikeRuntime()
        {
            using var dir = new Buffering.TempDirectory();
            string destination = Path.Combine(dir.Path, "file.ack");
            File.WriteAllText(destination, "old");
            Assert.ThrowsExactly<FileNotFoundException>(() => File.Move(Path.Combine(dir.Path, "missing"), destination, overwrite: true));
            Assert.ThrowsExactly<FileNotFoundException>(() => FilePolyfill.Move(Path.Combine(dir.Path, "missing"), destination, overwrite: true));
            Assert.AreEqual("old", File.ReadAllText(destination));
        }

        [TestMethod]
        public void HttpRequestErrors_ErrorOnThisRuntime_NamedAsNet8Names()
        {
            Assert.AreEqual("ConnectionError", HttpRequestErrors.NameOf(new HttpRequestException(HttpRequestError.ConnectionError, "refused")));
            Assert.AreEqual("NameResolutionError", HttpRequestErrors.NameOf(new HttpRequestException(HttpRequestError.NameResolutionError, "no such host")));
            Assert.IsNull(HttpRequestErrors.NameOf(new HttpRequestException("unknown")));
        }

        [TestMethod]
        public void MethodInfoCreateDelegate_Generic_BindsTheMethod()
        {
            var method = typeof(string).GetMethod(nameof(string.ToUpperInvariant), Type.EmptyTypes)!;
            Func<string> bound = MethodInfoPolyfill.CreateDelegate<Func<string>>(method, "abc");
            Assert.AreEqual("ABC", bound());
            var isNullOrEmpty = typeof(string).GetMethod(nameof(string.IsNullOrEmpty))!;
            Assert.IsTrue(MethodInfoPolyfill.CreateDelegate<Func<string?, bool>>(isNullOrEmpty)(null));
        }

        [TestMethod]
        public void ArgumentNullExceptionThrowIfNull_Null_NamesTheArgument()
        {
            object? value = null;
            var thrown = Assert.ThrowsExactly<ArgumentNullException>(() => ArgumentNullExceptionPolyfill.ThrowIfNull(value));
            Assert.AreEqual(nameof(value), thrown.ParamName);
            ArgumentNullExceptionPolyfill.ThrowIfNull(new object());
        }

        [TestMethod]
        public void KeyValuePairDeconstruct_Pair_KeyAndValue()
        {
            KeyValuePairPolyfill.Deconstruct(new KeyValuePair<string, int>("k", 3), out string key, out int value);
            Assert.AreEqual("k", key);
            Assert.AreEqual(3, value);
        }

        private static byte[] RandomBytes(int length)
        {
            var bytes = new byte[length];
            lock (Seeded)
                Seeded.NextBytes(bytes);
            return bytes;
        }
    }
}
