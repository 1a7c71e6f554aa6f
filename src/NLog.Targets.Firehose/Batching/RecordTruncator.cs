using System;
using System.Buffers;
using System.Collections.Generic;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Unicode;

namespace NLog.Targets.Firehose.Batching
{
    /// <summary>
    /// Shrinks a record that is larger than Firehose accepts. A JSON object keeps its shape (every property, in
    /// order, every non-string value as it was) and gives up the ends of its longest string values; anything else is
    /// cut at a UTF-8 character boundary. A pure function: no state, safe from any thread.
    /// </summary>
    /// <remarks>
    /// <para>
    /// A JSON record is edited in place rather than re-serialized: every byte outside the string values that are cut
    /// is copied as it was, so the escaping the layout chose (for instance <c>\"</c> or <c>\u0001</c>) is kept and
    /// counted at its escaped size, non-ASCII text that the layout wrote as UTF-8 stays UTF-8, and the size of the
    /// result is known exactly before it is written.
    /// </para>
    /// <para>
    /// The byte budget for string values is shared out "water-filling" style: the values are cut down to a common
    /// cap, the largest one that makes the whole fit, so short values stay whole and only the longest ones shrink.
    /// The cap is found from the sorted value lengths in one pass; the bytes a cut leaves unused (it stops at a
    /// character or escape boundary, the cap divides unevenly) are carried over to the next value cut, so the result
    /// ends up within a few bytes of the limit.
    /// </para>
    /// </remarks>
    internal static class RecordTruncator
    {
        /// <summary>The field added to a truncated JSON record.</summary>
        public const string MarkerField = "event.truncated";

        /// <summary>The field added to a truncated JSON record with the size in bytes of the record before it was cut.</summary>
        public const string OriginalSizeField = "event.original_size";

        /// <summary>What a cut string value ends in, so a reader sees it was cut: U+2026 HORIZONTAL ELLIPSIS.</summary>
        public const string Ellipsis = "\u2026";

        /// <summary>How deeply a JSON record may nest and still be treated as JSON (the reader itself does not recurse).</summary>
        private const int MaxJsonDepth = 1000;

        /// <summary><see cref="Ellipsis"/> as UTF-8.</summary>
        private static ReadOnlySpan<byte> EllipsisUtf8 => new byte[] { 0xE2, 0x80, 0xA6 };

#if NET
        /// <summary>The bytes of an escaped JSON string that are whole characters on their own: ASCII other than the backslash.</summary>
        private static readonly SearchValues<byte> PlainAscii = SearchValues.Create(PlainAsciiBytes());
#endif

        /// <summary>The reader settings: strict JSON (no comments, no trailing commas), generous depth.</summary>
        private static readonly JsonReaderOptions ReaderOptions = new JsonReaderOptions { MaxDepth = MaxJsonDepth };

        /// <summary>
        /// Shrinks <paramref name="record"/> (UTF-8, without the delimiter) so that it is at most
        /// <paramref name="maxBytes"/> bytes.
        /// </summary>
        /// <param name="record">The rendered record.</param>
        /// <param name="maxBytes">The largest size allowed for the result, in bytes.</param>
        /// <param name="wasJson">Whether <paramref name="record"/> is a JSON object (and so was, or would have been, truncated as one).</param>
        /// <returns>
        /// A copy of <paramref name="record"/> when it already fits; otherwise the truncated bytes; or null when it
        /// cannot be done (a JSON object whose content other than string values does not fit even with every string
        /// value cut to "…"), in which case the caller drops the event.
        /// </returns>
        /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxBytes"/> is negative.</exception>
        public static byte[]? Truncate(ReadOnlySpan<byte> record, int maxBytes, out bool wasJson)
        {
            if (maxBytes < 0)
                throw new ArgumentOutOfRangeException(nameof(maxBytes), maxBytes, "The size limit cannot be negative.");

            bool tooLarge = record.Length > maxBytes;
            JsonShape? shape = ScanJsonObject(record, collectStringLengths: tooLarge);
            wasJson = shape != null;
            if (!tooLarge)
                return record.ToArray();
            return shape != null ? TruncateJson(record, maxBytes, shape) : TruncateText(record, maxBytes);
        }

