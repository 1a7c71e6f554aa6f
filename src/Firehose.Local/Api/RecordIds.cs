using System;
using System.Globalization;
using System.Threading;

namespace Firehose.Local.Api
{
    /// <summary>
    /// The record ids Firehose Local answers: a random prefix per process (as long as two GUIDs, like the ids the tool
    /// answered before) and a counter, unique and cheap to make. A record keeps its number; the id is written from it when
    /// it is needed, so that buffered records do not each hold a string.
    /// </summary>
    internal static class RecordIds
    {
        private static readonly string Prefix = Guid.NewGuid().ToString("N") + Guid.NewGuid().ToString("N").Substring(0, 16);
        private static long s_counter;

        /// <summary>The length of every id.</summary>
        public static int Length => Prefix.Length + 16;

        /// <summary>The next record number.</summary>
        public static long Next() => Interlocked.Increment(ref s_counter);

        /// <summary>Writes the id of record <paramref name="number"/> into <paramref name="destination"/> (<see cref="Length"/> chars).</summary>
        public static void Format(long number, Span<char> destination)
        {
            Prefix.AsSpan().CopyTo(destination);
            number.TryFormat(destination.Slice(Prefix.Length), out _, "x16", CultureInfo.InvariantCulture);
        }

        /// <summary>The id of record <paramref name="number"/>.</summary>
        public static string ToString(long number)
            => string.Create(Length, number, static (span, n) => Format(n, span));
    }
}
