using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using Amazon.Runtime;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using NLog.Targets.Firehose.Client;

namespace NLog.Targets.Firehose.Tests.Infrastructure
{
    /// <summary>
    /// A Firehose-compatible PutRecordBatch endpoint for tests, on 127.0.0.1 with a port the OS picks. It checks what
    /// the service checks — the SigV4 signature (recomputed from the request it received), the awsJson1_1 headers, the
    /// body shape and the limits — decodes the records, and answers like the service. Tests can make it fail records
    /// or whole calls, through the <see cref="FailRecord"/> and <see cref="FailCall"/> hooks or through the random,
    /// seeded, run-time adjustable faults of <see cref="Faults"/> (throttling, per-record failures, HTTP 500,
    /// connection resets before or after the records are accepted, latency, outages).
    /// </summary>
    /// <remarks>
    /// The listening endpoint comes from an in-memory configuration that Kestrel watches (reloadOnChange), so an
    /// outage in <see cref="OutageMode.ConnectionRefused"/> mode can remove the endpoint — Kestrel closes the listening
    /// socket and the OS refuses connections — and ending the outage binds the same port again.
    /// </remarks>
    internal sealed class LoopbackFirehose : IAsyncDisposable
    {
        public const string AccessKey = "AKIDLOOPBACKTEST";
        public const string SecretKey = "loopback/secret+KEY/for/tests/only";

        private static readonly TimeSpan ListenerChangeTimeout = TimeSpan.FromSeconds(10);

        private readonly ListenerConfiguration _listenerConfig;
        private readonly ConcurrentDictionary<int, byte> _probePorts = new ConcurrentDictionary<int, byte>();
        private readonly object _listenerLock = new object();
        private readonly CancellationTokenSource _stopping = new CancellationTokenSource();
        private WebApplication _app = null!;
        private Task _listenerWork = Task.CompletedTask;
        private bool _listening = true;   // only touched by the serialised _listenerWork chain
        private volatile bool _disposed;
        private int _recordIds;
        private long _acceptedCount;

        private LoopbackFirehose(string region, ListenerConfiguration listenerConfig)
        {
            Region = region;
            _listenerConfig = listenerConfig;
            Faults.OutageChanged += OnOutageChanged;
        }

        /// <summary>The endpoint's URL, such as http://127.0.0.1:41234/.</summary>
        public Uri Url { get; private set; } = null!;

        /// <summary>The region the endpoint expects in signatures.</summary>
        public string Region { get; }

        /// <summary>The injected faults and their counters; adjustable at any time from any thread.</summary>
        public FaultSettings Faults { get; } = new FaultSettings();

        /// <summary>
        /// Whether each call is kept in <see cref="Calls"/> (true by default). Turn it off in tests that send hundreds
        /// of thousands of records and only look at <see cref="Accepted"/> and the counters: a kept call holds its
        /// body and its decoded records.
        /// </summary>
        public bool RecordCalls { get; set; } = true;

        /// <summary>Every call received (while <see cref="RecordCalls"/> is on), accepted or not, in order.</summary>
        public ConcurrentQueue<ReceivedCall> Calls { get; } = new ConcurrentQueue<ReceivedCall>();

        /// <summary>The records accepted, per stream, decoded from base64, in arrival order.</summary>
        public ConcurrentQueue<(string Stream, byte[] Data)> Accepted { get; } = new ConcurrentQueue<(string, byte[])>();

        /// <summary>How many records were accepted (the size of <see cref="Accepted"/>, duplicates included), without walking it.</summary>
        public long AcceptedCount => Interlocked.Read(ref _acceptedCount);

        /// <summary>When set, decides per record (index within the call) whether to fail it with this error code; it takes precedence over <see cref="FaultSettings.RecordFailureRate"/>.</summary>
        public Func<int, string?>? FailRecord { get; set; }

        /// <summary>When set, a call gets this error answer instead (status, __type, message). Asked after the throttle and HTTP 500 faults.</summary>
        public Func<ReceivedCall, (int Status, string Type, string Message)?>? FailCall { get; set; }

