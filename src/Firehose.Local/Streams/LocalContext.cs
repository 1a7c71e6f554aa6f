using System;
using System.Net.Http;

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
    }
}
