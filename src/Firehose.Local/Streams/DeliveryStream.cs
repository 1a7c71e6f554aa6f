using System;
using Firehose.Local.Destinations;

namespace Firehose.Local.Streams
{
    /// <summary>A delivery stream that exists: what it was created with, and its destination.</summary>
    internal sealed class DeliveryStream
    {
        public DeliveryStream(string name, string arn, DeliveryStreamDefinition definition, DestinationKind kind, IDestination destination, DateTimeOffset created, string? indexUrl)
        {
            Name = name;
            Arn = arn;
            Definition = definition;
            Kind = kind;
            Destination = destination;
            CreateTimestamp = created;
            IndexUrl = indexUrl;
        }

        public string Name { get; }

        public string Arn { get; }

        public string VersionId => "1";

        public string Type => "DirectPut";

        public DeliveryStreamDefinition Definition { get; }

        public DestinationKind Kind { get; }

        public IDestination Destination { get; }

        public DateTimeOffset CreateTimestamp { get; }

        /// <summary>For OpenSearch/Elasticsearch, where documents go (http(s) cluster or file:// directory).</summary>
        public string? IndexUrl { get; }
    }
}
