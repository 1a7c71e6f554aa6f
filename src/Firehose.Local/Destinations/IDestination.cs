using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;

namespace Firehose.Local.Destinations
{
    /// <summary>Where a stream's records go: buffered, then delivered.</summary>
    internal interface IDestination
    {
        /// <summary>
        /// Adds accepted records to the buffer; delivery starts in the background when the buffer is full. Returns false,
        /// adding nothing, once the destination is closed (its stream deleted or the server stopping). When it returns true,
        /// the destination owns <paramref name="arena"/> (which holds the records' data) and releases it once the records are
        /// delivered or lost; when false, the caller still does.
        /// </summary>
        bool TryAdd(IReadOnlyList<BufferedRecord> records, RecordArena arena);

        /// <summary>Closes the destination: later <see cref="TryAdd"/> calls are refused; what was added before is still delivered by the next flush.</summary>
        void Close();

        /// <summary>Starts delivery when the oldest buffered record is as old as the buffer interval.</summary>
        void FlushIfDue(DateTimeOffset now);

        /// <summary>Delivers everything buffered now; completes when that (and every earlier delivery) is done.</summary>
        Task FlushAsync(CancellationToken cancellationToken);
    }
}
