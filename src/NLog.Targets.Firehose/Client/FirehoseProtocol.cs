using System;
using System.Buffers;
using System.Collections.Generic;
using System.IO;
using System.Text;
using System.Text.Json;

namespace NLog.Targets.Firehose.Client
{
    /// <summary>
    /// The awsJson1_1 wire format of the Firehose calls the target makes: names, request bodies and response parsing
    /// (../shared/spec/firehose/README.md). Wire names live here and nowhere else.
    /// </summary>
    internal static class FirehoseProtocol
    {
        /// <summary>The signing name and endpoint prefix.</summary>
        public const string SigningName = "firehose";

        /// <summary>The <c>Content-Type</c> of every request.</summary>
        public const string ContentType = "application/x-amz-json-1.1";

        /// <summary>The header naming the operation.</summary>
        public const string TargetHeader = "X-Amz-Target";

        /// <summary>The <c>X-Amz-Target</c> value of PutRecordBatch.</summary>
        public const string PutRecordBatchTarget = "Firehose_20150804.PutRecordBatch";

        /// <summary>The header that carries the error type on error responses.</summary>
        public const string ErrorTypeHeader = "x-amzn-ErrorType";

        /// <summary>The header that carries the request id.</summary>
        public const string RequestIdHeader = "x-amzn-RequestId";

        private static readonly JsonEncodedText DeliveryStreamNameProperty = JsonEncodedText.Encode("DeliveryStreamName");
        private static readonly JsonEncodedText RecordsProperty = JsonEncodedText.Encode("Records");
        private static readonly JsonEncodedText DataProperty = JsonEncodedText.Encode("Data");

        /// <summary>
        /// Writes <c>{"DeliveryStreamName":…,"Records":[{"Data":"&lt;base64&gt;"}…]}</c> to <paramref name="output"/>.
        /// </summary>
        public static void WritePutRecordBatchBody(IBufferWriter<byte> output, string deliveryStreamName, IReadOnlyList<ReadOnlyMemory<byte>> records)
        {
            using var writer = new Utf8JsonWriter(output, new JsonWriterOptions { SkipValidation = true });
            writer.WriteStartObject();
            writer.WriteString(DeliveryStreamNameProperty, deliveryStreamName);
            writer.WriteStartArray(RecordsProperty);
            for (int i = 0; i < records.Count; i++)
            {
                writer.WriteStartObject();
                writer.WriteBase64String(DataProperty, records[i].Span);
                writer.WriteEndObject();
            }
            writer.WriteEndArray();
            writer.WriteEndObject();
            writer.Flush();
        }

        /// <summary>
        /// Parses a <c>PutRecordBatchOutput</c>. Unknown members are ignored. Throws <see cref="InvalidDataException"/>
        /// when the body is not JSON, lacks <c>RequestResponses</c>, or has a different number of entries than
        /// <paramref name="recordCount"/> records sent.
        /// </summary>
        public static PutRecordBatchResponse ParsePutRecordBatchResponse(ReadOnlySpan<byte> body, int recordCount)
        {
            int? failedPutCount = null;
            bool? encrypted = null;
            List<PutRecordBatchResponseEntry>? entries = null;
            try
            {
                var reader = new Utf8JsonReader(body, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip });
                if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
                    throw new InvalidDataException("the PutRecordBatch response is not a JSON object");
                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    if (reader.ValueTextEquals("FailedPutCount"))
                    {
                        reader.Read();
                        failedPutCount = reader.TokenType == JsonTokenType.Number ? reader.GetInt32() : (int?)null;
                    }
                    else if (reader.ValueTextEquals("Encrypted"))
                    {
                        reader.Read();
                        encrypted = reader.TokenType == JsonTokenType.True ? true : reader.TokenType == JsonTokenType.False ? false : (bool?)null;
                    }
                    else if (reader.ValueTextEquals("RequestResponses"))
                    {
                        reader.Read();
                        if (reader.TokenType != JsonTokenType.StartArray)
                            throw new InvalidDataException("RequestResponses is not an array");
                        entries = new List<PutRecordBatchResponseEntry>(recordCount);
                        while (reader.Read() && reader.TokenType == JsonTokenType.StartObject)
                            entries.Add(ReadEntry(ref reader));
                    }
                    else
                    {
                        reader.Read();
                        reader.Skip();
                    }
                }
            }
            catch (JsonException ex)
            {
                throw new InvalidDataException("the PutRecordBatch response is not valid JSON: " + ex.Message, ex);
            }

