using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using Firehose.Local.Api;
using Firehose.Local.Protocol;
using Firehose.Local.Streams;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Firehose.Local
{
    /// <summary>
    /// Firehose Local running in this process: a Kestrel endpoint that serves the Firehose API and the
    /// <c>/_local/</c> admin endpoints, and delivers streams to their destinations. Start it with
    /// <see cref="StartAsync"/>; stop it with <see cref="StopAsync"/> or <see cref="DisposeAsync"/>, which deliver
    /// everything still buffered first.
    /// </summary>
    public sealed class FirehoseLocalServer : IAsyncDisposable
    {
        private readonly WebApplication _app;
        private readonly StreamRegistry _streams;
        private readonly LocalContext _context;
        private readonly HttpClient _http;
        private readonly CancellationTokenSource _stopping;
        private readonly object _pendingLock = new();
        private readonly List<Task> _pending = new();
        private Task _bufferLoop = Task.CompletedTask;
        private Task? _stopTask;

        private FirehoseLocalServer(WebApplication app, StreamRegistry streams, LocalContext context, HttpClient http, FaultSettings faults, CancellationTokenSource stopping)
        {
            _app = app;
            _streams = streams;
            _context = context;
            _http = http;
            Faults = faults;
            _stopping = stopping;
        }

        /// <summary>The base URL of the endpoint, such as <c>http://127.0.0.1:4573/</c> (with the port the OS picked when the configured port is 0).</summary>
        public Uri Url { get; private set; } = null!;

        /// <summary>The faults in force; change them at any time, from any thread (also possible through <c>PUT /_local/faults</c>).</summary>
        public FaultSettings Faults { get; }

        /// <summary>The data directory: one subdirectory per bucket, and the default file indexes under <c>_indexes/</c>.</summary>
        public string DataDirectory => _context.DataDirectory;

        /// <summary>The region expected in signatures.</summary>
        public string Region => _context.Options.Region;

        /// <summary>
        /// Starts Firehose Local: creates the streams of <see cref="FirehoseLocalOptions.Streams"/> and listens.
        /// </summary>
        /// <param name="options">The settings; they are read at start (later changes have no effect, except through <see cref="Faults"/>).</param>
        /// <param name="cancellationToken">Cancels the start.</param>
        /// <returns>The running server.</returns>
        /// <exception cref="ArgumentException">A stream definition or a setting is invalid (the message tells which).</exception>
        public static async Task<FirehoseLocalServer> StartAsync(FirehoseLocalOptions options, CancellationToken cancellationToken = default)
        {
            ArgumentNullException.ThrowIfNull(options);
            if (options.Port is < 0 or > 65535)
                throw new ArgumentException($"Port must be 0 to 65535, not {options.Port}.", nameof(options));
            if (string.IsNullOrEmpty(options.AccessKey) || string.IsNullOrEmpty(options.SecretKey) || string.IsNullOrEmpty(options.Region))
                throw new ArgumentException("AccessKey, SecretKey and Region must not be empty.", nameof(options));
            bool namedHost = string.Equals(options.Host, "localhost", StringComparison.OrdinalIgnoreCase) || options.Host is "*" or "0.0.0.0";
            if (!namedHost && !IPAddress.TryParse(options.Host, out _))
                throw new ArgumentException($"Host must be localhost, * or an IP address, not '{options.Host}'.", nameof(options));
            if (options.BufferCheckIntervalMilliseconds < 1)
                throw new ArgumentException("BufferCheckIntervalMilliseconds must be at least 1.", nameof(options));

            var faults = new FaultSettings();
            faults.CopyFrom(options.Faults ?? new FaultSettings());
            string dataDirectory = Path.GetFullPath(string.IsNullOrEmpty(options.DataDirectory) ? Path.Combine(Environment.CurrentDirectory, "firehose-local-data") : options.DataDirectory);
            Directory.CreateDirectory(dataDirectory);
            var http = new HttpClient { Timeout = TimeSpan.FromSeconds(60) };
            var context = new LocalContext(options, dataDirectory, options.TimeProvider ?? TimeProvider.System, http);
            var streams = new StreamRegistry(context);
            for (int i = 0; i < options.Streams.Count; i++)
            {
                try
                {
                    streams.Create(options.Streams[i]);
                }
                catch (ServiceException ex)
                {
                    http.Dispose();
                    throw new ArgumentException($"{FirehoseLocalOptions.SectionName}:Streams:{i} ({options.Streams[i].DeliveryStreamName}): {ex.ErrorType}: {ex.Message}", nameof(options), ex);
                }
            }

            var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
            builder.WebHost.UseKestrelCore();
            builder.WebHost.ConfigureKestrel(kestrel =>
            {
                kestrel.Limits.MaxRequestBodySize = Api.FirehoseApi.MaxRequestBodyBytes;
                kestrel.AddServerHeader = false;
                if (string.Equals(options.Host, "localhost", StringComparison.OrdinalIgnoreCase))
                    kestrel.ListenLocalhost(options.Port);
                else if (options.Host is "*" or "0.0.0.0")
                    kestrel.ListenAnyIP(options.Port);
                else
                    kestrel.Listen(IPAddress.Parse(options.Host), options.Port);
            });
            WebApplication app = builder.Build();
            var stopping = new CancellationTokenSource();
            var server = new FirehoseLocalServer(app, streams, context, http, faults, stopping);
            var operations = new Operations(streams, faults, context.Clock, server.Track);
            server.Operations = operations;
            var api = new FirehoseApi(options, faults, operations, stopping.Token);
            var admin = new AdminApi(faults, streams, () => server.FlushAsync());
            app.Run(httpContext => server.RouteAsync(httpContext, api, admin));

            try
            {
                await app.StartAsync(cancellationToken).ConfigureAwait(false);
            }
            catch
            {
                await app.DisposeAsync().ConfigureAwait(false);
                http.Dispose();
                stopping.Dispose();
                throw;
            }
            string address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
            server.Url = new Uri(address.EndsWith('/') ? address : address + "/");
            server._bufferLoop = Task.Run(() => server.BufferLoopAsync(TimeSpan.FromMilliseconds(options.BufferCheckIntervalMilliseconds)), CancellationToken.None);
            return server;
        }

        /// <summary>The operations behind the API (tests reach hooks through it).</summary>
        internal Operations Operations { get; private set; } = null!;

        /// <summary>The names of the streams that exist now, in ordinal order.</summary>
        /// <returns>The stream names.</returns>
        public IReadOnlyList<string> ListStreams() => _streams.All().Select(s => s.Name).ToList();

        /// <summary>Delivers what every stream has buffered now (and waits for deliveries already under way).</summary>
        /// <param name="cancellationToken">Stops waiting (the deliveries go on).</param>
        /// <returns>A task that completes when the data is delivered or backed up.</returns>
        public async Task FlushAsync(CancellationToken cancellationToken = default)
        {
            Task[] pending;
            lock (_pendingLock)
                pending = _pending.ToArray();
            var flushes = _streams.All().Select(s => s.Destination.FlushAsync(cancellationToken)).Concat(pending);
            await Task.WhenAll(flushes).WaitAsync(cancellationToken).ConfigureAwait(false);
        }

        /// <summary>
        /// Stops listening, then delivers everything still buffered. OpenSearch retries are cut short: documents not yet
        /// indexed are written to the backup bucket as failed documents. Calling it again returns the same task.
        /// </summary>
        /// <exception cref="IOException">Data could be neither delivered nor backed up (at this stop, or when a stream was
        /// deleted), for example because a bucket directory cannot be written; the message has one line per loss. The
        /// server is stopped all the same.</exception>
        /// <param name="cancellationToken">Stops waiting for the shutdown.</param>
        /// <returns>A task that completes when the server has stopped.</returns>
        public Task StopAsync(CancellationToken cancellationToken = default)
        {
            lock (_pendingLock)
                _stopTask ??= StopCoreAsync();
            return _stopTask.WaitAsync(cancellationToken);
        }

        /// <summary>Stops the server as <see cref="StopAsync"/> does and releases it.</summary>
        /// <returns>A task that completes when the server has stopped.</returns>
        public async ValueTask DisposeAsync() => await StopAsync().ConfigureAwait(false);

        private async Task StopCoreAsync()
        {
            _stopping.Cancel();
            try
            {
                await _bufferLoop.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // the loop ends by cancellation
            }
            await _app.StopAsync().ConfigureAwait(false);
            // Final deliveries: no put can reach a buffer any more, OpenSearch retries end (what is left is backed up as
            // failed), and a request to a cluster that does not answer is abandoned after a grace period.
            foreach (DeliveryStream stream in _streams.All())
                stream.Destination.Close();
            _context.StopRequested.Cancel();
            _context.AbortSends.CancelAfter(SendGraceAtStop);
            await FlushAsync().ConfigureAwait(false);
            await _app.DisposeAsync().ConfigureAwait(false);
            _http.Dispose();
            _stopping.Dispose();
            if (!_context.Losses.IsEmpty)
                throw new IOException("Firehose Local could not deliver or back up all data:" + Environment.NewLine + string.Join(Environment.NewLine, _context.Losses));
        }

        /// <summary>How long a request to a cluster already under way may still take once the stop has begun.</summary>
        internal static readonly TimeSpan SendGraceAtStop = TimeSpan.FromSeconds(10);

        private void Track(Task task)
        {
            lock (_pendingLock)
            {
                _pending.RemoveAll(t => t.IsCompleted);
                _pending.Add(task);
            }
        }

        private async Task BufferLoopAsync(TimeSpan interval)
        {
            using var timer = new PeriodicTimer(interval);
            while (await timer.WaitForNextTickAsync(_stopping.Token).ConfigureAwait(false))
            {
                DateTimeOffset now = _context.Clock.GetUtcNow();
                foreach (DeliveryStream stream in _streams.All())
                    stream.Destination.FlushIfDue(now);
            }
        }

        private Task RouteAsync(HttpContext context, FirehoseApi api, AdminApi admin)
        {
            string path = context.Request.Path.Value ?? "/";
            if (!path.StartsWith("/_local/", StringComparison.Ordinal))
                return api.HandleAsync(context);
            string method = context.Request.Method;
            return (path, method) switch
            {
                ("/_local/faults", "GET") => admin.GetFaultsAsync(context),
                ("/_local/faults", "PUT") => admin.PutFaultsAsync(context),
                ("/_local/flush", "POST") => admin.FlushAsync(context),
                ("/_local/streams", "GET") => admin.GetStreamsAsync(context),
                _ => AwsJson.WriteErrorAsync(context, 404, ErrorTypes.UnknownOperation, $"No admin endpoint {method} {path}."),
            };
        }
    }
}
