using System;
using System.Collections.Generic;
using System.Linq;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using System.Threading.Tasks;
using Amazon.Runtime;
using NLog.Targets.Firehose.Client;

namespace Firehose.Local.Tests.Infrastructure
{
    /// <summary>A minimal Firehose JSON 1.1 client for tests: signs with the library's SigV4 signer (or not at all) and returns the raw answer.</summary>
    internal sealed class LocalClient : IDisposable
    {
        private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(30) };
        private readonly Uri _url;
        private readonly string _region;
        private readonly string? _accessKey;
        private readonly string? _secretKey;

        public LocalClient(FirehoseLocalServer server, string? accessKey = TestServer.AccessKey, string? secretKey = TestServer.SecretKey)
            : this(server.Url, server.Region, accessKey, secretKey)
        {
        }

        public LocalClient(Uri url, string region, string? accessKey, string? secretKey)
        {
            _url = url;
            _region = region;
            _accessKey = accessKey;
            _secretKey = secretKey;
        }

        /// <summary>The time requests are signed at (X-Amz-Date); null for now.</summary>
        public DateTime? SigningTime { get; set; }

        public Task<ApiResponse> CallAsync(string operation, JsonNode body) => CallAsync(operation, Encoding.UTF8.GetBytes(body.ToJsonString()));

        public async Task<ApiResponse> CallAsync(string operation, byte[] body, Action<HttpRequestMessage>? tamper = null)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, _url);
            request.Content = new ByteArrayContent(body);
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/x-amz-json-1.1");
            request.Headers.TryAddWithoutValidation("X-Amz-Target", "Firehose_20150804." + operation);
            if (_accessKey != null && _secretKey != null)
            {
                var toSign = new SigV4Request { Method = "POST", Path = "/", Query = string.Empty, PayloadSha256Hex = SigV4Signer.Sha256Hex(body) };
                toSign.Headers.Add(new KeyValuePair<string, string>("host", _url.Authority));
                toSign.Headers.Add(new KeyValuePair<string, string>("content-type", "application/x-amz-json-1.1"));
                toSign.Headers.Add(new KeyValuePair<string, string>("x-amz-target", "Firehose_20150804." + operation));
                SigV4Signature signature = new SigV4Signer(_region, "firehose").Sign(toSign, new ImmutableCredentials(_accessKey, _secretKey, null), SigningTime ?? DateTime.UtcNow);
                foreach (var header in signature.HeadersToAdd)
                    request.Headers.TryAddWithoutValidation(header.Key, header.Value);
            }
            tamper?.Invoke(request);
            using HttpResponseMessage response = await _http.SendAsync(request).ConfigureAwait(false);
            string text = await response.Content.ReadAsStringAsync().ConfigureAwait(false);
            JsonNode? json = text.Length == 0 ? null : JsonNode.Parse(text);
            string? errorType = response.Headers.TryGetValues("x-amzn-ErrorType", out var values) ? values.First() : json?["__type"]?.GetValue<string>();
            return new ApiResponse((int)response.StatusCode, errorType, json);
        }

        public Task<ApiResponse> PutRecordBatchAsync(string stream, IEnumerable<byte[]> records)
        {
            var array = new JsonArray();
            foreach (byte[] record in records)
                array.Add(new JsonObject { ["Data"] = Convert.ToBase64String(record) });
            return CallAsync("PutRecordBatch", new JsonObject { ["DeliveryStreamName"] = stream, ["Records"] = array });
        }

        public Task<ApiResponse> PutRecordAsync(string stream, byte[] data)
            => CallAsync("PutRecord", new JsonObject { ["DeliveryStreamName"] = stream, ["Record"] = new JsonObject { ["Data"] = Convert.ToBase64String(data) } });

        public void Dispose() => _http.Dispose();
    }
}
