using System;
using System.Buffers;
using System.Collections.Generic;
using System.Net.Http;
using System.Net.Http.Headers;
#if !NET
using System.Runtime.InteropServices;
#endif
using System.Threading;
using System.Threading.Tasks;
using Amazon.Runtime;

namespace NLog.Targets.Firehose.Client
{
    /// <summary>
    /// Speaks the Firehose API over HTTPS (or HTTP to a local endpoint): awsJson1_1 bodies written with
    /// <see cref="System.Text.Json.Utf8JsonWriter"/>, signed with <see cref="SigV4Signer"/>, sent by one long-lived
    /// <see cref="HttpClient"/> on a <c>SocketsHttpHandler</c> (an <see cref="HttpClientHandler"/> on netstandard2.0). Credentials are asked of AWSSDK.Core on every
    /// call, so credentials that refresh (SSO, web identity, instance roles) stay fresh.
    /// </summary>
    internal sealed class FirehoseHttpClient : IFirehoseClient
    {
        private static readonly MediaTypeHeaderValue JsonContentType = MediaTypeHeaderValue.Parse(FirehoseProtocol.ContentType);

        private readonly HttpClient _http;
        private readonly Uri _endpoint;
        private readonly string _hostHeader;
        private readonly SigV4Signer _signer;
        private readonly AWSCredentials _credentials;
        private readonly Func<DateTime> _utcNow;
        private readonly TimeSpan _timeout;
        /// <summary>
        /// Request bodies kept for the next calls, one per call in flight up to <see cref="MaxSpareBodies"/> (the default
        /// calls in flight), so concurrent calls do not each grow a new one; at most 4 × 8 MiB stay allocated.
        /// </summary>
        private readonly System.Collections.Concurrent.ConcurrentBag<ArrayBufferWriter<byte>> _spareBodies = new System.Collections.Concurrent.ConcurrentBag<ArrayBufferWriter<byte>>();
        private const int MaxSpareBodies = 4;
        private long _clockOffsetTicks;
        private readonly object _owner;

        /// <summary>Creates a client for <paramref name="endpoint"/>, signing for <paramref name="region"/>.</summary>
        /// <param name="endpoint">The service endpoint (<c>https://firehose.{region}.amazonaws.com</c> or a <c>ServiceUrl</c>).</param>
        /// <param name="region">The region in the signing scope.</param>
        /// <param name="credentials">Where credentials come from; asked on every call.</param>
        /// <param name="timeout">How long one call may take, connection included.</param>
        /// <param name="handler">The HTTP handler; a new <c>SocketsHttpHandler</c> (netstandard2.0: <see cref="HttpClientHandler"/>) when null (tests pass their own).</param>
        /// <param name="utcNow">The clock used for signing; <see cref="DateTime.UtcNow"/> when null.</param>
        /// <param name="owner">Who the client works for, named in its log messages (the target).</param>
        public FirehoseHttpClient(Uri endpoint, string region, AWSCredentials credentials, TimeSpan timeout, HttpMessageHandler? handler = null, Func<DateTime>? utcNow = null, object? owner = null)
        {
            _owner = owner ?? "Firehose client";
            _endpoint = endpoint;
            _hostHeader = HostHeaderOf(endpoint);
            _signer = new SigV4Signer(region, FirehoseProtocol.SigningName);
            _credentials = credentials;
            _utcNow = utcNow ?? (() => DateTime.UtcNow);
            _timeout = timeout;
            _http = new HttpClient(handler ?? CreateHandler(), disposeHandler: true)
            {
                MaxResponseContentBufferSize = MaxResponseBodyBytes,   // the answer's body is read by ReadResponseBodyAsync, which enforces the same limit
                Timeout = System.Threading.Timeout.InfiniteTimeSpan,   // enforced per call below, to tell timeouts from cancellation
            };
#if !NET
            // .NET Framework sends "Expect: 100-continue" on a POST by default and waits for the answer before the body;
            // SocketsHttpHandler never does. Send the body at once on every runtime.
            _http.DefaultRequestHeaders.ExpectContinue = false;
#endif
        }

        /// <summary>The endpoint calls go to.</summary>
        public Uri Endpoint => _endpoint;

