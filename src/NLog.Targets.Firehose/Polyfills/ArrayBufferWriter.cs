#if NETSTANDARD2_0
using System;
using System.Buffers;

namespace NLog.Targets.Firehose.Polyfills
{
    /// <summary>
    /// netstandard2.0 stand-in for the runtime's <c>System.Buffers.ArrayBufferWriter&lt;T&gt;</c> (in the box from
    /// .NET Core 3.0 on): an <see cref="IBufferWriter{T}"/> over one growing array. Same members, same growth and
    /// the same checks as the runtime's, for the members this library uses.
    /// </summary>
    internal sealed class ArrayBufferWriter<T> : IBufferWriter<T>
    {
        // The largest array length the runtime allows (Array.MaxLength on .NET 6+).
        private const int DefaultInitialBufferSize = 256;

        private T[] _buffer;
        private int _index;

        /// <summary>An empty writer; the first write allocates.</summary>
        public ArrayBufferWriter()
        {
            _buffer = Array.Empty<T>();
            _index = 0;
        }

        /// <summary>A writer whose buffer starts with room for <paramref name="initialCapacity"/> items.</summary>
        public ArrayBufferWriter(int initialCapacity)
        {
            if (initialCapacity <= 0)
                throw new ArgumentException("the initial capacity must be positive", nameof(initialCapacity));
            _buffer = new T[initialCapacity];
            _index = 0;
        }

        /// <summary>The data written so far.</summary>
        public ReadOnlyMemory<T> WrittenMemory => _buffer.AsMemory(0, _index);

        /// <summary>The data written so far.</summary>
        public ReadOnlySpan<T> WrittenSpan => _buffer.AsSpan(0, _index);

        /// <summary>How many items were written.</summary>
        public int WrittenCount => _index;

        /// <summary>The size of the underlying buffer.</summary>
        public int Capacity => _buffer.Length;

        /// <summary>How much room is left before the buffer has to grow.</summary>
        public int FreeCapacity => _buffer.Length - _index;

        /// <summary>Clears the data written so far (the buffer is kept).</summary>
        public void Clear()
        {
            _buffer.AsSpan(0, _index).Clear();
            _index = 0;
        }

        /// <summary>Forgets the data written so far without clearing it (the buffer is kept).</summary>
        public void ResetWrittenCount() => _index = 0;

        /// <inheritdoc/>
        public void Advance(int count)
        {
            if (count < 0)
                throw new ArgumentException("count must not be negative", nameof(count));
            if (_index > _buffer.Length - count)
                throw new InvalidOperationException("cannot advance past the end of the buffer");
            _index += count;
        }

        /// <inheritdoc/>
        public Memory<T> GetMemory(int sizeHint = 0)
        {
            CheckAndResizeBuffer(sizeHint);
            return _buffer.AsMemory(_index);
        }

        /// <inheritdoc/>
        public Span<T> GetSpan(int sizeHint = 0)
        {
            CheckAndResizeBuffer(sizeHint);
            return _buffer.AsSpan(_index);
        }

        private void CheckAndResizeBuffer(int sizeHint)
        {
            if (sizeHint < 0)
                throw new ArgumentException("the size hint must not be negative", nameof(sizeHint));
            if (sizeHint == 0)
                sizeHint = 1;
            if (sizeHint <= FreeCapacity)
                return;

            int currentLength = _buffer.Length;
            int growBy = Math.Max(sizeHint, currentLength);
            if (currentLength == 0)
                growBy = Math.Max(growBy, DefaultInitialBufferSize);
            int newSize = currentLength + growBy;
            if ((uint)newSize > int.MaxValue)
            {
                // Overflow: grow only to what is needed, up to the largest array.
                uint needed = (uint)(currentLength - FreeCapacity + sizeHint);
                if (needed > Array.MaxLength)
                    throw new OutOfMemoryException("the buffer cannot grow to " + needed + " items");
                newSize = Array.MaxLength;
            }
            Array.Resize(ref _buffer, newSize);
        }
    }
}
#endif
