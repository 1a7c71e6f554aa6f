namespace Firehose.Local.Destinations
{
    /// <summary>One document of a bulk request: the index it goes to, its type (or null), its id and its compact JSON source.</summary>
    internal sealed record BulkDocument(string Index, string? TypeName, string Id, byte[] Source);
}
