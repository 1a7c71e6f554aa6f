using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;

namespace Firehose.Local.Destinations
{
    /// <summary>Indexes documents: an OpenSearch/Elasticsearch <c>_bulk</c> endpoint, or local files.</summary>
    internal interface IBulkSink
    {
        /// <summary>Indexes the documents; one result per document, in order. Throws when the endpoint cannot be reached.</summary>
        Task<IReadOnlyList<BulkItemResult>> SendAsync(IReadOnlyList<BulkDocument> documents, CancellationToken cancellationToken);
    }
}
