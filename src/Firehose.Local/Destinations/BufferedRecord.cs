using System;
using Firehose.Local.Api;

namespace Firehose.Local.Destinations
{
    /// <summary>
    /// One accepted record: its data, its number (the record id answered to the producer is made from it) and its arrival
    /// time. A value, not an object: a buffer of records waiting for delivery is then a single array.
    /// </summary>
    internal readonly record struct BufferedRecord(ReadOnlyMemory<byte> Data, long Number, DateTimeOffset ArrivalTime)
    {
        /// <summary>The record id answered to the producer.</summary>
        public string RecordId => RecordIds.ToString(Number);
    }
}