        /// <summary>The region in the signing scope.</summary>
        public string Region => _signer.Region;

        /// <inheritdoc/>
        public async Task<PutRecordBatchResponse> PutRecordBatchAsync(string deliveryStreamName, IReadOnlyList<ReadOnlyMemory<byte>> records, CancellationToken cancellationToken)
        {
            ArrayBufferWriter<byte> body = _spareBodies.TryTake(out ArrayBufferWriter<byte>? spare) ? spare : new ArrayBufferWriter<byte>(64 * 1024);
            try
            {
                body.Clear();
                FirehoseProtocol.WritePutRecordBatchBody(body, deliveryStreamName, records);
                for (int attempt = 0; ; attempt++)
                {
                    var (status, errorType, requestId, serverDate, responseBuffer, responseLength, credentials) = await SendAsync(FirehoseProtocol.PutRecordBatchTarget, body.WrittenMemory, cancellationToken).ConfigureAwait(false);
                    FirehoseServiceException parsed;
                    try
                    {
                        var responseBody = new ReadOnlySpan<byte>(responseBuffer, 0, responseLength);
                        if (status == 200)
                            return FirehoseProtocol.ParsePutRecordBatchResponse(responseBody, records.Count);
                        parsed = FirehoseProtocol.ParseError(status, errorType, requestId, responseBody);
                    }
                    finally
                    {
                        ReturnResponseBuffer(responseBuffer);
                    }
                    // Signature errors can echo the canonical request, session token included: never let it reach a log.
                    var error = new FirehoseServiceException(parsed.ErrorCode, SecretRedactor.Redact(parsed.ServiceMessage, credentials.SecretKey, credentials.Token), status, requestId);
                    // Two refusals the client can fix by itself, once: a clock that is off, and credentials that expired.
                    if (attempt == 0 && IsClockSkew(error) && serverDate is { } date)
                    {
                        TimeSpan offset = date.UtcDateTime - _utcNow();
                        Interlocked.Exchange(ref _clockOffsetTicks, offset.Ticks);
                        NLog.Common.InternalLogger.Warn("{0}: the local clock is {1:0} s off the service's; signing with the service's time from now on", _owner, -offset.TotalSeconds);
                        continue;
                    }
                    if (attempt == 0 && IsExpiredCredentials(error))
                    {
                        RefreshCredentials();
                        continue;
                    }
                    throw error;
                }
            }
            finally
            {
                if (body.Capacity <= 8 * 1024 * 1024 && _spareBodies.Count < MaxSpareBodies)
                    _spareBodies.Add(body);
            }
        }

        /// <summary>How far the signing clock is set from the local clock, after a clock-skew correction.</summary>
        internal TimeSpan ClockOffset => TimeSpan.FromTicks(Interlocked.Read(ref _clockOffsetTicks));

        private static bool IsClockSkew(FirehoseServiceException error)
        {
            switch (error.ErrorCode)
            {
                case "RequestTimeTooSkewed":
                case "RequestInTheFuture":
                case "RequestExpired":
                    return true;
                case "InvalidSignatureException":
                case "SignatureDoesNotMatch":
                    return error.ServiceMessage.IndexOf("Signature expired", StringComparison.OrdinalIgnoreCase) >= 0
                        || error.ServiceMessage.IndexOf("Signature not yet current", StringComparison.OrdinalIgnoreCase) >= 0;
                default:
                    return false;
            }
        }

        private static bool IsExpiredCredentials(FirehoseServiceException error)
            => error.ErrorCode is "ExpiredTokenException" or "ExpiredToken" or "TokenRefreshRequired";

        private void RefreshCredentials()
        {
            switch (_credentials)
            {
                case RefreshingAWSCredentials refreshing:
                    refreshing.ClearCredentials();
                    break;
                case DefaultChainCredentials chain:
                    chain.Invalidate();
                    break;
            }
        }

