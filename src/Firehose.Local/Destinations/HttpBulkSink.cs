using System;
using System.Collections.Generic;
using System.IO;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;

namespace Firehose.Local.Destinations
{
    /// <summary>Sends documents as <c>index</c> actions in one NDJSON <c>POST {url}/_bulk</c> request, as Firehose does.</summary>
    internal sealed class HttpBulkSink : IBulkSink
    {
        private readonly HttpClient _http;
        private readonly Uri _bulkUrl;

        public HttpBulkSink(HttpClient http, Uri clusterUrl)
        {
            _http = http;
            string url = clusterUrl.GetLeftPart(UriPartial.Path).TrimEnd('/');
            _bulkUrl = new Uri(url + "/_bulk");
        }

        public Uri BulkUrl => _bulkUrl;

        public static byte[] BuildBody(IReadOnlyList<BulkDocument> documents)
        {
            using var body = new MemoryStream();
            foreach (BulkDocument document in documents)
            {
                using (var writer = new Utf8JsonWriter(body))
                {
                    writer.WriteStartObject();
                    writer.WriteStartObject("index");
                    writer.WriteString("_index", document.Index);
                    if (!string.IsNullOrEmpty(document.TypeName))
                        writer.WriteString("_type", document.TypeName);
                    writer.WriteString("_id", document.Id);
                    writer.WriteEndObject();
                    writer.WriteEndObject();
                }
                body.WriteByte((byte)'\n');
                body.Write(document.Source);
                body.WriteByte((byte)'\n');
            }
            return body.ToArray();
        }

        public async Task<IReadOnlyList<BulkItemResult>> SendAsync(IReadOnlyList<BulkDocument> documents, CancellationToken cancellationToken)
        {
            using var content = new ByteArrayContent(BuildBody(documents));
            content.Headers.ContentType = new MediaTypeHeaderValue("application/x-ndjson");
            using HttpResponseMessage response = await _http.PostAsync(_bulkUrl, content, cancellationToken).ConfigureAwait(false);
            string text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            int status = (int)response.StatusCode;
            if (!response.IsSuccessStatusCode)
                return Repeat(new BulkItemResult(false, status.ToString(System.Globalization.CultureInfo.InvariantCulture), Truncate(text), status is 429 or >= 500), documents.Count);

            var results = new List<BulkItemResult>(documents.Count);
            try
            {
                using JsonDocument json = JsonDocument.Parse(text);
                if (json.RootElement.TryGetProperty("items", out JsonElement items) && items.ValueKind == JsonValueKind.Array)
                {
                    foreach (JsonElement item in items.EnumerateArray())
                    {
                        JsonElement action = default;
                        foreach (JsonProperty property in item.EnumerateObject())
                        {
                            action = property.Value;
                            break;
                        }
                        results.Add(ItemResult(action));
                    }
                }
            }
            catch (JsonException ex)
            {
                return Repeat(new BulkItemResult(false, status.ToString(System.Globalization.CultureInfo.InvariantCulture), "unreadable _bulk response: " + ex.Message, true), documents.Count);
            }
            if (results.Count != documents.Count)
                return Repeat(new BulkItemResult(false, status.ToString(System.Globalization.CultureInfo.InvariantCulture), $"the _bulk response has {results.Count} items for {documents.Count} documents", true), documents.Count);
            return results;
        }

        private static BulkItemResult ItemResult(JsonElement action)
        {
            if (action.ValueKind != JsonValueKind.Object)
                return new BulkItemResult(false, "500", "malformed _bulk item", true);
            int status = action.TryGetProperty("status", out JsonElement s) && s.TryGetInt32(out int value) ? value : 500;
            bool hasError = action.TryGetProperty("error", out JsonElement error) && error.ValueKind != JsonValueKind.Null;
            if (status is >= 200 and < 300 && !hasError)
                return BulkItemResult.Success;
            string message = hasError ? (error.ValueKind == JsonValueKind.String ? error.GetString() ?? string.Empty : error.GetRawText()) : "status " + status;
            return new BulkItemResult(false, status.ToString(System.Globalization.CultureInfo.InvariantCulture), message, status is 429 or >= 500);
        }

        private static IReadOnlyList<BulkItemResult> Repeat(BulkItemResult result, int count)
        {
            var list = new BulkItemResult[count];
            Array.Fill(list, result);
            return list;
        }

        private static string Truncate(string text) => text.Length <= 2000 ? text : text.Substring(0, 2000);
    }
}