        public static async Task<LoopbackFirehose> StartAsync(string region = "us-east-1")
        {
            var listenerConfig = new ListenerConfiguration("http://127.0.0.1:0");
            IConfiguration kestrelConfig = new ConfigurationBuilder().Add(listenerConfig).Build();
            var server = new LoopbackFirehose(region, listenerConfig);

            var builder = WebApplication.CreateSlimBuilder();
            builder.Logging.ClearProviders();
            builder.WebHost.UseKestrel(o =>
            {
                o.Limits.MaxRequestBodySize = 64 * 1024 * 1024;
                o.ConfigureEndpointDefaults(listen => listen.Use(next => connection => server.OnConnectionAsync(connection, next)));
                o.Configure(kestrelConfig, reloadOnChange: true);
            });
            var app = builder.Build();
            server._app = app;
            app.Run(server.HandleAsync);
            await app.StartAsync().ConfigureAwait(false);
            string address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
            server.Url = new Uri(address.EndsWith('/') ? address : address + "/");
            app.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping.Register(server._stopping.Cancel);
            return server;
        }

        /// <summary>A real target pointed at this endpoint with its region and keys; tests set the rest.</summary>
        public FirehoseTarget NewTarget(string stream) => new FirehoseTarget("firehose")
        {
            DeliveryStreamName = stream,
            Region = Region,
            ServiceUrl = Url.ToString(),
            AccessKey = AccessKey,
            SecretKey = SecretKey,
        };

        /// <summary>
        /// A target for <paramref name="stream"/> with a disk buffer in <paramref name="directory"/> that gives up on a call
        /// quickly (300 ms, retries 10–100 ms), so it goes to disk fast; its records are <c>{"event.id":"&lt;n&gt;"}</c>
        /// from the event property <c>n</c>.
        /// </summary>
        public FirehoseTarget NewBufferedTarget(string stream, string directory)
        {
            var target = NewTarget(stream);
            target.BufferDirectory = directory;
            target.DeliveryTimeoutMilliseconds = 300;
            target.RetryBaseDelayMilliseconds = 10;
            target.RetryMaxDelayMilliseconds = 100;
            target.Layout = "{\"event.id\":\"${event-properties:n}\"}";
            return target;
        }

        public IReadOnlyList<string> AcceptedText(string? stream = null)
            => Accepted.Where(a => stream is null || a.Stream == stream).Select(a => Encoding.UTF8.GetString(a.Data)).ToList();

        /// <summary>
        /// The distinct values of <paramref name="field"/> over the accepted records (JSON objects, one per record).
        /// The field is looked up as a top-level property of that exact name first (ECS-style dotted names such as
        /// <c>"event.id"</c>), then as a path of nested objects (<c>{"event":{"id":…}}</c>). Records that are not JSON
        /// objects or lack the field are skipped. A string value counts as its text, any other value as its raw JSON.
        /// </summary>
        public IReadOnlySet<string> DistinctAcceptedIds(string field = "event.id")
        {
            var ids = new HashSet<string>(StringComparer.Ordinal);
            foreach (var (_, data) in Accepted)
            {
                string? id = IdOf(data, field);
                if (id != null)
                    ids.Add(id);
            }
            return ids;
        }

        /// <summary>How many accepted records repeat a <paramref name="field"/> value of a record accepted before them (see <see cref="DistinctAcceptedIds"/>).</summary>
        public long DuplicateCount(string field = "event.id")
        {
            var ids = new HashSet<string>(StringComparer.Ordinal);
            long duplicates = 0;
            foreach (var (_, data) in Accepted)
            {
                string? id = IdOf(data, field);
                if (id != null && !ids.Add(id))
                    duplicates++;
            }
            return duplicates;
        }

        /// <summary>Clears <see cref="Calls"/>, <see cref="Accepted"/> and every counter, between phases of a test. The fault settings stay as they are.</summary>
        public void Reset()
        {
            Calls.Clear();
            Accepted.Clear();
            Interlocked.Exchange(ref _acceptedCount, 0);
            Faults.ResetCounters();
        }

        /// <summary>
        /// Completes once the listening socket matches the latest outage setting: closed during a
        /// <see cref="OutageMode.ConnectionRefused"/> outage (connections are refused by the OS), bound otherwise.
        /// Faults if Kestrel could not make the change within 10 s (for instance if the port was taken meanwhile).
        /// Calls fail as the outage says from the moment it is set; this only tells when the refusal is a real one.
        /// </summary>
        public Task ListenerSettledAsync()
        {
            lock (_listenerLock)
                return _listenerWork;
        }

