using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Microsoft.VisualStudio.TestTools.UnitTesting;
using NLog.Layouts;
using NLog.Targets.Firehose.Batching;
using NLog.Targets.Firehose.Layouts;

namespace NLog.Targets.Firehose.Tests.Batching
{
    /// <summary>Truncating an oversized record: a JSON object keeps its shape and loses the ends of its longest strings; text is cut at a character boundary.</summary>
    [TestClass]
    public class RecordTruncatorTests
    {
        private const string Ellipsis = "\u2026";

        /// <summary>The real limit with room for the "\n" delimiter.</summary>
        private const int RealLimit = FirehoseLimits.MaxRecordBytes - 1;

        /// <summary>Throws on invalid UTF-8: decoding with it proves a result is valid.</summary>
        private static readonly UTF8Encoding StrictUtf8 = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

        private static byte[] Utf8(string text) => StrictUtf8.GetBytes(text);

        /// <summary>Writes an object with Utf8JsonWriter; the relaxed encoder keeps non-ASCII BMP text as UTF-8, as NLog does.</summary>
        private static byte[] Json(Action<Utf8JsonWriter> writeProperties, bool relaxed = true)
        {
            using var stream = new MemoryStream();
            using (var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Encoder = relaxed ? JavaScriptEncoder.UnsafeRelaxedJsonEscaping : null }))
            {
                writer.WriteStartObject();
                writeProperties(writer);
                writer.WriteEndObject();
            }
            return stream.ToArray();
        }

        /// <summary>An exception whose ToString is a long stack trace, without having to throw it that deep.</summary>
        private sealed class LongTraceException : Exception
        {
            private readonly string _text;

            public LongTraceException(string message, string text) : base(message) => _text = text;

            public override string ToString() => _text;
        }

        /// <summary>Renders an event with the target's real default layout.</summary>
        private static byte[] DefaultLayoutRecord(string message, Exception? exception = null)
        {
            JsonLayout layout = FirehoseJsonLayout.CreateJson("checkout-api");
            var logEvent = new LogEventInfo(LogLevel.Error, "Orders.Checkout", message) { Exception = exception };
            logEvent.Properties["OrderId"] = 42;
            logEvent.Properties["Customer"] = "ACME Corp";
            return Utf8(layout.Render(logEvent));
        }

        private static string LongText(int length, int seed = 1)
        {
            var random = new Random(seed);
            var text = new StringBuilder(length);
            while (text.Length < length)
                text.Append("word").Append(random.Next(1000)).Append(' ');
            return text.ToString(0, length);
        }

        private static byte[] Truncate(byte[] record, int limit, out bool wasJson) => RecordTruncator.Truncate(record, limit, out wasJson)!;

        /// <summary>
        /// Asserts that <paramref name="result"/> is a valid truncation of the JSON object <paramref name="original"/>:
        /// within the limit, valid UTF-8 and JSON, the same properties in the same order followed by the marker, every
        /// non-string value unchanged, every string value either unchanged or a prefix of the original plus "…".
        /// </summary>
        private static JsonElement AssertValidTruncation(byte[] original, byte[] result, int limit)
        {
            Assert.IsLessThanOrEqualTo(limit, result.Length);
            StrictUtf8.GetString(result);   // throws on invalid UTF-8
            JsonElement before = JsonDocument.Parse(original).RootElement;
            JsonElement after = JsonDocument.Parse(result).RootElement;   // throws on invalid JSON
            Assert.AreEqual(JsonValueKind.Object, after.ValueKind);

            var beforeProperties = before.EnumerateObject().ToList();
            var afterProperties = after.EnumerateObject().ToList();
            Assert.HasCount(beforeProperties.Count + 2, afterProperties);
            for (int i = 0; i < beforeProperties.Count; i++)
            {
                Assert.AreEqual(beforeProperties[i].Name, afterProperties[i].Name);
                AssertValueTruncated(beforeProperties[i].Value, afterProperties[i].Value);
            }
            Assert.AreEqual(RecordTruncator.MarkerField, afterProperties[^2].Name);
            Assert.AreEqual(JsonValueKind.True, afterProperties[^2].Value.ValueKind);
            Assert.AreEqual(RecordTruncator.OriginalSizeField, afterProperties[^1].Name);
            Assert.AreEqual(original.Length, afterProperties[^1].Value.GetInt32());
            return after;
        }

        private static void AssertValueTruncated(JsonElement before, JsonElement after)
        {
            Assert.AreEqual(before.ValueKind, after.ValueKind);
            switch (before.ValueKind)
            {
                case JsonValueKind.String:
                    string originalText = before.GetString()!;
                    string text = after.GetString()!;   // throws on a lone escaped surrogate
                    if (text == originalText)
                        return;
                    Assert.EndsWith(Ellipsis, text);
                    string kept = text[..^1];
                    Assert.IsLessThan(originalText.Length, kept.Length);
                    Assert.StartsWith(kept, originalText, StringComparison.Ordinal);
                    break;
                case JsonValueKind.Object:
                    var a = before.EnumerateObject().ToList();
                    var b = after.EnumerateObject().ToList();
                    Assert.HasCount(a.Count, b);
                    for (int i = 0; i < a.Count; i++)
                    {
                        Assert.AreEqual(a[i].Name, b[i].Name);
                        AssertValueTruncated(a[i].Value, b[i].Value);
                    }
                    break;
                case JsonValueKind.Array:
                    var x = before.EnumerateArray().ToList();
                    var y = after.EnumerateArray().ToList();
                    Assert.HasCount(x.Count, y);
                    for (int i = 0; i < x.Count; i++)
                        AssertValueTruncated(x[i], y[i]);
                    break;
                default:
                    Assert.AreEqual(before.GetRawText(), after.GetRawText());
                    break;
            }
        }

        [TestMethod]
        public void Truncate_TwoMegabyteMessageInDefaultLayout_FitsNearLimitKeepsEveryFieldAndMarksIt()
        {
            string message = LongText(2_000_000);
            byte[] record = DefaultLayoutRecord(message, new InvalidOperationException("boom"));
            Assert.IsGreaterThan(RealLimit, record.Length);

            byte[] result = Truncate(record, RealLimit, out bool wasJson);

            Assert.IsTrue(wasJson);
            JsonElement json = AssertValidTruncation(record, result, RealLimit);
            string cut = json.GetProperty("message").GetString()!;
            Assert.EndsWith(Ellipsis, cut);
            Assert.StartsWith(cut[..^1], message, StringComparison.Ordinal);
            Assert.AreEqual("error", json.GetProperty("log.level").GetString());
            Assert.AreEqual("System.InvalidOperationException", json.GetProperty("error.type").GetString());
            Assert.AreEqual(42, json.GetProperty("OrderId").GetInt32());
            Assert.AreEqual("ACME Corp", json.GetProperty("Customer").GetString());
            Assert.IsTrue(json.GetProperty(RecordTruncator.MarkerField).GetBoolean());
            Assert.AreEqual(record.Length, json.GetProperty(RecordTruncator.OriginalSizeField).GetInt32());
            Assert.IsGreaterThanOrEqualTo((int)(RealLimit * 0.9), result.Length, "not wastefully small");
            Assert.IsGreaterThanOrEqualTo(RealLimit - 16, result.Length, "in fact within a few bytes of the limit");
        }

        [TestMethod]
        public void Truncate_MessageAndStackTraceBothHuge_BothShrinkToTheSameSize()
        {
            string message = LongText(1_500_000, seed: 1);
            string trace = LongText(1_200_000, seed: 2);
            byte[] record = DefaultLayoutRecord(message, new LongTraceException("boom", trace));

            byte[] result = Truncate(record, RealLimit, out _);

            JsonElement json = AssertValidTruncation(record, result, RealLimit);
            string cutMessage = json.GetProperty("message").GetString()!;
            string cutTrace = json.GetProperty("error.stack_trace").GetString()!;
            Assert.EndsWith(Ellipsis, cutMessage);
            Assert.EndsWith(Ellipsis, cutTrace);
            Assert.IsLessThanOrEqualTo(1, Math.Abs(cutMessage.Length - cutTrace.Length), "water-filling: both cut to the common cap");
            Assert.IsGreaterThan(400_000, cutTrace.Length);
            Assert.IsGreaterThanOrEqualTo(RealLimit - 16, result.Length);
        }

        [TestMethod]
        public void Truncate_HugeMessageAndShorterStackTrace_ShorterKeptWhole()
        {
            string message = LongText(2_000_000, seed: 3);
            string trace = LongText(300_000, seed: 4);
            byte[] record = DefaultLayoutRecord(message, new LongTraceException("boom", trace));

            byte[] result = Truncate(record, RealLimit, out _);

            JsonElement json = AssertValidTruncation(record, result, RealLimit);
            Assert.AreEqual(trace, json.GetProperty("error.stack_trace").GetString());
            Assert.EndsWith(Ellipsis, json.GetProperty("message").GetString()!);
            Assert.IsGreaterThanOrEqualTo(RealLimit - 16, result.Length);
        }

        [TestMethod]
        public void Truncate_NestedObjectAndArrayWithLongStrings_ShrinksNestedValues()
        {
            string deep = LongText(50_000, seed: 5);
            string inArray = LongText(40_000, seed: 6);
            byte[] record = Json(w =>
            {
                w.WriteString("message", "short");
                w.WriteStartObject("request");
                w.WriteString("method", "POST");
                w.WriteStartObject("body");
                w.WriteString("content", deep);
                w.WriteNumber("length", deep.Length);
                w.WriteEndObject();
                w.WriteStartArray("tags");
                w.WriteStringValue("a");
                w.WriteStringValue(inArray);
                w.WriteNullValue();
                w.WriteEndArray();
                w.WriteEndObject();
                w.WriteBoolean("ok", false);
            });
            const int limit = 20_000;

            byte[] result = Truncate(record, limit, out bool wasJson);

            Assert.IsTrue(wasJson);
            JsonElement json = AssertValidTruncation(record, result, limit);
            Assert.AreEqual("short", json.GetProperty("message").GetString());
            string content = json.GetProperty("request").GetProperty("body").GetProperty("content").GetString()!;
            string tag = json.GetProperty("request").GetProperty("tags")[1].GetString()!;
            Assert.EndsWith(Ellipsis, content);
            Assert.EndsWith(Ellipsis, tag);
            Assert.IsLessThanOrEqualTo(1, Math.Abs(content.Length - tag.Length));
            Assert.IsGreaterThanOrEqualTo(limit - 16, result.Length);
        }

        [TestMethod]
        public void Truncate_MultibyteTextAtEveryLimit_CutsAtCharacterBoundaries()
        {
            // Written by hand so that é (2 bytes), 中 (3 bytes) and 🙂 (4 bytes) are raw UTF-8 in the record.
            string text = string.Concat(Enumerable.Repeat("é🙂中a", 40));
            byte[] record = Utf8("{\"level\":\"info\",\"message\":\"" + text + "\",\"n\":1}");
            int smallest = -1;
            for (int limit = 0; limit < record.Length; limit++)
            {
                byte[]? result = RecordTruncator.Truncate(record, limit, out bool wasJson);
                Assert.IsTrue(wasJson);
                if (result == null)
                {
                    Assert.AreEqual(-1, smallest, "once it fits, any larger limit fits too");
                    continue;
                }
                if (smallest < 0)
                    smallest = limit;
                AssertValidTruncation(record, result, limit);
                Assert.IsGreaterThanOrEqualTo(limit - 3, result.Length, "a cut loses at most the bytes of one character");
            }
            Assert.IsLessThan(120, smallest, "a small limit is enough once the message is down to …");
        }

        [TestMethod]
        public void Truncate_EscapedSurrogatePairsAtEveryLimit_NeverSplitsAPair()
        {
            // The default encoder writes every non-ASCII character escaped: é as \u00E9, 🙂 as \uD83D\uDE42.
            string text = string.Concat(Enumerable.Repeat("x🙂é\U0001F680", 30));
            byte[] record = Json(w => w.WriteString("message", text), relaxed: false);
            Assert.Contains("\\uD83D\\uDE42", Encoding.ASCII.GetString(record));
            for (int limit = 80; limit < record.Length; limit++)
            {
                byte[] result = Truncate(record, limit, out _);
                AssertValidTruncation(record, result, limit);
                Assert.IsGreaterThanOrEqualTo(limit - 11, result.Length, "a cut loses at most one escaped pair");
            }
        }

        [TestMethod]
        public void Truncate_QuotesNewlinesAndControlCharacters_CountedAtEscapedSize()
        {
            // Each of these grows when written: " as \", \n as \n, \u0001 as \u0001 — the record is far larger than
            // the number of characters.
            string text = string.Concat(Enumerable.Repeat("\"\n\u0001\\\t", 2_000));
            byte[] record = Json(w =>
            {
                w.WriteString("message", text);
                w.WriteString("quotes", new string('"', 5_000));
                w.WriteString("controls", new string('\u0002', 3_000));
            });
            Assert.IsGreaterThan(text.Length * 2, record.Length);
            foreach (int limit in new[] { 200, 1_000, 4_321, 10_000, 20_001, 33_333, record.Length - 1 })
            {
                byte[] result = Truncate(record, limit, out _);
                AssertValidTruncation(record, result, limit);
                Assert.IsGreaterThanOrEqualTo(limit - 6, result.Length);
            }
            for (int limit = 120; limit < 400; limit++)
                AssertValidTruncation(record, Truncate(record, limit, out _), limit);
        }

        [TestMethod]
        public void Truncate_ManyNumericPropertiesUnderLimit_ReturnsNull()
        {
            byte[] record = Json(w =>
            {
                for (int i = 0; i < 200_000; i++)
                    w.WriteNumber("p" + i, i);
            });
            Assert.IsGreaterThan(RealLimit, record.Length);

            byte[]? result = RecordTruncator.Truncate(record, RealLimit, out bool wasJson);

            Assert.IsNull(result);
            Assert.IsTrue(wasJson);
        }

        [TestMethod]
        public void Truncate_OnlyShortStringsThatCannotShrink_ReturnsNull()
        {
            byte[] record = Json(w =>
            {
                for (int i = 0; i < 1_000; i++)
                    w.WriteString("k" + i, "abc");
            });

            Assert.IsNull(RecordTruncator.Truncate(record, record.Length - 1, out bool wasJson));
            Assert.IsTrue(wasJson);
        }

        [TestMethod]
        public void Truncate_WhenEveryStringIsDownToEllipsis_JustFitsOrNull()
        {
            byte[] record = Json(w =>
            {
                w.WriteNumber("n", 12345);
                w.WriteString("a", new string('x', 100));
                w.WriteString("b", new string('y', 100));
            });
            string minimal = "{\"n\":12345,\"a\":\"" + Ellipsis + "\",\"b\":\"" + Ellipsis + "\",\"event.truncated\":true,\"event.original_size\":" + record.Length + "}";
            int minimalSize = Utf8(minimal).Length;

            Assert.AreEqual(minimal, StrictUtf8.GetString(Truncate(record, minimalSize, out _)));
            Assert.IsNull(RecordTruncator.Truncate(record, minimalSize - 1, out _));
        }

        [TestMethod]
        public void Truncate_PlainText_CutAtLimit()
        {
            byte[] record = Utf8(LongText(5_000));

            byte[] result = Truncate(record, 1_000, out bool wasJson);

            Assert.IsFalse(wasJson);
            CollectionAssert.AreEqual(record.Take(1_000).ToArray(), result);
        }

        [TestMethod]
        public void Truncate_PlainTextWithEmojiStraddlingLimit_EmojiDroppedWhole()
        {
            byte[] record = Utf8("abcdefghij🙂klmnop");   // 🙂 is bytes 10 to 13
            Assert.AreEqual("abcdefghij", StrictUtf8.GetString(Truncate(record, 10, out bool wasJson)));
            Assert.IsFalse(wasJson);
            Assert.AreEqual("abcdefghij", StrictUtf8.GetString(Truncate(record, 11, out _)));
            Assert.AreEqual("abcdefghij", StrictUtf8.GetString(Truncate(record, 12, out _)));
            Assert.AreEqual("abcdefghij", StrictUtf8.GetString(Truncate(record, 13, out _)));
            Assert.AreEqual("abcdefghij🙂", StrictUtf8.GetString(Truncate(record, 14, out _)));
        }

        [TestMethod]
        public void Truncate_MultibytePlainTextAtEveryLimit_ValidUtf8AndLongestPrefix()
        {
            string text = string.Concat(Enumerable.Repeat("é🙂中a", 20));
            byte[] record = Utf8(text);
            for (int limit = 0; limit < record.Length; limit++)
            {
                string result = StrictUtf8.GetString(Truncate(record, limit, out bool wasJson));
                Assert.IsFalse(wasJson);
                Assert.StartsWith(result, text, StringComparison.Ordinal);
                Assert.IsLessThanOrEqualTo(limit, Utf8(result).Length);
                Assert.IsGreaterThanOrEqualTo(limit - 3, Utf8(result).Length);
            }
        }

        [TestMethod]
        public void Truncate_JsonArray_TreatedAsText()
        {
            byte[] record = Utf8("[\"" + LongText(500) + "\"]");

            byte[] result = Truncate(record, 100, out bool wasJson);

            Assert.IsFalse(wasJson);
            CollectionAssert.AreEqual(record.Take(100).ToArray(), result);
        }

        [TestMethod]
        [DataRow("{\"message\":\"TEXT\"} trailing")]
        [DataRow("{\"message\":\"TEXT\"}{\"message\":\"x\"}")]
        [DataRow("{\"message\":\"TEXT\"")]
        [DataRow("{\"message\":\"TEXT\",}")]
        [DataRow("{/* comment */\"message\":\"TEXT\"}")]
        [DataRow("{'message':'TEXT'}")]
        [DataRow("\"TEXT\"")]
        [DataRow("TEXT")]
        public void Truncate_NotOneJsonObject_TreatedAsText(string template)
        {
            byte[] record = Utf8(template.Replace("TEXT", LongText(500), StringComparison.Ordinal));

            byte[] result = Truncate(record, 100, out bool wasJson);

            Assert.IsFalse(wasJson);
            CollectionAssert.AreEqual(record.Take(100).ToArray(), result);
        }

        [TestMethod]
        public void Truncate_InvalidUtf8InJsonString_TreatedAsText()
        {
            byte[] record = Utf8("{\"message\":\"" + LongText(500) + "\"}");
            record[50] = 0xFF;

            byte[] result = Truncate(record, 100, out bool wasJson);

            Assert.IsFalse(wasJson);
            Assert.HasCount(100, result);
        }

        [TestMethod]
        public void Truncate_ExactlyAtLimit_ReturnedUnchanged()
        {
            byte[] json = Utf8("{\"message\":\"" + LongText(500) + "\"}");
            byte[] text = Utf8(LongText(500));

            byte[] jsonResult = Truncate(json, json.Length, out bool jsonWasJson);
            byte[] textResult = Truncate(text, text.Length, out bool textWasJson);

            CollectionAssert.AreEqual(json, jsonResult);
            Assert.AreNotSame(json, jsonResult);
            Assert.IsTrue(jsonWasJson);
            CollectionAssert.AreEqual(text, textResult);
            Assert.IsFalse(textWasJson);
        }

        [TestMethod]
        public void Truncate_UnderLimit_ReturnedUnchangedWithoutMarker()
        {
            byte[] record = Utf8("{\"message\":\"hi\"}");

            byte[] result = Truncate(record, 1_000, out bool wasJson);

            CollectionAssert.AreEqual(record, result);
            Assert.IsTrue(wasJson);
        }

        [TestMethod]
        public void Truncate_EmptyRecordZeroLimit_Empty()
        {
            Assert.IsEmpty(Truncate(Array.Empty<byte>(), 0, out bool wasJson));
            Assert.IsFalse(wasJson);
        }

        [TestMethod]
        public void Truncate_NegativeLimit_Throws()
            => Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => RecordTruncator.Truncate(new byte[1], -1, out _));

        [TestMethod]
        public void Truncate_EmptyObjectWithHugeWhitespace_ReturnsNull()
        {
            byte[] record = Utf8("{" + new string(' ', 5_000) + "}");
            Assert.IsNull(RecordTruncator.Truncate(record, 1_000, out bool wasJson));
            Assert.IsTrue(wasJson);
        }

        [TestMethod]
        public void Truncate_IndentedJson_WhitespaceKeptAndMarkerAddedLast()
        {
            byte[] record = Utf8("{\n  \"message\": \"" + LongText(2_000) + "\",\n  \"n\": [1, 2]\n}\n");

            byte[] result = Truncate(record, 500, out bool wasJson);

            Assert.IsTrue(wasJson);
            AssertValidTruncation(record, result, 500);
            Assert.IsGreaterThanOrEqualTo(500 - 3, result.Length);
            Assert.EndsWith("\n,\"event.truncated\":true,\"event.original_size\":" + record.Length + "}\n", StrictUtf8.GetString(result));
        }

        [TestMethod]
        public void Truncate_MarkerFieldsAlreadyPresent_NotDuplicated()
        {
            byte[] record = Json(w =>
            {
                w.WriteString("message", LongText(3_000));
                w.WriteBoolean(RecordTruncator.MarkerField, true);
                w.WriteNumber(RecordTruncator.OriginalSizeField, 9_999_999);
            });

            byte[] result = Truncate(record, 1_000, out _);

            JsonElement json = JsonDocument.Parse(result).RootElement;
            Assert.IsLessThanOrEqualTo(1_000, result.Length);
            CollectionAssert.AreEqual(
                new[] { "message", RecordTruncator.MarkerField, RecordTruncator.OriginalSizeField },
                json.EnumerateObject().Select(p => p.Name).ToArray());
            Assert.AreEqual(9_999_999, json.GetProperty(RecordTruncator.OriginalSizeField).GetInt32());
        }

        [TestMethod]
        public void Truncate_FiveMegabyteMessageAtRealLimit_FitsNearLimit()
        {
            string message = LongText(5_000_000, seed: 7) + "é🙂中";
            byte[] record = DefaultLayoutRecord(message);

            byte[] result = Truncate(record, RealLimit, out bool wasJson);

            Assert.IsTrue(wasJson);
            JsonElement json = AssertValidTruncation(record, result, RealLimit);
            Assert.EndsWith(Ellipsis, json.GetProperty("message").GetString()!);
            Assert.IsGreaterThanOrEqualTo(RealLimit - 16, result.Length);
        }

        [TestMethod]
        public void Truncate_RandomObjects_ValidJsonWithinLimitOrNull()
        {
            var random = new Random(20240601);
            int truncated = 0;
            for (int round = 0; round < 200; round++)
            {
                byte[] record = Json(w => WriteRandomProperties(w, random, depth: 0), relaxed: random.Next(2) == 0);
                (long stringBytes, int stringCount) = MeasureStrings(record);
                // Every string value down to "…" (a value of 3 bytes or less stays as it is) plus the marker.
                long smallest = record.Length - stringBytes + 3L * stringCount + 64;
                int limit = random.Next(4) == 0
                    ? random.Next(0, record.Length + 10)
                    : (int)Math.Min(record.Length + 10, smallest + random.Next(0, Math.Max(1, record.Length - (int)smallest)));

                byte[]? result = RecordTruncator.Truncate(record, limit, out bool wasJson);

                Assert.IsTrue(wasJson);
                if (limit >= smallest)
                    Assert.IsNotNull(result, $"round {round}: the skeleton is small enough to fit {limit} bytes");
                if (result == null)
                    continue;
                if (record.Length <= limit)
                {
                    CollectionAssert.AreEqual(record, result);
                    continue;
                }
                truncated++;
                AssertValidTruncation(record, result, limit);
                Assert.IsGreaterThanOrEqualTo(limit - 12 - stringCount, result.Length, $"round {round}: close to the limit");
            }
            Assert.IsGreaterThan(100, truncated, "most rounds exercise truncation");
        }

        /// <summary>The total escaped length and the number of string values longer than 3 bytes.</summary>
        private static (long Bytes, int Count) MeasureStrings(byte[] record)
        {
            var reader = new Utf8JsonReader(record);
            long bytes = 0;
            int count = 0;
            while (reader.Read())
            {
                if (reader.TokenType == JsonTokenType.String && reader.ValueSpan.Length > 3)
                {
                    bytes += reader.ValueSpan.Length;
                    count++;
                }
            }
            return (bytes, count);
        }

        private static readonly string[] Pieces =
        {
            "a", "b", "c", "word ", "Z", "0", " ", "é", "中", "🙂", "\U0001F680", "\"", "\\", "\n", "\t", "\u0001", "\u001F",
            "<", ">", "&", "'", "/", "\u2028", "\u00A0", "…",
        };

        private static string RandomString(Random random, int maxLength)
        {
            int length = random.Next(0, maxLength + 1);
            var text = new StringBuilder(length + 2);
            int alphabet = random.Next(1, Pieces.Length + 1);   // some strings are plain ASCII, some are mixed
            while (text.Length < length)
                text.Append(Pieces[random.Next(alphabet)]);
            return text.ToString();
        }

        private static void WriteRandomProperties(Utf8JsonWriter writer, Random random, int depth)
        {
            int count = random.Next(depth == 0 ? 1 : 0, depth == 0 ? 12 : 5);
            for (int i = 0; i < count; i++)
            {
                writer.WritePropertyName("p" + i + RandomString(random, 3));
                WriteRandomValue(writer, random, depth);
            }
        }

        private static void WriteRandomValue(Utf8JsonWriter writer, Random random, int depth)
        {
            switch (random.Next(depth < 3 ? 9 : 7))
            {
                case 0: writer.WriteNumberValue(random.Next()); break;
                case 1: writer.WriteNumberValue(random.NextDouble() * 1e6); break;
                case 2: writer.WriteBooleanValue(random.Next(2) == 0); break;
                case 3: writer.WriteNullValue(); break;
                case 4: writer.WriteStringValue(RandomString(random, 8)); break;
                case 5:
                case 6: writer.WriteStringValue(RandomString(random, random.Next(2) == 0 ? 300 : 20_000)); break;
                case 7:
                    writer.WriteStartObject();
                    WriteRandomProperties(writer, random, depth + 1);
                    writer.WriteEndObject();
                    break;
                default:
                    writer.WriteStartArray();
                    int items = random.Next(0, 4);
                    for (int i = 0; i < items; i++)
                        WriteRandomValue(writer, random, depth + 1);
                    writer.WriteEndArray();
                    break;
            }
        }
    }
}
