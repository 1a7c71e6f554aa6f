using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using Amazon.Runtime;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using NLog.Targets.Firehose.Client;

namespace NLog.Targets.Firehose.Tests.Infrastructure
{
    /// <summary>
    /// A Firehose-compatible PutRecordBatch endpoint for tests, on 127.0.0.1 with a port the OS picks. It checks what
    /// the service checks — the SigV4 signature (recomputed from the request it received), the awsJson1_1 headers, the
    /// body shape and the limits — decodes the records, and answers like the service. Tests can make it fail records
    /// or whole calls.
    /// </summary>
    internal sealed class LoopbackFirehose : IAsyncDisposable
    {
        public const string AccessKey = "AKIDLOOPBACKTEST";
        public const string SecretKey = "loopback/secret+KEY/for/tests/only";

        private readonly WebApplication _app;
        private int _recordIds;

        private LoopbackFirehose(WebApplication app, string region)
        {
            _app = app;
            Region = region;
        }

        /// <summary>The endpoint's URL, such as http://127.0.0.1:41234/.</summary>
        public Uri Url { get; private set; } = null!;

        /// <summary>The region the endpoint expects in signatures.</summary>
        public string Region { get; }

        /// <summary>Every call received, accepted or not, in order.</summary>
        public ConcurrentQueue<ReceivedCall> Calls { get; } = new ConcurrentQueue<ReceivedCall>();

        /// <summary>The records accepted, per stream, decoded from base64, in arrival order.</summary>
        public ConcurrentQueue<(string Stream, byte[] Data)> Accepted { get; } = new ConcurrentQueue<(string, byte[])>();

        /// <summary>When set, decides per record (index within the call) whether to fail it with this error code.</summary>
        public Func<int, string?>? FailRecord { get; set; }

        /// <summary>When set, a call gets this error answer instead (status, __type, message).</summary>
        public Func<ReceivedCall, (int Status, string Type, string Message)?>? FailCall { get; set; }

        public static async Task<LoopbackFirehose> StartAsync(string region = "us-east-1")
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.Logging.ClearProviders();
            builder.WebHost.UseKestrel(o => o.Limits.MaxRequestBodySize = 64 * 1024 * 1024);
            builder.WebHost.UseUrls("http://127.0.0.1:0");
            var app = builder.Build();
            var server = new LoopbackFirehose(app, region);
            app.Run(server.HandleAsync);
            await app.StartAsync().ConfigureAwait(false);
            string address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
            server.Url = new Uri(address.EndsWith('/') ? address : address + "/");
            return server;
        }

        public IReadOnlyList<string> AcceptedText(string? stream = null)
            => Accepted.Where(a => stream is null || a.Stream == stream).Select(a => Encoding.UTF8.GetString(a.Data)).ToList();

        private async Task HandleAsync(HttpContext context)
        {
            using var ms = new MemoryStream();
            await context.Request.Body.CopyToAsync(ms).ConfigureAwait(false);
            byte[] body = ms.ToArray();
            var call = new ReceivedCall(
                context.Request.Method,
                context.Request.Path.Value ?? "/",
                context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase),
                body);
            Calls.Enqueue(call);

            if (call.Method != "POST" || call.Path != "/")
            {
                await ErrorAsync(context, 404, "UnknownOperationException", "only POST / is served").ConfigureAwait(false);
                return;
            }
            if (!call.Headers.TryGetValue("Content-Type", out string? contentType) || contentType != FirehoseProtocol.ContentType)
            {
                await ErrorAsync(context, 400, "SerializationException", "Content-Type must be application/x-amz-json-1.1").ConfigureAwait(false);
                return;
            }
            if (!call.Headers.TryGetValue("X-Amz-Target", out string? target) || target != "Firehose_20150804.PutRecordBatch")
            {
                await ErrorAsync(context, 400, "UnknownOperationException", "unexpected X-Amz-Target " + target).ConfigureAwait(false);
                return;
            }
            string? signatureProblem = VerifySignature(call);
            call.SignatureProblem = signatureProblem;
            if (signatureProblem != null)
            {
                await ErrorAsync(context, 403, "InvalidSignatureException", signatureProblem).ConfigureAwait(false);
                return;
            }

            string stream;
            List<byte[]> records;
            try
            {
                (stream, records) = ParseBody(body);
            }
            catch (Exception ex) when (ex is JsonException || ex is FormatException || ex is InvalidDataException || ex is KeyNotFoundException || ex is InvalidOperationException)
            {
                await ErrorAsync(context, 400, "SerializationException", ex.Message).ConfigureAwait(false);
                return;
            }
            call.Stream = stream;
            call.Records = records;

            string? invalid = CheckLimits(stream, records);
            if (invalid != null)
            {
                await ErrorAsync(context, 400, "InvalidArgumentException", invalid).ConfigureAwait(false);
                return;
            }

            var fail = FailCall?.Invoke(call);
            if (fail is { } f)
            {
                await ErrorAsync(context, f.Status, f.Type, f.Message).ConfigureAwait(false);
                return;
            }

