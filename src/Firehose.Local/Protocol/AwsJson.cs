using System;
using System.Buffers;
using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Http;

namespace Firehose.Local.Protocol
{
    /// <summary>The awsJson1_1 wire format: the content type, the target prefix, and how answers and errors are written.</summary>
    internal static class AwsJson
    {
        public const string ContentType = "application/x-amz-json-1.1";
        public const string TargetPrefix = "Firehose_20150804.";

        public static readonly JsonSerializerOptions SerializerOptions = new()
        {
            PropertyNameCaseInsensitive = false,
            AllowTrailingCommas = false,
            ReadCommentHandling = JsonCommentHandling.Disallow,
        };

        public static Task WriteAsync(HttpContext context, int status, JsonNode body)
            => WriteAsync(context, status, writer => body.WriteTo(writer));

        /// <summary>Answers with status <paramref name="status"/> and the JSON that <paramref name="write"/> writes.</summary>
        public static async Task WriteAsync(HttpContext context, int status, Action<Utf8JsonWriter> write)
        {
            // The answer is built in a reused buffer (a PutRecordBatch answer of 500 entries is about 40 KB: built anew it
            // would grow through a dozen arrays every call), so that its length can be sent as Content-Length.
            ArrayBufferWriter<byte> payload = SparePayloads.TryTake(out ArrayBufferWriter<byte>? spare) ? spare : new ArrayBufferWriter<byte>(256);
            try
            {
                payload.ResetWrittenCount();
                using (var writer = new Utf8JsonWriter(payload))
                    write(writer);
                context.Response.StatusCode = status;
                context.Response.ContentType = ContentType;
                context.Response.Headers["x-amzn-RequestId"] = Guid.NewGuid().ToString();
                context.Response.ContentLength = payload.WrittenCount;
                await context.Response.Body.WriteAsync(payload.WrittenMemory, context.RequestAborted).ConfigureAwait(false);
            }
            finally
            {
                if (payload.Capacity <= MaxSparePayloadBytes && SparePayloads.Count < MaxSparePayloads)
                    SparePayloads.Add(payload);
            }
        }

        private static readonly ConcurrentBag<ArrayBufferWriter<byte>> SparePayloads = new();
        private const int MaxSparePayloads = 8;
        private const int MaxSparePayloadBytes = 1024 * 1024;

        public static Task WriteErrorAsync(HttpContext context, int status, string errorType, string message)
        {
            context.Response.Headers["x-amzn-ErrorType"] = errorType;
            return WriteAsync(context, status, new JsonObject { ["__type"] = errorType, ["message"] = message });
        }
    }
}