        /// <summary>Sends one call; the answer's body comes in a buffer rented from <see cref="ArrayPool{T}.Shared"/>, which the caller gives back (<see cref="ReturnResponseBuffer"/>).</summary>
        private async Task<(int Status, string? ErrorType, string? RequestId, DateTimeOffset? ServerDate, byte[] Body, int BodyLength, ImmutableCredentials Credentials)> SendAsync(string target, ReadOnlyMemory<byte> body, CancellationToken cancellationToken)
        {
            ImmutableCredentials credentials;
            try
            {
                // Bounded like the call itself: a stalled STS, SSO or instance-metadata request must not hold the write.
                credentials = await _credentials.GetCredentialsAsync().WaitAsync(_timeout, cancellationToken).ConfigureAwait(false)
                    ?? throw new InvalidOperationException("the AWS credential source returned no credentials");
            }
            catch (TimeoutException ex)
            {
                throw new TimeoutException($"getting AWS credentials took longer than {_timeout.TotalMilliseconds:0} ms", ex);
            }

            var signing = new SigV4Request
            {
                Method = "POST",
                Path = _endpoint.AbsolutePath,
                Query = string.Empty,
                PayloadSha256Hex = SigV4Signer.Sha256Hex(body.Span),
            };
            signing.Headers.Add(new KeyValuePair<string, string>("host", _hostHeader));
            signing.Headers.Add(new KeyValuePair<string, string>("content-type", FirehoseProtocol.ContentType));
            signing.Headers.Add(new KeyValuePair<string, string>("x-amz-target", target));
            SigV4Signature signature = _signer.Sign(signing, credentials, _utcNow() + ClockOffset);

            using var request = new HttpRequestMessage(HttpMethod.Post, _endpoint);
            request.Headers.Host = _hostHeader;
            request.Headers.TryAddWithoutValidation(FirehoseProtocol.TargetHeader, target);
            foreach (var header in signature.HeadersToAdd)
                request.Headers.TryAddWithoutValidation(header.Key, header.Value);
#if NET
            request.Content = new ReadOnlyMemoryContent(body);
#else
            request.Content = MemoryMarshal.TryGetArray(body, out ArraySegment<byte> segment)
                ? new ByteArrayContent(segment.Array!, segment.Offset, segment.Count)
                : new ByteArrayContent(body.ToArray());
#endif
            request.Content.Headers.ContentType = JsonContentType;

            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(_timeout);
            try
            {
                using HttpResponseMessage response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token).ConfigureAwait(false);
#if !NET
                // .NET Framework's response stream does not stop a read in progress for the token: the timeout disposes
                // the response instead, which ends the read.
                using CancellationTokenRegistration abort = timeout.Token.Register(state => ((HttpResponseMessage)state!).Dispose(), response);
#endif
                var (responseBody, responseLength) = await ReadResponseBodyAsync(response.Content, timeout.Token).ConfigureAwait(false);
                string? errorType = FirstHeader(response, FirehoseProtocol.ErrorTypeHeader);
                string? requestId = FirstHeader(response, FirehoseProtocol.RequestIdHeader);
                return ((int)response.StatusCode, errorType, requestId, response.Headers.Date, responseBody, responseLength, credentials);
            }
            catch (Exception ex) when ((ex is OperationCanceledException || timeout.IsCancellationRequested) && !cancellationToken.IsCancellationRequested)
            {
                // (A read the timeout ended by disposing the response fails with ObjectDisposedException or IOException.)
                throw new TimeoutException($"the Firehose call to {_endpoint.GetLeftPart(UriPartial.Authority)} took longer than {_timeout.TotalMilliseconds:0} ms", ex);
            }
        }

        /// <summary>The largest answer body read (a PutRecordBatch answer is tens of KiB); a runaway body fails the call.</summary>
        internal const int MaxResponseBodyBytes = 16 * 1024 * 1024;

