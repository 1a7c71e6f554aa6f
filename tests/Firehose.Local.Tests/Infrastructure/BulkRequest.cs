namespace Firehose.Local.Tests.Infrastructure
{
    /// <summary>One request received by <see cref="LoopbackBulkEndpoint"/>.</summary>
    internal sealed record BulkRequest(string Method, string Path, string? ContentType, string Body);
}