        private static string? IdOf(byte[] data, string field)
        {
            try
            {
                using var doc = JsonDocument.Parse(data);
                if (doc.RootElement.ValueKind != JsonValueKind.Object)
                    return null;
                if (!doc.RootElement.TryGetProperty(field, out JsonElement value))
                {
                    value = doc.RootElement;
                    foreach (string part in field.Split('.'))
                    {
                        if (value.ValueKind != JsonValueKind.Object || !value.TryGetProperty(part, out value))
                            return null;
                    }
                }
                return value.ValueKind switch
                {
                    JsonValueKind.String => value.GetString(),
                    JsonValueKind.Null or JsonValueKind.Undefined => null,
                    _ => value.GetRawText(),
                };
            }
            catch (JsonException)
            {
                return null;
            }
        }

        private async Task OnConnectionAsync(ConnectionContext connection, ConnectionDelegate next)
        {
            if (connection.RemoteEndPoint is IPEndPoint remote && _probePorts.ContainsKey(remote.Port))
            {
                connection.Abort();   // our own probe of the listener: nothing to serve, not counted
                return;
            }
            if (Faults.RefusesConnections)
            {
                Faults.CountRefusedConnection();
                connection.Abort(new ConnectionAbortedException("injected outage: connection refused"));
                return;
            }
            await next(connection).ConfigureAwait(false);
        }

        private void OnOutageChanged()
        {
            lock (_listenerLock)
            {
                _listenerWork = _listenerWork
                    .ContinueWith(_ => ApplyListenerStateAsync(), CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default)
                    .Unwrap();
            }
        }

        /// <summary>Brings the listener in line with the latest outage setting, and waits until the OS shows it.</summary>
        private async Task ApplyListenerStateAsync()
        {
            bool wanted = !Faults.RefusesConnections;
            if (wanted == _listening || _disposed || Url is null)
                return;
            _listenerConfig.SetUrl(wanted ? $"http://127.0.0.1:{Url.Port.ToString(CultureInfo.InvariantCulture)}" : null);
            var deadline = DateTime.UtcNow + ListenerChangeTimeout;
            while (await IsListeningAsync().ConfigureAwait(false) != wanted)   // null (in between) also waits
            {
                if (_disposed)
                    return;
                if (DateTime.UtcNow > deadline)
                    throw new InvalidOperationException($"Kestrel did not {(wanted ? "bind" : "unbind")} {Url} within {ListenerChangeTimeout.TotalSeconds} s");
                await Task.Delay(10).ConfigureAwait(false);
            }
            _listening = wanted;
        }