        /// <summary>
        /// Reads the answer's body into a buffer rented from <see cref="ArrayPool{T}.Shared"/> (an answer of 500 entries is
        /// about 40 KB: a new array per call, and another inside HttpClient's own buffering, would be garbage every call).
        /// </summary>
        private static async Task<(byte[] Buffer, int Length)> ReadResponseBodyAsync(HttpContent content, CancellationToken cancellationToken)
        {
            long? declared = content.Headers.ContentLength;
            if (declared > MaxResponseBodyBytes)
                throw new HttpRequestException($"the Firehose answer's body of {declared} bytes is larger than {MaxResponseBodyBytes} bytes");
            byte[] buffer = ArrayPool<byte>.Shared.Rent(declared is long known && known > 0 ? (int)known : 16 * 1024);
            int length = 0;
            try
            {
#if NET
                using System.IO.Stream stream = await content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
#else
                using System.IO.Stream stream = await content.ReadAsStreamAsync().ConfigureAwait(false);   // the caller ends a stalled read at its timeout
#endif
                while (true)
                {
                    if (length == buffer.Length)
                    {
                        if (buffer.Length >= MaxResponseBodyBytes)
                            throw new HttpRequestException($"the Firehose answer's body is larger than {MaxResponseBodyBytes} bytes");
                        byte[] larger = ArrayPool<byte>.Shared.Rent(Math.Min(MaxResponseBodyBytes, buffer.Length * 2));
                        Buffer.BlockCopy(buffer, 0, larger, 0, length);
                        ArrayPool<byte>.Shared.Return(buffer);
                        buffer = larger;
                    }
                    int read = await stream.ReadAsync(buffer, length, Math.Min(buffer.Length, MaxResponseBodyBytes) - length, cancellationToken).ConfigureAwait(false);
                    if (read == 0)
                        return (buffer, length);
                    length += read;
                }
            }
            catch
            {
                ArrayPool<byte>.Shared.Return(buffer);
                throw;
            }
        }

        private static void ReturnResponseBuffer(byte[] buffer) => ArrayPool<byte>.Shared.Return(buffer);

        private static string? FirstHeader(HttpResponseMessage response, string name)
        {
            if (response.Headers.TryGetValues(name, out var values) || response.Content.Headers.TryGetValues(name, out values))
            {
                foreach (var value in values)
                    return value;
            }
            return null;
        }


        /// <summary>The <c>Host</c> header HTTP sends for <paramref name="uri"/>: host, and port unless the scheme's default.</summary>
        internal static string HostHeaderOf(Uri uri)
        {
            string host = uri.HostNameType == UriHostNameType.Dns ? uri.IdnHost : uri.Host;
            return uri.IsDefaultPort ? host : host + ":" + uri.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

#if NET
        private static SocketsHttpHandler CreateHandler() => new SocketsHttpHandler
        {
            // Long-lived handler; recycle connections now and then so DNS changes of the endpoint are seen.
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(1),
            ConnectTimeout = TimeSpan.FromSeconds(10),
            AutomaticDecompression = System.Net.DecompressionMethods.None,
            UseCookies = false,
            AllowAutoRedirect = false,
        };
#else
        /// <summary>
        /// netstandard2.0 has no <c>SocketsHttpHandler</c>: an <see cref="HttpClientHandler"/> set up the same way where
        /// it can be (no decompression, cookies or redirects). It has no connect timeout or connection lifetime of its
        /// own: the per-call timeout bounds connecting too, and the host's idle-connection policy recycles connections
        /// (on .NET Framework, the endpoint's ServicePoint). On .NET Framework the default of 2 connections per server
        /// would serialize concurrent calls, so the limit is raised to what SocketsHttpHandler allows.
        /// </summary>
        private static HttpClientHandler CreateHandler()
        {
            var handler = new HttpClientHandler
            {
                AutomaticDecompression = System.Net.DecompressionMethods.None,
                UseCookies = false,
                AllowAutoRedirect = false,
            };
            try
            {
                RaiseConnectionLimit(handler);
            }
            catch (Exception ex) when (ex is PlatformNotSupportedException or MissingMethodException)
            {
                // .NET Framework before 4.7.1 (the property throws, or its System.Net.Http lacks it): ServicePointManager's limit applies.
            }
            return handler;
        }

        /// <summary>A method of its own, so that a System.Net.Http without the property fails here, inside the caller's catch, not when the caller is compiled.</summary>
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
        private static void RaiseConnectionLimit(HttpClientHandler handler) => handler.MaxConnectionsPerServer = int.MaxValue;
#endif

        /// <inheritdoc/>
        public void Dispose() => _http.Dispose();
    }
}
