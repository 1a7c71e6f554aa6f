using System;
using System.Buffers;
using System.Collections.Generic;
using System.IO;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading;
using System.Threading.Tasks;
using Firehose.Local.Faults;
using Firehose.Local.Protocol;
using Firehose.Local.Streams;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Firehose.Local.Api
{
    /// <summary>
    /// The Firehose JSON 1.1 endpoint (<c>POST /</c>): checks the protocol, the signature and the injected faults, then
    /// runs the operation named by <c>X-Amz-Target</c>. Every failure is answered with the service's error shape.
    /// </summary>
    internal sealed class FirehoseApi
    {
        private readonly FirehoseLocalOptions _options;
        private readonly FaultSettings _faults;
        private readonly SignatureVerifier? _verifier;
        private readonly Operations _operations;
        private readonly CancellationToken _stopping;

        public FirehoseApi(FirehoseLocalOptions options, FaultSettings faults, Operations operations, CancellationToken stopping)
        {
            _options = options;
            _faults = faults;
            _operations = operations;
            _stopping = stopping;
            _verifier = options.VerifySignatures
                ? new SignatureVerifier(options.AccessKey, options.SecretKey, options.Region, TimeSpan.FromMinutes(options.MaxClockSkewMinutes))
                : null;
        }

        public async Task HandleAsync(HttpContext context)
        {
            try
            {
                Action<Utf8JsonWriter> answer = await ProcessAsync(context).ConfigureAwait(false);
                await AwsJson.WriteAsync(context, 200, answer).ConfigureAwait(false);
            }
            catch (ServiceException ex)
            {
                await AwsJson.WriteErrorAsync(context, ex.Status, ex.ErrorType, ex.Message).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested || _stopping.IsCancellationRequested)
            {
                context.Abort();
            }
            catch (Exception ex) when (ex is not OutOfMemoryException && !context.Response.HasStarted)
            {
                await AwsJson.WriteErrorAsync(context, 500, ErrorTypes.InternalFailure, "Firehose Local failed to process the request: " + ex.Message).ConfigureAwait(false);
            }
        }

        private async Task<Action<Utf8JsonWriter>> ProcessAsync(HttpContext context)
        {
            HttpRequest request = context.Request;
            if (!HttpMethods.IsPost(request.Method) || request.Path.Value is not ("/" or ""))
                throw new ServiceException(404, ErrorTypes.UnknownOperation, "Firehose Local serves the Firehose API at POST / only.");

            // The body is read into a pooled array (a PutRecordBatch body is hundreds of KiB: a new array per request would be a
            // large-object allocation each time); it goes back to the pool once the operation has run, since the operations
            // keep none of the input (record data is copied out).
            (byte[] rented, int length) = (Array.Empty<byte>(), 0);
            try
            {
                try
                {
                    (rented, length) = await ReadBodyAsync(request, context.RequestAborted).ConfigureAwait(false);
                }
                catch (BadHttpRequestException ex)
                {
                    throw new ServiceException(413, ErrorTypes.Serialization, "The request body is too large or malformed: " + ex.Message);
                }
                return await ProcessBodyAsync(context, new ReadOnlyMemory<byte>(rented, 0, length)).ConfigureAwait(false);
            }
            finally
            {
                if (rented.Length > 0)
                    ArrayPool<byte>.Shared.Return(rented);
            }
        }

        private async Task<Action<Utf8JsonWriter>> ProcessBodyAsync(HttpContext context, ReadOnlyMemory<byte> body)
        {
            HttpRequest request = context.Request;

            string target = request.Headers["X-Amz-Target"].ToString();
            if (!target.StartsWith(AwsJson.TargetPrefix, StringComparison.Ordinal))
                throw new ServiceException(400, ErrorTypes.UnknownOperation, target.Length == 0 ? "Missing X-Amz-Target header." : "Unknown operation " + target);
            string operation = target.Substring(AwsJson.TargetPrefix.Length);
            string contentType = request.ContentType ?? string.Empty;
            if (!contentType.StartsWith(AwsJson.ContentType, StringComparison.OrdinalIgnoreCase))
                throw new ServiceException(400, ErrorTypes.Serialization, $"Content-Type must be {AwsJson.ContentType}, not '{contentType}'.");

            if (_verifier != null)
            {
                string rawTarget = context.Features.Get<IHttpRequestFeature>()?.RawTarget ?? "/";
                ServiceException? problem = _verifier.Verify(request.Method, rawTarget, request.Headers, body.Span, DateTime.UtcNow);
                if (problem != null)
                    throw problem;
            }

            int latency = _faults.LatencyMilliseconds;
            if (latency > 0)
            {
                using var linked = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, _stopping);
                await Task.Delay(latency, linked.Token).ConfigureAwait(false);
            }
            if (_faults.Outage)
                throw new ServiceException(503, ErrorTypes.ServiceUnavailable, "Service unavailable (Firehose Local: injected outage).");
            if (FaultDice.Roll(_faults.ServerErrorRate))
                throw new ServiceException(500, ErrorTypes.InternalFailure, "The request processing has failed because of an unknown error, exception or failure (Firehose Local: injected).");

            JsonDocument document;
            try
            {
                document = JsonDocument.Parse(body.Length == 0 ? "{}"u8.ToArray() : body);   // reads the body in place (no copy)
            }
            catch (JsonException ex)
            {
                throw new ServiceException(400, ErrorTypes.Serialization, "The request body is not valid JSON: " + ex.Message);
            }

            // The operations read the input while the document is open and keep none of it (record data is copied out).
            using (document)
            {
                JsonElement input = document.RootElement;
                if (input.ValueKind != JsonValueKind.Object)
                    throw new ServiceException(400, ErrorTypes.Serialization, "The request body must be a JSON object.");
                try
                {
                    return operation switch
                    {
                        "PutRecordBatch" => _operations.PutRecordBatch(input).WriteTo,
                        "PutRecord" => Answer(_operations.PutRecord(input)),
                        "CreateDeliveryStream" => Answer(_operations.CreateDeliveryStream(input)),
                        "DescribeDeliveryStream" => Answer(_operations.DescribeDeliveryStream(input)),
                        "ListDeliveryStreams" => Answer(_operations.ListDeliveryStreams(input)),
                        "DeleteDeliveryStream" => Answer(_operations.DeleteDeliveryStream(input)),
                        _ => throw new ServiceException(400, ErrorTypes.UnknownOperation, $"Firehose Local does not implement the operation {operation}."),
                    };
                }
                catch (Exception ex) when (ex is JsonException or FormatException or InvalidOperationException or KeyNotFoundException)
                {
                    throw new ServiceException(400, ErrorTypes.Serialization, ex.Message);
                }
            }
        }

        private static Action<Utf8JsonWriter> Answer(JsonNode node) => writer => node.WriteTo(writer);

        /// <summary>The largest body read into an array of its declared length at once: Kestrel's body limit here (a larger one fails as it is read).</summary>
        internal const long MaxRequestBodyBytes = 32 * 1024 * 1024;

        /// <summary>
        /// Reads the whole body into an array rented from <see cref="ArrayPool{T}.Shared"/> (the caller returns it), of the
        /// declared length when that is within <see cref="MaxRequestBodyBytes"/> (a client's Content-Length alone never
        /// makes the server allocate more); returns the array and the body's length.
        /// </summary>
        private static async Task<(byte[] Buffer, int Length)> ReadBodyAsync(HttpRequest request, CancellationToken cancellationToken)
        {
            long? declared = request.ContentLength;
            if (declared is > 0 and <= MaxRequestBodyBytes)
            {
                int length = (int)declared.Value;
                byte[] body = ArrayPool<byte>.Shared.Rent(length);
                try
                {
                    await request.Body.ReadExactlyAsync(body.AsMemory(0, length), cancellationToken).ConfigureAwait(false);
                }
                catch
                {
                    ArrayPool<byte>.Shared.Return(body);
                    throw;
                }
                return (body, length);
            }
            // No (or a too large) Content-Length: read as it comes (Kestrel's body limit applies), then into a pooled array.
            using var buffer = new MemoryStream();
            await request.Body.CopyToAsync(buffer, cancellationToken).ConfigureAwait(false);
            int read = (int)buffer.Length;
            if (read == 0)
                return (Array.Empty<byte>(), 0);
            byte[] pooled = ArrayPool<byte>.Shared.Rent(read);
            buffer.GetBuffer().AsSpan(0, read).CopyTo(pooled);
            return (pooled, read);
        }
    }
}
