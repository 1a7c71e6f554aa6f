using System;
using System.IO;
using System.Text.Json;

namespace Firehose.Local.Destinations
{
    /// <summary>
    /// A document Firehose gave up on, in the JSON form it writes to the backup bucket (developer guide, "Handle data
    /// delivery failures"): attemptsMade, arrivalTimestamp, errorCode, errorMessage, attemptEndingTimestamp, rawData
    /// (base64), subsequenceNumber, esDocumentId, esIndexName, esTypeName. Timestamps are epoch milliseconds.
    /// </summary>
    internal sealed record FailedDocument(
        int AttemptsMade,
        DateTimeOffset ArrivalTime,
        string ErrorCode,
        string ErrorMessage,
        DateTimeOffset AttemptEndingTime,
        ReadOnlyMemory<byte> RawData,
        string DocumentId,
        string IndexName,
        string TypeName)
    {
        /// <summary>Writes the document as one JSON line.</summary>
        public void WriteLine(Stream stream)
        {
            using (var writer = new Utf8JsonWriter(stream))
            {
                writer.WriteStartObject();
                writer.WriteNumber("attemptsMade", AttemptsMade);
                writer.WriteNumber("arrivalTimestamp", ArrivalTime.ToUnixTimeMilliseconds());
                writer.WriteString("errorCode", ErrorCode);
                writer.WriteString("errorMessage", ErrorMessage);
                writer.WriteNumber("attemptEndingTimestamp", AttemptEndingTime.ToUnixTimeMilliseconds());
                writer.WriteBase64String("rawData", RawData.Span);
                writer.WriteNumber("subsequenceNumber", 0);
                writer.WriteString("esDocumentId", DocumentId);
                writer.WriteString("esIndexName", IndexName);
                writer.WriteString("esTypeName", TypeName);
                writer.WriteEndObject();
            }
            stream.WriteByte((byte)'\n');
        }
    }
}
