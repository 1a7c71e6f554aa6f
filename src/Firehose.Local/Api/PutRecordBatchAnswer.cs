using System;
using System.Collections.Generic;
using System.Text.Json;

namespace Firehose.Local.Api
{
    /// <summary>
    /// The answer to PutRecordBatch, written straight to JSON: one entry per record, in order, with its RecordId or its
    /// ErrorCode and ErrorMessage (the service's PutRecordBatchResponseEntry). Built without a JSON node or a string per
    /// record, since PutRecordBatch is the call a producer makes all the time.
    /// </summary>
    internal sealed class PutRecordBatchAnswer
    {
        private static readonly JsonEncodedText FailedPutCountName = JsonEncodedText.Encode("FailedPutCount");
        private static readonly JsonEncodedText EncryptedName = JsonEncodedText.Encode("Encrypted");
        private static readonly JsonEncodedText RequestResponsesName = JsonEncodedText.Encode("RequestResponses");
        private static readonly JsonEncodedText RecordIdName = JsonEncodedText.Encode("RecordId");
        private static readonly JsonEncodedText ErrorCodeName = JsonEncodedText.Encode("ErrorCode");
        private static readonly JsonEncodedText ErrorMessageName = JsonEncodedText.Encode("ErrorMessage");

        private readonly List<(long RecordNumber, string? ErrorCode, string? ErrorMessage)> _entries;

        public PutRecordBatchAnswer(int capacity)
        {
            _entries = new List<(long, string?, string?)>(capacity);
        }

        /// <summary>How many records failed.</summary>
        public int FailedPutCount { get; private set; }

        /// <summary>The record's id is the one of record number <paramref name="recordNumber"/> (<see cref="RecordIds"/>).</summary>
        public void Accepted(long recordNumber) => _entries.Add((recordNumber, null, null));

        public void Failed(string errorCode, string errorMessage)
        {
            FailedPutCount++;
            _entries.Add((0, errorCode, errorMessage));
        }

        /// <summary>Writes <c>{"FailedPutCount":…,"Encrypted":false,"RequestResponses":[…]}</c>.</summary>
        public void WriteTo(Utf8JsonWriter writer)
        {
            Span<char> id = stackalloc char[RecordIds.Length];
            writer.WriteStartObject();
            writer.WriteNumber(FailedPutCountName, FailedPutCount);
            writer.WriteBoolean(EncryptedName, false);
            writer.WriteStartArray(RequestResponsesName);
            foreach (var (recordNumber, errorCode, errorMessage) in _entries)
            {
                writer.WriteStartObject();
                if (errorCode is null)
                {
                    RecordIds.Format(recordNumber, id);
                    writer.WriteString(RecordIdName, id);
                }
                else
                {
                    writer.WriteString(ErrorCodeName, errorCode);
                    if (errorMessage != null)
                        writer.WriteString(ErrorMessageName, errorMessage);
                }
                writer.WriteEndObject();
            }
            writer.WriteEndArray();
            writer.WriteEndObject();
        }
    }
}
