using System;

namespace Firehose.Local.Destinations
{
    /// <summary>One accepted record: its data, the record id answered to the producer and its arrival time.</summary>
    internal sealed record BufferedRecord(byte[] Data, string RecordId, DateTimeOffset ArrivalTime);
}
