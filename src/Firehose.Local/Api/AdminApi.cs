using System;
using System.IO;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Tasks;
using Firehose.Local.Protocol;
using Firehose.Local.Streams;
using Microsoft.AspNetCore.Http;

namespace Firehose.Local.Api
{
    /// <summary>
    /// The unsigned admin endpoints under <c>/_local/</c>: <c>GET /_local/faults</c> (the fault settings as JSON),
    /// <c>PUT /_local/faults</c> (change the members given, keep the others; answers the new settings),
    /// <c>POST /_local/flush</c> (deliver every buffer now) and <c>GET /_local/streams</c> (names and destinations).
    /// </summary>
    internal sealed class AdminApi
    {
        private readonly FaultSettings _faults;
        private readonly StreamRegistry _streams;
        private readonly Func<Task> _flushAll;

        public AdminApi(FaultSettings faults, StreamRegistry streams, Func<Task> flushAll)
        {
            _faults = faults;
            _streams = streams;
            _flushAll = flushAll;
        }

        public Task GetFaultsAsync(HttpContext context) => WriteJsonAsync(context, 200, FaultsJson());

        public async Task PutFaultsAsync(HttpContext context)
        {
            JsonObject? changes;
            try
            {
                using var reader = new StreamReader(context.Request.Body);
                changes = JsonNode.Parse(await reader.ReadToEndAsync(context.RequestAborted).ConfigureAwait(false)) as JsonObject;
            }
            catch (JsonException ex)
            {
                await WriteJsonAsync(context, 400, Error(ErrorTypes.Serialization, "The body is not valid JSON: " + ex.Message)).ConfigureAwait(false);
                return;
            }
            if (changes is null)
            {
                await WriteJsonAsync(context, 400, Error(ErrorTypes.Serialization, "The body must be a JSON object.")).ConfigureAwait(false);
                return;
            }

            // Check everything first, so a bad member changes nothing.
            var updated = new FaultSettings();
            updated.CopyFrom(_faults);
            try
            {
                foreach (var (name, value) in changes)
                {
                    switch (name.ToLowerInvariant())
                    {
                        case "throttlerate": updated.ThrottleRate = value!.GetValue<double>(); break;
                        case "recordfailurerate": updated.RecordFailureRate = value!.GetValue<double>(); break;
                        case "servererrorrate": updated.ServerErrorRate = value!.GetValue<double>(); break;
                        case "latencymilliseconds": updated.LatencyMilliseconds = value!.GetValue<int>(); break;
                        case "outage": updated.Outage = value!.GetValue<bool>(); break;
                        default: throw new ArgumentException("unknown fault setting " + name);
                    }
                }
            }
            catch (Exception ex) when (ex is ArgumentException or InvalidOperationException or FormatException or NullReferenceException)
            {
                await WriteJsonAsync(context, 400, Error(ErrorTypes.InvalidArgument, ex.Message)).ConfigureAwait(false);
                return;
            }
            _faults.CopyFrom(updated);
            await WriteJsonAsync(context, 200, FaultsJson()).ConfigureAwait(false);
        }

        public async Task FlushAsync(HttpContext context)
        {
            await _flushAll().ConfigureAwait(false);
            await WriteJsonAsync(context, 200, new JsonObject { ["flushed"] = true }).ConfigureAwait(false);
        }

        public Task GetStreamsAsync(HttpContext context)
        {
            var array = new JsonArray();
            foreach (DeliveryStream stream in _streams.All())
                array.Add(new JsonObject { ["name"] = stream.Name, ["destination"] = stream.Kind.ToString(), ["indexUrl"] = stream.IndexUrl });
            return WriteJsonAsync(context, 200, new JsonObject { ["streams"] = array });
        }

        private JsonObject FaultsJson() => new()
        {
            ["ThrottleRate"] = _faults.ThrottleRate,
            ["RecordFailureRate"] = _faults.RecordFailureRate,
            ["ServerErrorRate"] = _faults.ServerErrorRate,
            ["LatencyMilliseconds"] = _faults.LatencyMilliseconds,
            ["Outage"] = _faults.Outage,
        };

        private static JsonObject Error(string type, string message) => new() { ["__type"] = type, ["message"] = message };

        private static async Task WriteJsonAsync(HttpContext context, int status, JsonNode body)
        {
            context.Response.StatusCode = status;
            context.Response.ContentType = "application/json";
            await context.Response.Body.WriteAsync(JsonSerializer.SerializeToUtf8Bytes(body), context.RequestAborted).ConfigureAwait(false);
        }
    }
}
