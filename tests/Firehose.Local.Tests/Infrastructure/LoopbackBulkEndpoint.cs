using System;
using System.Collections.Concurrent;
using System.IO;
using System.Linq;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Firehose.Local.Tests.Infrastructure
{
    /// <summary>
    /// An OpenSearch-like <c>_bulk</c> endpoint on 127.0.0.1 (port picked by the OS) that keeps every request and answers
    /// with <see cref="Respond"/> (by default: every item indexed, status 201).
    /// </summary>
    internal sealed class LoopbackBulkEndpoint : IAsyncDisposable
    {
        private readonly WebApplication _app;
        private int _calls;

        private LoopbackBulkEndpoint(WebApplication app) => _app = app;

        public Uri Url { get; private set; } = null!;

        public ConcurrentQueue<BulkRequest> Requests { get; } = new();

        /// <summary>Given the call number (1-based) and the request, the status and body to answer with.</summary>
        public Func<int, BulkRequest, (int Status, string Body)> Respond { get; set; } = (_, request) => (200, Answer(request, _ => null));

        /// <summary>Awaited before answering each request (set an unfinished task to make the cluster hang).</summary>
        public Task Gate { get; set; } = Task.CompletedTask;

        public static async Task<LoopbackBulkEndpoint> StartAsync()
        {
            var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
            builder.WebHost.UseKestrelCore();
            builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
            WebApplication app = builder.Build();
            var endpoint = new LoopbackBulkEndpoint(app);
            app.Run(endpoint.HandleAsync);
            await app.StartAsync().ConfigureAwait(false);
            endpoint.Url = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
            return endpoint;
        }

        /// <summary>
        /// A _bulk answer for the request: item i gets the error <paramref name="errorOf"/>(i) returns (status, type,
        /// reason) or succeeds with 201.
        /// </summary>
        public static string Answer(BulkRequest request, Func<int, (int Status, string Type, string Reason)?> errorOf)
        {
            int documents = request.Body.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length / 2;
            var items = new JsonArray();
            bool errors = false;
            for (int i = 0; i < documents; i++)
            {
                var error = errorOf(i);
                if (error is { } e)
                {
                    errors = true;
                    items.Add(new JsonObject { ["index"] = new JsonObject { ["status"] = e.Status, ["error"] = new JsonObject { ["type"] = e.Type, ["reason"] = e.Reason } } });
                }
                else
                {
                    items.Add(new JsonObject { ["index"] = new JsonObject { ["status"] = 201, ["result"] = "created" } });
                }
            }
            return new JsonObject { ["took"] = 1, ["errors"] = errors, ["items"] = items }.ToJsonString();
        }

        private async Task HandleAsync(HttpContext context)
        {
            using var reader = new StreamReader(context.Request.Body, Encoding.UTF8);
            var request = new BulkRequest(context.Request.Method, context.Request.Path.Value ?? "", context.Request.ContentType, await reader.ReadToEndAsync().ConfigureAwait(false));
            Requests.Enqueue(request);
            await Gate.WaitAsync(context.RequestAborted).ConfigureAwait(false);
            var (status, body) = Respond(Interlocked.Increment(ref _calls), request);
            context.Response.StatusCode = status;
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync(body).ConfigureAwait(false);
        }

        public async ValueTask DisposeAsync()
        {
            await _app.StopAsync().ConfigureAwait(false);
            await _app.DisposeAsync().ConfigureAwait(false);
        }
    }
}
