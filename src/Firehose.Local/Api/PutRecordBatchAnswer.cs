using System.Collections.Generic;
using System.Text.Json;

namespace Firehose.Local.Api
{
    /// <summary>
    /// The answer to PutRecordBatch, written straight to JSON: one entry per record, in order, with its RecordId or its
    /// ErrorCode and ErrorMessage (the service's PutRecordBatchResponseEntry). Built without a JSON node per record, since
    /// PutRecordBatch is the call a producer makes all the time.
    /// </summary>
    internal sealed class PutRecordBatchAnswer
    {
        private readonly List<(string? RecordId, string? ErrorCode, string? ErrorMessage)> _entries;

        public PutRecordBatchAnswer(int capacity)
        {
            _entries = new List<(string?, string?, string?)>(capacity);
        }

        /// <summary>How many records failed.</summary>
        public int FailedPutCount { get; private set; }

        public void Accepted(string recordId) => _entries.Add((recordId, null, null));

        public void Failed(string errorCode, string errorMessage)
        {
            FailedPutCount++;
            _entries.Add((null, errorCode, errorMessage));
        }

        /// <summary>Writes <c>{"FailedPutCount":…,"Encrypted":false,"RequestResponses":[…]}</c>.</summary>
        public void WriteTo(Utf8JsonWriter writer)
        {
            writer.WriteStartObject();
            writer.WriteNumber("FailedPutCount", FailedPutCount);
            writer.WriteBoolean("Encrypted", false);
            writer.WriteStartArray("RequestResponses");
            foreach (var (recordId, errorCode, errorMessage) in _entries)
            {
                writer.WriteStartObject();
                if (recordId != null)
                    writer.WriteString("RecordId", recordId);
                if (errorCode != null)
                    writer.WriteString("ErrorCode", errorCode);
                if (errorMessage != null)
                    writer.WriteString("ErrorMessage", errorMessage);
                writer.WriteEndObject();
            }
            writer.WriteEndArray();
            writer.WriteEndObject();
        }
    }
}
