using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;

namespace NLog.Targets.Firehose.Client
{
    /// <summary>
    /// The one seam between the target and the Firehose service: the calls the target makes, nothing more.
    /// The real implementation is <see cref="FirehoseHttpClient"/>; tests substitute it.
    /// </summary>
    internal interface IFirehoseClient : IDisposable
    {
        /// <summary>
        /// Sends one PutRecordBatch call. <paramref name="records"/> are the raw record bytes (the client base64-encodes
        /// them); the caller keeps them within the service limits. The returned response has one entry per record, in
        /// order. A call the service refuses as a whole throws <see cref="FirehoseServiceException"/>; a transport
        /// failure throws the transport's exception.
        /// </summary>
        Task<PutRecordBatchResponse> PutRecordBatchAsync(string deliveryStreamName, IReadOnlyList<ReadOnlyMemory<byte>> records, CancellationToken cancellationToken);
    }
}
