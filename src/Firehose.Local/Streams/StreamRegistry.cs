using System;
using System.Collections.Generic;
using System.Linq;
using Firehose.Local.Protocol;

namespace Firehose.Local.Streams
{
    /// <summary>The streams that exist, by name.</summary>
    internal sealed class StreamRegistry
    {
        private readonly object _lock = new();
        private readonly SortedDictionary<string, DeliveryStream> _streams = new(StringComparer.Ordinal);
        private readonly LocalContext _context;

        public StreamRegistry(LocalContext context) => _context = context;

        public DeliveryStream Create(DeliveryStreamDefinition definition)
        {
            ArgumentNullException.ThrowIfNull(definition);
            Validate.StreamName(definition.DeliveryStreamName);
            lock (_lock)
            {
                if (_streams.ContainsKey(definition.DeliveryStreamName!))
                    throw new ServiceException(400, ErrorTypes.ResourceInUse, $"Firehose {definition.DeliveryStreamName} under accountId {_context.Options.AccountId} already exists");
                if (_streams.Count >= _context.Options.MaxDeliveryStreams)
                    throw new ServiceException(400, ErrorTypes.LimitExceeded, $"You have already consumed your firehose quota of {_context.Options.MaxDeliveryStreams} hoses. Firehose names: {string.Join(", ", _streams.Keys.Take(10))}");
                DeliveryStream stream = StreamFactory.Create(definition, _context);
                _streams.Add(stream.Name, stream);
                return stream;
            }
        }

        public DeliveryStream Get(string name)
        {
            lock (_lock)
                return _streams.TryGetValue(name, out DeliveryStream? stream) ? stream : throw ServiceException.NotFound(name, _context.Options.AccountId);
        }

        /// <summary>Removes the stream and closes its destination (under the registry lock), so no record can be added to it afterwards.</summary>
        public DeliveryStream Remove(string name)
        {
            lock (_lock)
            {
                if (!_streams.Remove(name, out DeliveryStream? stream))
                    throw ServiceException.NotFound(name, _context.Options.AccountId);
                stream.Destination.Close();
                return stream;
            }
        }

        /// <summary>The answer for a stream that does not exist (or was deleted while a call was adding to it).</summary>
        public ServiceException NotFound(string name) => ServiceException.NotFound(name, _context.Options.AccountId);

        public IReadOnlyList<DeliveryStream> All()
        {
            lock (_lock)
                return _streams.Values.ToList();
        }
    }
}