            if (entries is null)
                throw new InvalidDataException("the PutRecordBatch response has no RequestResponses");
            if (entries.Count != recordCount)
                throw new InvalidDataException($"the PutRecordBatch response has {entries.Count} RequestResponses for {recordCount} records sent");

            int failed = 0;
            foreach (var entry in entries)
            {
                if (entry.Failed)
                    failed++;
            }
            // FailedPutCount is required; when absent, or when it disagrees, trust the per-record entries.
            return new PutRecordBatchResponse(Math.Max(failed, failedPutCount ?? failed), encrypted, entries);
        }

        private static PutRecordBatchResponseEntry ReadEntry(ref Utf8JsonReader reader)
        {
            string? errorCode = null, errorMessage = null;
            bool hasRecordId = false;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("RecordId"))
                {
                    reader.Read();
                    hasRecordId = reader.TokenType == JsonTokenType.String;   // seen, not kept: the target never uses it
                    reader.Skip();
                }
                else if (reader.ValueTextEquals("ErrorCode"))
                {
                    reader.Read();
                    errorCode = ReadString(ref reader);
                }
                else if (reader.ValueTextEquals("ErrorMessage"))
                {
                    reader.Read();
                    errorMessage = ReadString(ref reader);
                }
                else
                {
                    reader.Read();
                    reader.Skip();
                }
            }
            if (errorCode is null && errorMessage is null)
                return hasRecordId ? PutRecordBatchResponseEntry.Accepted : PutRecordBatchResponseEntry.Empty;
            return new PutRecordBatchResponseEntry(null, errorCode, errorMessage);
        }

        private static string? ReadString(ref Utf8JsonReader reader)
        {
            if (reader.TokenType == JsonTokenType.String)
                return reader.GetString();
            reader.Skip();
            return null;
        }

        /// <summary>
        /// Builds the exception for an error response: the type from <c>x-amzn-ErrorType</c>, else the body's
        /// <c>__type</c>, else its <c>code</c>; the message from <c>message</c> (or <c>Message</c>). A body that is not
        /// JSON still gives an error naming the HTTP status.
        /// </summary>
        public static FirehoseServiceException ParseError(int statusCode, string? errorTypeHeader, string? requestId, ReadOnlySpan<byte> body)
        {
            string? type = null, code = null, message = null;
            bool json = false;
            try
            {
                var reader = new Utf8JsonReader(body);
                if (reader.Read() && reader.TokenType == JsonTokenType.StartObject)
                {
                    json = true;
                    while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                    {
                        if (reader.ValueTextEquals("__type"))
                        {
                            reader.Read();
                            type = ReadString(ref reader);
                        }
                        else if (reader.ValueTextEquals("code"))
                        {
                            reader.Read();
                            code = ReadString(ref reader);
                        }
                        else if (reader.ValueTextEquals("message") || reader.ValueTextEquals("Message"))
                        {
                            reader.Read();
                            message = ReadString(ref reader);
                        }
                        else
                        {
                            reader.Read();
                            reader.Skip();
                        }
                    }
                }
            }
            catch (JsonException)
            {
                json = false;
            }

            string errorCode = SanitizeErrorType(errorTypeHeader) ?? SanitizeErrorType(type) ?? SanitizeErrorType(code)
                ?? (statusCode == 503 ? "ServiceUnavailableException" : "HttpStatus" + statusCode);
            if (message is null && !json && body.Length > 0)
                message = "non-JSON error body: " + Excerpt(body);
            return new FirehoseServiceException(errorCode, message ?? string.Empty, statusCode, requestId);
        }

        /// <summary>
        /// Sanitises an awsJson error type: keep the part before the first <c>:</c>, then the part after the first
        /// <c>#</c> (<c>com.amazonaws.firehose#ResourceNotFoundException</c> → <c>ResourceNotFoundException</c>).
        /// </summary>
        public static string? SanitizeErrorType(string? value)
        {
            if (string.IsNullOrWhiteSpace(value))
                return null;
            string v = value!.Trim();
            int colon = v.IndexOf(':');
            if (colon >= 0)
                v = v.Substring(0, colon);
            int hash = v.IndexOf('#');
            if (hash >= 0)
                v = v.Substring(hash + 1);
            return v.Length == 0 ? null : v;
        }

        private static string Excerpt(ReadOnlySpan<byte> body)
        {
            const int max = 200;
            string text = Encoding.UTF8.GetString(body.Slice(0, Math.Min(body.Length, max)));
            var sb = new StringBuilder(text.Length);
            foreach (char c in text)
                sb.Append(char.IsControl(c) ? ' ' : c);
            if (body.Length > max)
                sb.Append('…');
            return sb.ToString();
        }
    }
}