            var output = new MemoryStream();
            using (var writer = new Utf8JsonWriter(output))
            {
                int failed = 0;
                writer.WriteStartObject();
                writer.WriteStartArray("RequestResponses");
                for (int i = 0; i < records.Count; i++)
                {
                    writer.WriteStartObject();
                    string? error = FailRecord?.Invoke(i);
                    if (error != null)
                    {
                        failed++;
                        writer.WriteString("ErrorCode", error);
                        writer.WriteString("ErrorMessage", "injected failure for record " + i);
                    }
                    else
                    {
                        writer.WriteString("RecordId", "rec-" + Interlocked.Increment(ref _recordIds).ToString(CultureInfo.InvariantCulture));
                        Accepted.Enqueue((stream, records[i]));
                    }
                    writer.WriteEndObject();
                }
                writer.WriteEndArray();
                writer.WriteNumber("FailedPutCount", failed);
                writer.WriteBoolean("Encrypted", false);
                writer.WriteEndObject();
            }
            context.Response.StatusCode = 200;
            context.Response.ContentType = FirehoseProtocol.ContentType;
            context.Response.Headers["x-amzn-RequestId"] = Guid.NewGuid().ToString();
            await context.Response.Body.WriteAsync(output.ToArray()).ConfigureAwait(false);
        }

        private static (string Stream, List<byte[]> Records) ParseBody(byte[] body)
        {
            using var doc = JsonDocument.Parse(body);
            string stream = doc.RootElement.GetProperty("DeliveryStreamName").GetString() ?? throw new InvalidDataException("DeliveryStreamName is null");
            var records = new List<byte[]>();
            foreach (var record in doc.RootElement.GetProperty("Records").EnumerateArray())
                records.Add(Convert.FromBase64String(record.GetProperty("Data").GetString() ?? throw new InvalidDataException("Data is null")));
            return (stream, records);
        }

        private static string? CheckLimits(string stream, List<byte[]> records)
        {
            if (stream.Length is < 1 or > 64 || stream.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '_' or '.' or '-')))
                return "1 validation error detected: Value at 'deliveryStreamName' failed to satisfy constraint";
            if (records.Count is < 1 or > 500)
                return $"1 validation error detected: Value at 'records' failed to satisfy constraint: Member must have length less than or equal to 500 (was {records.Count})";
            if (records.Any(r => r.Length > 1_024_000))
                return "1 validation error detected: Value at 'records.member.data' failed to satisfy constraint: Member must have length less than or equal to 1024000";
            if (records.Sum(r => (long)r.Length) > 4 * 1024 * 1024)
                return "Records size exceeds 4 MB limit";
            return null;
        }

        private string? VerifySignature(ReceivedCall call)
        {
            if (!call.Headers.TryGetValue("Authorization", out string? authorization))
                return "missing Authorization header";
            if (!call.Headers.TryGetValue("X-Amz-Date", out string? amzDate))
                return "missing X-Amz-Date header";
            const string prefix = "AWS4-HMAC-SHA256 ";
            if (!authorization.StartsWith(prefix, StringComparison.Ordinal))
                return "not an AWS4-HMAC-SHA256 signature";
            var parts = authorization.Substring(prefix.Length).Split(',').Select(p => p.Trim()).ToDictionary(p => p.Substring(0, p.IndexOf('=')), p => p.Substring(p.IndexOf('=') + 1));
            string[] scope = parts["Credential"].Split('/');
            if (scope.Length != 5 || scope[0] != AccessKey || scope[2] != Region || scope[3] != "firehose" || scope[4] != "aws4_request")
                return "unexpected credential scope " + parts["Credential"];
            DateTime time = DateTime.ParseExact(amzDate, "yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal);
            if (scope[1] != time.ToString("yyyyMMdd", CultureInfo.InvariantCulture))
                return "scope date does not match X-Amz-Date";
            if (Math.Abs((DateTime.UtcNow - time).TotalMinutes) > 15)
                return "Signature expired";

            string[] signedHeaders = parts["SignedHeaders"].Split(';');
            foreach (string required in new[] { "host", "x-amz-date", "x-amz-target", "content-type" })
            {
                if (!signedHeaders.Contains(required))
                    return "header not signed: " + required;
            }
            call.Headers.TryGetValue("X-Amz-Security-Token", out string? token);
            var request = new SigV4Request
            {
                Method = call.Method,
                Path = call.Path,
                Query = string.Empty,
                PayloadSha256Hex = SigV4Signer.Sha256Hex(call.Body),
            };
            foreach (string name in signedHeaders)
            {
                if (name is "x-amz-date" or "x-amz-security-token")
                    continue;   // the signer adds these itself
                if (!call.Headers.TryGetValue(name, out string? value))
                    return "signed header missing from request: " + name;
                request.Headers.Add(new KeyValuePair<string, string>(name, value));
            }
            var credentials = new ImmutableCredentials(AccessKey, SecretKey, token);
            string expected = new SigV4Signer(Region, "firehose").Sign(request, credentials, time).Signature;
            return expected == parts["Signature"] ? null : "The request signature we calculated does not match the signature you provided";
        }

        private static async Task ErrorAsync(HttpContext context, int status, string type, string message)
        {
            context.Response.StatusCode = status;
            context.Response.ContentType = FirehoseProtocol.ContentType;
            context.Response.Headers["x-amzn-ErrorType"] = type;
            context.Response.Headers["x-amzn-RequestId"] = Guid.NewGuid().ToString();
            byte[] payload = JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, string> { ["__type"] = type, ["message"] = message });
            await context.Response.Body.WriteAsync(payload).ConfigureAwait(false);
        }

        public async ValueTask DisposeAsync()
        {
            await _app.StopAsync().ConfigureAwait(false);
            await _app.DisposeAsync().ConfigureAwait(false);
        }
    }
}
