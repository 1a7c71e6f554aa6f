using System;
using System.Collections.Generic;
using System.Text;

namespace NLog.Targets.Firehose.Batching
{
    /// <summary>
    /// Holds the UTF-8 bytes of rendered records back to back in one reused array, with each record's offset and
    /// size. Used by one call at a time (each call in flight has its own).
    /// </summary>
    internal sealed class RecordBuffer
    {
        private const int InitialCapacity = 64 * 1024;
        private const int RetainedCapacity = 8 * 1024 * 1024;

        private static readonly UTF8Encoding Utf8 = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: false);
        private readonly Encoder _encoder = Utf8.GetEncoder();
        private readonly List<int> _offsets = new List<int>();
        private readonly List<int> _sizes = new List<int>();
        private byte[] _data = new byte[InitialCapacity];
        private int _length;

        /// <summary>The number of records held.</summary>
        public int Count => _sizes.Count;

        /// <summary>The size in bytes of each record held, delimiter included.</summary>
        public IReadOnlyList<int> Sizes => _sizes;

        /// <summary>The bytes of record <paramref name="index"/>.</summary>
        public ReadOnlyMemory<byte> this[int index] => new ReadOnlyMemory<byte>(_data, _offsets[index], _sizes[index]);

        /// <summary>Forgets every record; gives back an array grown far past the usual size.</summary>
        public void Clear()
        {
            _offsets.Clear();
            _sizes.Clear();
            _length = 0;
            if (_data.Length > RetainedCapacity)
                _data = new byte[InitialCapacity];
        }

        /// <summary>
        /// The UTF-8 size of <paramref name="text"/> followed by <paramref name="delimiter"/>, without storing it.
        /// </summary>
        public long MeasureUtf8(StringBuilder text, byte[] delimiter)
        {
            // Encoder.GetByteCount does not carry state between calls, so a surrogate pair split across two chunks is
            // joined here by hand.
            long total = delimiter.Length;
            Span<char> pair = stackalloc char[2];
            char pending = '\0';
            foreach (ReadOnlyMemory<char> chunk in text.GetChunks())
            {
                ReadOnlySpan<char> span = chunk.Span;
                if (span.IsEmpty)
                    continue;
                if (pending != '\0')
                {
                    pair[0] = pending;
                    pair[1] = span[0];
                    total += Utf8.GetByteCount(char.IsLowSurrogate(span[0]) ? pair : pair.Slice(0, 1));
                    if (char.IsLowSurrogate(span[0]))
                        span = span.Slice(1);
                    pending = '\0';
                }
                if (!span.IsEmpty && char.IsHighSurrogate(span[span.Length - 1]))
                {
                    pending = span[span.Length - 1];
                    span = span.Slice(0, span.Length - 1);
                }
                total += Utf8.GetByteCount(span);
            }
            if (pending != '\0')
            {
                pair[0] = pending;
                total += Utf8.GetByteCount(pair.Slice(0, 1));
            }
            return total;
        }

        /// <summary>
        /// Appends <paramref name="text"/> as UTF-8 followed by <paramref name="delimiter"/> when the result is at
        /// most <paramref name="maxRecordBytes"/>; returns the record's size, or the (larger) size it would have had
        /// without storing anything.
        /// </summary>
        public long TryAdd(StringBuilder text, byte[] delimiter, int maxRecordBytes, out bool added)
        {
            added = false;
            if (text.Length > maxRecordBytes)
                return MeasureUtf8(text, delimiter);   // each char is at least one byte: too large whatever it holds

            int worstCase = checked(text.Length * 3 + delimiter.Length);
            EnsureCapacity(worstCase);

            _encoder.Reset();
            int start = _length;
            int position = start;
            foreach (ReadOnlyMemory<char> chunk in text.GetChunks())
                position += _encoder.GetBytes(chunk.Span, _data.AsSpan(position), flush: false);
            position += _encoder.GetBytes(ReadOnlySpan<char>.Empty, _data.AsSpan(position), flush: true);
            delimiter.AsSpan().CopyTo(_data.AsSpan(position));
            position += delimiter.Length;

            int size = position - start;
            if (size > maxRecordBytes)
                return size;   // not committed: _length is unchanged

            _offsets.Add(start);
            _sizes.Add(size);
            _length = position;
            added = true;
            return size;
        }

        /// <summary>Keeps only the last record, moved to the start of the buffer (it opens the next call).</summary>
        public void RetainLast()
        {
            int last = _sizes.Count - 1;
            if (last <= 0)
                return;
            int offset = _offsets[last];
            int size = _sizes[last];
            Buffer.BlockCopy(_data, offset, _data, 0, size);
            _offsets.Clear();
            _sizes.Clear();
            _offsets.Add(0);
            _sizes.Add(size);
            _length = size;
        }

        /// <summary>Appends <paramref name="data"/> followed by <paramref name="delimiter"/> as one record (the caller keeps it within the limit).</summary>
        public void AddBytes(ReadOnlySpan<byte> data, byte[] delimiter)
        {
            EnsureCapacity(data.Length + delimiter.Length);
            int start = _length;
            data.CopyTo(_data.AsSpan(start));
            delimiter.AsSpan().CopyTo(_data.AsSpan(start + data.Length));
            _offsets.Add(start);
            _sizes.Add(data.Length + delimiter.Length);
            _length = start + data.Length + delimiter.Length;
        }

        /// <summary>Appends <paramref name="record"/> (delimiter included) as one record.</summary>
        public void AddRaw(ReadOnlySpan<byte> record)
        {
            EnsureCapacity(record.Length);
            record.CopyTo(_data.AsSpan(_length));
            _offsets.Add(_length);
            _sizes.Add(record.Length);
            _length += record.Length;
        }

        /// <summary>Forgets the last record.</summary>
        public void RemoveLast()
        {
            int last = _sizes.Count - 1;
            _length = _offsets[last];
            _offsets.RemoveAt(last);
            _sizes.RemoveAt(last);
        }

        /// <summary>
        /// Joins the last record to the one before it (they lie back to back), so that one record holds both, delimiters
        /// included: the packing of several events into one record.
        /// </summary>
        public void MergeLastTwo()
        {
            int last = _sizes.Count - 1;
            _sizes[last - 1] += _sizes[last];
            _offsets.RemoveAt(last);
            _sizes.RemoveAt(last);
        }

        private void EnsureCapacity(int extra)
        {
            long needed = (long)_length + extra;
            if (needed <= _data.Length)
                return;
            long newSize = Math.Max(needed, (long)_data.Length * 2);
            if (newSize > Array.MaxLength)
                newSize = Math.Max(needed, Array.MaxLength);
            Array.Resize(ref _data, checked((int)newSize));
        }
    }
}