        /// <summary>
        /// Cuts <paramref name="record"/> at the last UTF-8 character boundary at or before
        /// <paramref name="maxBytes"/>: a character that would straddle the limit is left out whole.
        /// </summary>
        private static byte[] TruncateText(ReadOnlySpan<byte> record, int maxBytes)
        {
            int cut = maxBytes;   // record.Length > maxBytes, so record[cut] is the first byte left out
            // A continuation byte (10xxxxxx) there means the character it belongs to straddles the limit: step back
            // to its lead byte. Valid UTF-8 needs at most 3 steps; the bound also keeps invalid input from running on.
            for (int steps = 0; steps < 3 && cut > 0 && (record[cut] & 0xC0) == 0x80; steps++)
                cut--;
            return record.Slice(0, cut).ToArray();
        }

        /// <summary>
        /// Truncates a JSON object: cuts its string values down to a common cap, adds the marker fields, and returns
        /// the result, or null when even the smallest result (every long string value cut to "…") is too large.
        /// </summary>
        private static byte[]? TruncateJson(ReadOnlySpan<byte> record, int maxBytes, JsonShape shape)
        {
            byte[] marker = MarkerBytes(shape, record.Length);

            // Everything but the contents of the string values that may be cut is kept as it is; what remains of the
            // limit is the budget for those contents.
            long budget = (long)maxBytes - (record.Length - shape.StringBytes) - marker.Length;
            List<int> lengths = shape.StringLengths;
            int count = lengths.Count;
            if (budget < (long)count * EllipsisUtf8.Length)
                return null;   // even "…" for every one of them is too much

            // Water-filling: the largest cap such that sum(min(length, cap)) <= budget. Walking the lengths from the
            // shortest, each one that fits whole while every longer one gets as much is kept whole.
            lengths.Sort();
            long cap = long.MaxValue;
            long carry = 0;
            long used = 0;
            for (int i = 0; i < count; i++)
            {
                long rest = count - i;
                if (used + lengths[i] * rest <= budget)
                {
                    used += lengths[i];
                    continue;
                }
                cap = (budget - used) / rest;     // >= 3: the values before i fitted with as much for every later one
                carry = (budget - used) - cap * rest;
                break;
            }

            var output = new OutputBuffer(maxBytes);
            int copied = 0;
            var reader = new Utf8JsonReader(record, ReaderOptions);
            while (reader.Read())
            {
                if (reader.TokenType != JsonTokenType.String)
                    continue;
                ReadOnlySpan<byte> content = reader.ValueSpan;   // the escaped bytes between the quotes
                if (content.Length <= cap)
                    continue;                                    // within the cap (or too short to cut): kept whole

                // Each value over the cap gets the cap plus whatever earlier cuts left unused.
                long allowance = cap + carry;
                if (content.Length <= allowance)
                {
                    carry = allowance - content.Length;
                    continue;
                }
                int keep = CutPoint(content, (int)(allowance - EllipsisUtf8.Length));
                int contentStart = checked((int)reader.TokenStartIndex + 1);   // after the opening quote
                if (!output.Append(record.Slice(copied, contentStart + keep - copied)) || !output.Append(EllipsisUtf8))
                    return null;
                copied = contentStart + content.Length;                      // the closing quote
                carry = allowance - keep - EllipsisUtf8.Length;
            }

            // The marker goes right before the closing brace of the object, so it is the last property.
            if (!output.Append(record.Slice(copied, shape.RootEnd - copied))
                || !output.Append(marker)
                || !output.Append(record.Slice(shape.RootEnd)))
                return null;
            return output.ToArray();   // at most maxBytes: the buffer cannot grow past it
        }

