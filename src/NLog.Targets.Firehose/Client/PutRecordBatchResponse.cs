using System.Collections.Generic;

namespace NLog.Targets.Firehose.Client
{
    /// <summary>The parsed <c>PutRecordBatchOutput</c>.</summary>
    internal sealed class PutRecordBatchResponse
    {
        /// <summary>Creates a response.</summary>
        public PutRecordBatchResponse(int failedPutCount, bool? encrypted, IReadOnlyList<PutRecordBatchResponseEntry> requestResponses)
        {
            FailedPutCount = failedPutCount;
            Encrypted = encrypted;
            RequestResponses = requestResponses;
        }

        /// <summary><c>FailedPutCount</c>: how many records may have failed.</summary>
        public int FailedPutCount { get; }

        /// <summary><c>Encrypted</c>, when the service says.</summary>
        public bool? Encrypted { get; }

        /// <summary><c>RequestResponses</c>: one entry per record sent, in the same order.</summary>
        public IReadOnlyList<PutRecordBatchResponseEntry> RequestResponses { get; }
    }
}
