using System.Collections.Generic;

namespace NLog.Targets.Firehose.Tests.Infrastructure
{
    /// <summary>One HTTP call as <see cref="LoopbackFirehose"/> received it.</summary>
    internal sealed class ReceivedCall
    {
        public ReceivedCall(string method, string path, Dictionary<string, string> headers, byte[] body)
        {
            Method = method;
            Path = path;
            Headers = headers;
            Body = body;
        }

        public string Method { get; }

        public string Path { get; }

        public Dictionary<string, string> Headers { get; }

        public byte[] Body { get; }

        /// <summary>Why the signature was refused, or null when it verified.</summary>
        public string? SignatureProblem { get; set; }

        public string? Stream { get; set; }

        public List<byte[]> Records { get; set; } = new List<byte[]>();
    }
}