        /// <summary>
        /// The largest prefix of the escaped string <paramref name="content"/>, at most <paramref name="budget"/>
        /// bytes, that ends on a character boundary: never inside a UTF-8 sequence, an escape (<c>\n</c>,
        /// <c>\u00e9</c>) or an escaped surrogate pair (<c>\ud83d\ude42</c>). <paramref name="budget"/> is less than
        /// the length of <paramref name="content"/>.
        /// </summary>
        private static int CutPoint(ReadOnlySpan<byte> content, int budget)
        {
            int position = 0;
            while (position < budget)
            {
#if NET
                int special = content.Slice(position, budget - position).IndexOfAnyExcept(PlainAscii);
#else
                int special = IndexOfNonPlain(content.Slice(position, budget - position));
#endif
                if (special < 0)
                    return budget;   // plain ASCII up to the budget: every byte is a boundary
                position += special;
                int unit = UnitLength(content, position);
                if (position + unit > budget)
                    break;
                position += unit;
            }
            return position;
        }

        /// <summary>
        /// The length of the character at <paramref name="index"/> of a valid escaped JSON string in valid UTF-8,
        /// where that byte is a backslash or not ASCII: an escape, an escaped surrogate pair, or a UTF-8 sequence.
        /// </summary>
        private static int UnitLength(ReadOnlySpan<byte> content, int index)
        {
            byte lead = content[index];
            if (lead == (byte)'\\')
            {
                if (content[index + 1] != (byte)'u')
                    return 2;   // \" \\ \/ \b \f \n \r \t
                bool pair = IsEscapedSurrogate(content, index, high: true)
                            && index + 12 <= content.Length
                            && content[index + 6] == (byte)'\\'
                            && content[index + 7] == (byte)'u'
                            && IsEscapedSurrogate(content, index + 6, high: false);
                return pair ? 12 : 6;
            }
            if (lead < 0xE0)
                return 2;
            return lead < 0xF0 ? 3 : 4;
        }

        /// <summary>
        /// Whether the <c>\uXXXX</c> escape at <paramref name="index"/> is a high (D800–DBFF) or low (DC00–DFFF)
        /// surrogate.
        /// </summary>
        private static bool IsEscapedSurrogate(ReadOnlySpan<byte> content, int index, bool high)
        {
            if ((content[index + 2] | 0x20) != (byte)'d')
                return false;
            int third = content[index + 3] | 0x20;   // lower case for letters; digits are unchanged
            return high
                ? third is '8' or '9' or 'a' or 'b'
                : third is 'c' or 'd' or 'e' or 'f';
        }

        /// <summary>
        /// The bytes inserted before the closing brace: <c>"event.truncated":true</c> and
        /// <c>"event.original_size":N</c>, each left out when the object already has a property of that name (a
        /// document must not have a duplicate key), with a leading comma when the object has properties.
        /// </summary>
        private static byte[] MarkerBytes(JsonShape shape, int originalSize)
        {
            var text = new StringBuilder();
            bool separate = shape.RootPropertyCount > 0;
            if (!shape.HasMarker)
            {
                text.Append(separate ? "," : "").Append('"').Append(MarkerField).Append("\":true");
                separate = true;
            }
            if (!shape.HasOriginalSize)
                text.Append(separate ? "," : "").Append('"').Append(OriginalSizeField).Append("\":").Append(originalSize.ToString(CultureInfo.InvariantCulture));
            return Encoding.UTF8.GetBytes(text.ToString());
        }

