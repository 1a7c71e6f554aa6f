using System;

namespace NLog.Targets.Firehose.Client
{
    /// <summary>
    /// Thrown by the target's write when records were not delivered, so that NLog reports the failure to the write's
    /// continuations (and applies <c>RetryCount</c>). The message names the stream, the error codes and the counts.
    /// </summary>
    internal sealed class FirehoseDeliveryException : Exception
    {
        /// <summary>Creates the exception.</summary>
        public FirehoseDeliveryException(string message, int recordsFailed, Exception? inner = null)
            : base(message, inner)
        {
            RecordsFailed = recordsFailed;
        }

        /// <summary>How many records were not delivered.</summary>
        public int RecordsFailed { get; }
    }
}