        /// <summary>
        /// Whether a TCP connection to the port is accepted (true) or refused (false); null when neither is clear, such
        /// as a connection reset because the listener closed while it waited in the backlog. The probe's own connection
        /// is aborted by the server without being counted.
        /// </summary>
        private async Task<bool?> IsListeningAsync()
        {
            using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            int localPort = ((IPEndPoint)socket.LocalEndPoint!).Port;
            _probePorts[localPort] = 0;
            try
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, Url.Port), timeout.Token).ConfigureAwait(false);
                return true;
            }
            catch (SocketException ex)
            {
                return ex.SocketErrorCode == SocketError.ConnectionRefused ? false : null;
            }
            catch (OperationCanceledException)
            {
                return null;
            }
            finally
            {
                // Let the server see the probe before its port may be reused by another socket.
                await Task.Delay(50).ConfigureAwait(false);
                _probePorts.TryRemove(localPort, out _);
            }
        }

        private async Task HandleAsync(HttpContext context)
        {
            Faults.CountCall();
            FaultSettings.CallDice dice = Faults.NextCall();
            using var ms = new MemoryStream();
            await context.Request.Body.CopyToAsync(ms).ConfigureAwait(false);
            byte[] body = ms.ToArray();
            var call = new ReceivedCall(
                context.Request.Method,
                context.Request.Path.Value ?? "/",
                context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase),
                body);
            if (RecordCalls)
                Calls.Enqueue(call);

            // 1. Latency, cut short when the client goes away or the server stops.
            TimeSpan latency = Faults.Latency;
            if (latency > TimeSpan.Zero)
            {
                using var linked = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, _stopping.Token);
                try
                {
                    await Task.Delay(latency, linked.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    context.Abort();
                    return;
                }
            }

            // 2. Outage: nothing gets through.
            if (Faults.Outage)
            {
                Faults.CountOutage();
                if (Faults.OutageMode == OutageMode.ConnectionRefused)
                    context.Abort();   // a connection opened before the outage: drop it, as a dying server would
                else
                    await ErrorAsync(context, 503, "ServiceUnavailableException", "Service unavailable (injected outage).").ConfigureAwait(false);
                return;
            }

            // 3. The connection breaks before the request is processed.
            if (dice.ResetBefore < Faults.ResetBeforeProcessingRate)
            {
                Faults.CountResetBefore();
                context.Abort();
                return;
            }

            // 4. What the service checks before doing anything.
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
            if (Faults.VerifySignatures)
            {
                string? signatureProblem = VerifySignature(call);
                call.SignatureProblem = signatureProblem;
                if (signatureProblem != null)
                {
                    await ErrorAsync(context, 403, "InvalidSignatureException", signatureProblem).ConfigureAwait(false);
                    return;
                }
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

            // 5. Throttling and internal errors refuse the whole call.
            if (dice.Throttle < Faults.ThrottleRate)
            {
                Faults.CountThrottled();
                await ErrorAsync(context, 503, "ServiceUnavailableException", "Slow down.").ConfigureAwait(false);
                return;
            }
            if (dice.Http500 < Faults.Http500Rate)
            {
                Faults.CountHttp500();
                await ErrorAsync(context, 500, "InternalFailure", "The request processing has failed because of an unknown error, exception or failure (injected).").ConfigureAwait(false);
                return;
            }

            var fail = FailCall?.Invoke(call);
            if (fail is { } f)
            {
                await ErrorAsync(context, f.Status, f.Type, f.Message).ConfigureAwait(false);
                return;
            }

            // 6. Processing, with per-record failures.
            var output = new MemoryStream();
            int failed = 0;
            using (var writer = new Utf8JsonWriter(output))
            {
                double recordFailureRate = Faults.RecordFailureRate;
                Func<int, string?>? failRecord = FailRecord;
                writer.WriteStartObject();
                writer.WriteStartArray("RequestResponses");
                for (int i = 0; i < records.Count; i++)
                {
                    writer.WriteStartObject();
                    string? randomError = dice.NextRecord(recordFailureRate);
                    string? error = failRecord != null ? failRecord(i) : randomError;
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
                        Interlocked.Increment(ref _acceptedCount);
                    }
                    writer.WriteEndObject();
                }
                writer.WriteEndArray();
                writer.WriteNumber("FailedPutCount", failed);
                writer.WriteBoolean("Encrypted", false);
                writer.WriteEndObject();
            }
            if (failed > 0)
                Faults.CountFailedRecords(failed);

            // 7. The records are in, but the answer never leaves: the client will resend them.
            if (dice.ResetAfter < Faults.ResetAfterProcessingRate)
            {
                Faults.CountResetAfter();
                context.Abort();
                return;
            }

            Faults.CountSucceeded();
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
            _disposed = true;
            Faults.OutageChanged -= OnOutageChanged;
            try
            {
                await ListenerSettledAsync().ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is InvalidOperationException || ex is SocketException)
            {
                // a listener change that failed is reported to whoever awaits ListenerSettledAsync; stop anyway
            }
            _stopping.Cancel();
            await _app.StopAsync().ConfigureAwait(false);
            await _app.DisposeAsync().ConfigureAwait(false);
            _stopping.Dispose();
        }

        /// <summary>
        /// Kestrel's endpoint configuration, in memory: one endpoint with <see cref="SetUrl"/>'s URL, or none.
        /// Setting it raises the reload token Kestrel watches, and Kestrel binds or unbinds in the background.
        /// </summary>
        private sealed class ListenerConfiguration : ConfigurationProvider, IConfigurationSource
        {
            private const string UrlKey = "Endpoints:Loopback:Url";

            public ListenerConfiguration(string url) => SetData(url);

            public IConfigurationProvider Build(IConfigurationBuilder builder) => this;

            public void SetUrl(string? url)
            {
                SetData(url);
                OnReload();
            }

            // A new dictionary each time, so Kestrel never reads one that is being changed.
            private void SetData(string? url)
            {
                var data = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
                if (url != null)
                    data[UrlKey] = url;
                Data = data;
            }
        }
    }
}
