using System.Text.Json.Nodes;

namespace Firehose.Local.Tests.Infrastructure
{
    /// <summary>An answer of Firehose Local: the HTTP status, the error type (x-amzn-ErrorType / __type) and the JSON body.</summary>
    internal sealed record ApiResponse(int Status, string? ErrorType, JsonNode? Body)
    {
        public string? Message => Body?["message"]?.GetValue<string>();

        public override string ToString() => $"{Status} {ErrorType} {Body?.ToJsonString()}";
    }
}
