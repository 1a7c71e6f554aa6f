using System;
using System.Collections.Concurrent;
using System.Net.Http;
using System.Threading;

namespace Firehose.Local.Streams
{
    /// <summary>What streams and destinations share: the options, the resolved data directory, the clock and the HTTP client.</summary>
    internal sealed class LocalContext
    {
        public LocalContext(FirehoseLocalOptions options, string dataDirectory, TimeProvider clock, HttpClient http)
        {
            Options = options;
            DataDirectory = dataDirectory;
            Clock = clock;
            Http = http;
        }

        public FirehoseLocalOptions Options { get; }

        public string DataDirectory { get; }

        public TimeProvider Clock { get; }

        public HttpClient Http { get; }

        /// <summary>Cancelled when the server stops: OpenSearch retries end and what is left is backed up as failed.</summary>
        public CancellationTokenSource StopRequested { get; } = new();

        /// <summary>Cancelled a grace period after the stop: requests to clusters still under way are abandoned (their documents are backed up as failed).</summary>
        public CancellationTokenSource AbortSends { get; } = new();

        /// <summary>What could be neither delivered nor backed up at stop or delete, one line each.</summary>
        public ConcurrentQueue<string> Losses { get; } = new();

        public void ReportLoss(string message) => Losses.Enqueue(message);
    }
}