        /// <summary>
        /// Reads <paramref name="record"/> through; returns its shape when it is exactly one JSON object (valid
        /// UTF-8, strict JSON, nothing but white space after it), otherwise null.
        /// </summary>
        private static JsonShape? ScanJsonObject(ReadOnlySpan<byte> record, bool collectStringLengths)
        {
            if (record.IsEmpty || !Utf8.IsValid(record))
                return null;
            var reader = new Utf8JsonReader(record, ReaderOptions);
            try
            {
                if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
                    return null;
                var shape = new JsonShape();
                while (reader.Read())   // throws on anything after the object but white space
                {
                    switch (reader.TokenType)
                    {
                        case JsonTokenType.PropertyName when reader.CurrentDepth == 1:
                            shape.RootPropertyCount++;
                            if (reader.ValueTextEquals(MarkerField))
                                shape.HasMarker = true;
                            else if (reader.ValueTextEquals(OriginalSizeField))
                                shape.HasOriginalSize = true;
                            break;
                        case JsonTokenType.String when collectStringLengths:
                            int length = reader.ValueSpan.Length;
                            if (length > EllipsisUtf8.Length)   // a shorter value would not get shorter as "…"
                            {
                                shape.StringLengths.Add(length);
                                shape.StringBytes += length;
                            }
                            break;
                        case JsonTokenType.EndObject when reader.CurrentDepth == 0:
                            shape.RootEnd = checked((int)reader.TokenStartIndex);
                            break;
                    }
                }
                return shape;
            }
            catch (JsonException)
            {
                return null;
            }
        }

#if NET
        /// <summary>Every ASCII byte except the backslash.</summary>
        private static byte[] PlainAsciiBytes()
        {
            var bytes = new byte[127];
            int n = 0;
            for (int b = 0; b < 128; b++)
            {
                if (b != '\\')
                    bytes[n++] = (byte)b;
            }
            return bytes;
        }
#else
        /// <summary>
        /// The index of the first byte of <paramref name="content"/> that is not a whole character on its own (the
        /// backslash, or not ASCII), or -1: what <c>IndexOfAnyExcept(PlainAscii)</c> finds on .NET 8.
        /// </summary>
        private static int IndexOfNonPlain(ReadOnlySpan<byte> content)
        {
            for (int i = 0; i < content.Length; i++)
            {
                byte b = content[i];
                if (b >= 0x80 || b == (byte)'\\')
                    return i;
            }
            return -1;
        }
#endif

        /// <summary>What reading a JSON object record found out about it.</summary>
        private sealed class JsonShape
        {
            /// <summary>The index of the object's closing brace.</summary>
            public int RootEnd { get; set; }

            /// <summary>The number of properties of the object itself (not of nested objects).</summary>
            public int RootPropertyCount { get; set; }

            /// <summary>Whether the object already has a <see cref="MarkerField"/> property.</summary>
            public bool HasMarker { get; set; }

            /// <summary>Whether the object already has an <see cref="OriginalSizeField"/> property.</summary>
            public bool HasOriginalSize { get; set; }

            /// <summary>The escaped length in bytes of every string value longer than the ellipsis, anywhere in the object.</summary>
            public List<int> StringLengths { get; } = new List<int>();

            /// <summary>The sum of <see cref="StringLengths"/>.</summary>
            public long StringBytes { get; set; }
        }

        /// <summary>A fixed-capacity output buffer: appending past the capacity fails instead of growing.</summary>
        private sealed class OutputBuffer
        {
            private readonly byte[] _data;
            private int _length;

            /// <summary>Creates a buffer that holds at most <paramref name="capacity"/> bytes.</summary>
            public OutputBuffer(int capacity) => _data = new byte[capacity];

            /// <summary>Appends <paramref name="bytes"/>; false, appending nothing, when they do not fit.</summary>
            public bool Append(ReadOnlySpan<byte> bytes)
            {
                if (bytes.Length > _data.Length - _length)
                    return false;
                bytes.CopyTo(_data.AsSpan(_length));
                _length += bytes.Length;
                return true;
            }

            /// <summary>The bytes appended.</summary>
            public byte[] ToArray() => _length == _data.Length ? _data : _data.AsSpan(0, _length).ToArray();
        }
    }
}
