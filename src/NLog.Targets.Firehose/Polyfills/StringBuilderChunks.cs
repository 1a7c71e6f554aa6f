#if NETSTANDARD2_0
using System;
using System.Buffers;
using System.Text;

namespace NLog.Targets.Firehose.Polyfills
{
    /// <summary>
    /// The text of a <see cref="StringBuilder"/> as a sequence of pieces of at most <see cref="PieceChars"/> chars,
    /// each copied into one pooled buffer that the next piece reuses: use a piece before moving on, as with
    /// <c>StringBuilder.GetChunks</c>, whose pieces also end anywhere (a surrogate pair may be split between two).
    /// The buffer goes back to the pool when the enumeration is disposed (a <c>foreach</c> does that).
    /// </summary>
    internal readonly struct StringBuilderChunks
    {
        /// <summary>The most chars one piece holds.</summary>
        internal const int PieceChars = 8000;

        private readonly StringBuilder _builder;

        /// <summary>The pieces of <paramref name="builder"/>.</summary>
        public StringBuilderChunks(StringBuilder builder) => _builder = builder;

        /// <summary>For <c>foreach</c>.</summary>
        public Enumerator GetEnumerator() => new Enumerator(_builder);

        /// <summary>Walks the pieces; must be disposed to return its buffer.</summary>
        public struct Enumerator : IDisposable
        {
            private readonly StringBuilder _builder;
            private char[]? _buffer;
            private int _next;
            private ReadOnlyMemory<char> _current;

            internal Enumerator(StringBuilder builder)
            {
                _builder = builder;
                _buffer = null;
                _next = 0;
                _current = ReadOnlyMemory<char>.Empty;
            }

            /// <summary>The current piece; valid until the next <see cref="MoveNext"/>.</summary>
            public ReadOnlyMemory<char> Current => _current;

            /// <summary>Copies the next piece; false at the end.</summary>
            public bool MoveNext()
            {
                int remaining = _builder.Length - _next;
                if (remaining <= 0)
                {
                    _current = ReadOnlyMemory<char>.Empty;
                    return false;
                }
                int count = Math.Min(remaining, PieceChars);
                _buffer ??= ArrayPool<char>.Shared.Rent(Math.Min(_builder.Length, PieceChars));
                _builder.CopyTo(_next, _buffer, 0, count);
                _current = new ReadOnlyMemory<char>(_buffer, 0, count);
                _next += count;
                return true;
            }

            /// <summary>Returns the buffer to the pool.</summary>
            public void Dispose()
            {
                char[]? buffer = _buffer;
                _buffer = null;
                _current = ReadOnlyMemory<char>.Empty;
                if (buffer is not null)
                    ArrayPool<char>.Shared.Return(buffer);
            }
        }
    }
}
#endif
