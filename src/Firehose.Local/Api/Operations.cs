using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading;
using System.Threading.Tasks;
using Firehose.Local.Destinations;
using Firehose.Local.Faults;
using Firehose.Local.Protocol;
using Firehose.Local.Streams;

namespace Firehose.Local.Api
{
    /// <summary>The Firehose operations Firehose Local serves, on already parsed JSON input.</summary>
    internal sealed class Operations
    {
        public const int MaxRecordsPerBatch = 500;
        public const int MaxRecordBytes = 1_024_000;
        public const long MaxBatchBytes = 4L * 1024 * 1024;

        private static readonly HashSet<string> SupportedDestinations = new(StringComparer.Ordinal)
        {
            "S3DestinationConfiguration", "ExtendedS3DestinationConfiguration",
            "AmazonopensearchserviceDestinationConfiguration", "ElasticsearchDestinationConfiguration",
        };

        private readonly StreamRegistry _streams;
        private readonly FaultSettings _faults;
        private readonly TimeProvider _clock;
        private readonly Action<Task> _track;

        public Operations(StreamRegistry streams, FaultSettings faults, TimeProvider clock, Action<Task> track)
        {
            _streams = streams;
            _faults = faults;
            _clock = clock;
            _track = track;
        }

        public JsonNode CreateDeliveryStream(JsonElement input)
        {
            foreach (JsonProperty property in input.EnumerateObject())
            {
                if (property.Name.EndsWith("DestinationConfiguration", StringComparison.Ordinal) && !SupportedDestinations.Contains(property.Name) && property.Value.ValueKind != JsonValueKind.Null)
                    throw ServiceException.InvalidArgument($"Firehose Local does not support {property.Name}; use S3, ExtendedS3, Amazonopensearchservice or Elasticsearch.");
                if (property.Name is "KinesisStreamSourceConfiguration" or "MSKSourceConfiguration" or "DatabaseSourceConfiguration" && property.Value.ValueKind != JsonValueKind.Null)
                    throw ServiceException.InvalidArgument($"Firehose Local supports DirectPut streams only; {property.Name} is not supported.");
            }
            RejectUnsupportedFeatures(input);
            DeliveryStreamDefinition definition = input.Deserialize<DeliveryStreamDefinition>(AwsJson.SerializerOptions)
                ?? throw new ServiceException(400, ErrorTypes.Serialization, "The request body must be a JSON object.");
            DeliveryStream stream = _streams.Create(definition);
            return new JsonObject { ["DeliveryStreamARN"] = stream.Arn };
        }

        public JsonNode DescribeDeliveryStream(JsonElement input)
        {
            string name = StreamNameOf(input);
            if (input.TryGetProperty("Limit", out JsonElement limit) && limit.ValueKind != JsonValueKind.Null)
                Validate.Range(limit.GetInt32(), "limit", 1, 10000, 0);
            DeliveryStream stream = _streams.Get(name);
            return new JsonObject { ["DeliveryStreamDescription"] = StreamDescriptions.Describe(stream) };
        }

        public JsonNode ListDeliveryStreams(JsonElement input)
        {
            int limit = 10;
            if (input.TryGetProperty("Limit", out JsonElement l) && l.ValueKind != JsonValueKind.Null)
                limit = Validate.Range(l.GetInt32(), "limit", 1, 10000, 10);
            string? type = OptionalString(input, "DeliveryStreamType");
            if (type is not (null or "DirectPut" or "KinesisStreamAsSource" or "MSKAsSource" or "DatabaseAsSource"))
                throw ServiceException.Validation(type, "deliveryStreamType", "Member must satisfy enum value set: [DirectPut, KinesisStreamAsSource, MSKAsSource, DatabaseAsSource]");
            string? start = OptionalString(input, "ExclusiveStartDeliveryStreamName");
            if (start != null)
                Validate.StreamName(start, "exclusiveStartDeliveryStreamName");

            List<string> names = _streams.All()
                .Where(s => type is null || s.Type == type)
                .Select(s => s.Name)
                .Where(n => start is null || string.CompareOrdinal(n, start) > 0)
                .ToList();
            var array = new JsonArray();
            foreach (string n in names.Take(limit))
                array.Add(n);
            return new JsonObject { ["DeliveryStreamNames"] = array, ["HasMoreDeliveryStreams"] = names.Count > limit };
        }

        public JsonNode DeleteDeliveryStream(JsonElement input)
        {
            string name = StreamNameOf(input);
            DeliveryStream stream = _streams.Remove(name);
            // Data already accepted is still delivered, in the background, like the service's DELETING phase.
            _track(stream.Destination.FlushAsync(CancellationToken.None));
            return new JsonObject();
        }

        public JsonNode PutRecord(JsonElement input)
        {
            string name = StreamNameOf(input);
            if (!input.TryGetProperty("Record", out JsonElement record) || record.ValueKind == JsonValueKind.Null)
                throw ServiceException.Validation("null", "record", "Member must not be null");
            var arena = new RecordArena();
            bool buffered = false;
            try
            {
                ReadOnlyMemory<byte> data = DataOf(record, 0, arena);
                DeliveryStream stream = _streams.Get(name);
                if (FaultDice.Roll(_faults.ThrottleRate) || FaultDice.Roll(_faults.RecordFailureRate))
                    throw new ServiceException(503, ErrorTypes.ServiceUnavailable, "Slow down.");
                var accepted = new BufferedRecord(data, RecordIds.Next(), _clock.GetUtcNow());
                AddOrNotFound(stream, new[] { accepted }, arena);
                buffered = true;
                return new JsonObject { ["RecordId"] = accepted.RecordId, ["Encrypted"] = false };
            }
            finally
            {
                if (!buffered)
                    arena.Release();   // nothing was buffered: the data is nobody's
            }
        }

        public PutRecordBatchAnswer PutRecordBatch(JsonElement input)
        {
            string name = StreamNameOf(input);
            if (!input.TryGetProperty("Records", out JsonElement records) || records.ValueKind == JsonValueKind.Null)
                throw ServiceException.Validation("null", "records", "Member must not be null");
            if (records.ValueKind != JsonValueKind.Array)
                throw new ServiceException(400, ErrorTypes.Serialization, "Records must be a JSON array.");
            int count = records.GetArrayLength();
            if (count < 1)
                throw ServiceException.Validation("[]", "records", "Member must have length greater than or equal to 1");
            if (count > MaxRecordsPerBatch)
                throw ServiceException.Validation($"[{count} records]", "records", "Member must have length less than or equal to 500");
            // The records' data is decoded into the arena, whose arrays the destination gives back once it has delivered
            // them; whatever is not buffered (refused request, failed records only) gives them back here.
            var arena = new RecordArena();
            bool buffered = false;
            try
            {
                var data = new List<ReadOnlyMemory<byte>>(count);
                long total = 0;
                int index = 0;
                foreach (JsonElement record in records.EnumerateArray())
                {
                    index++;
                    ReadOnlyMemory<byte> bytes = DataOf(record, index, arena);
                    total += bytes.Length;
                    data.Add(bytes);
                }
                if (total > MaxBatchBytes)
                    throw ServiceException.InvalidArgument($"Records size exceeds 4 MB limit (the records hold {total.ToString(CultureInfo.InvariantCulture)} bytes; at most {MaxBatchBytes.ToString(CultureInfo.InvariantCulture)}).");

                DeliveryStream stream = _streams.Get(name);
                if (FaultDice.Roll(_faults.ThrottleRate))
                    throw new ServiceException(503, ErrorTypes.ServiceUnavailable, "Slow down.");

                DateTimeOffset now = _clock.GetUtcNow();
                double failureRate = _faults.RecordFailureRate;
                var accepted = new List<BufferedRecord>(count);
                var answer = new PutRecordBatchAnswer(count);
                foreach (ReadOnlyMemory<byte> bytes in data)
                {
                    if (FaultDice.Roll(failureRate))
                    {
                        answer.Failed(ErrorTypes.ServiceUnavailable, "Slow down.");
                        continue;
                    }
                    var record = new BufferedRecord(bytes, RecordIds.Next(), now);
                    accepted.Add(record);
                    answer.Accepted(record.Number);
                }
                if (accepted.Count > 0)
                {
                    AddOrNotFound(stream, accepted, arena);
                    buffered = true;
                }
                return answer;
            }
            finally
            {
                if (!buffered)
                    arena.Release();
            }
        }

        /// <summary>
        /// Refuses what Firehose Local cannot do rather than ignoring it: server-side encryption, data transformation
        /// (ProcessingConfiguration), dynamic partitioning and record format conversion, when requested.
        /// </summary>
        private static void RejectUnsupportedFeatures(JsonElement input)
        {
            if (input.ValueKind != JsonValueKind.Object)
                return;
            if (input.TryGetProperty("DeliveryStreamEncryptionConfigurationInput", out JsonElement encryption) && encryption.ValueKind != JsonValueKind.Null)
                throw ServiceException.InvalidArgument("Firehose Local does not support server-side encryption (DeliveryStreamEncryptionConfigurationInput).");
            foreach (JsonProperty destination in input.EnumerateObject())
            {
                if (!SupportedDestinations.Contains(destination.Name) || destination.Value.ValueKind != JsonValueKind.Object)
                    continue;
                if (Enabled(destination.Value, "ProcessingConfiguration", enabledByDefault: false))
                    throw ServiceException.InvalidArgument($"Firehose Local does not support data transformation ({destination.Name}.ProcessingConfiguration with Enabled true).");
                if (Enabled(destination.Value, "DynamicPartitioningConfiguration", enabledByDefault: false))
                    throw ServiceException.InvalidArgument($"Firehose Local does not support dynamic partitioning ({destination.Name}.DynamicPartitioningConfiguration with Enabled true).");
                if (destination.Value.TryGetProperty("CustomTimeZone", out JsonElement zone) && zone.ValueKind == JsonValueKind.String && zone.GetString() is { Length: > 0 } name && name != "UTC")
                    throw ServiceException.InvalidArgument($"Firehose Local writes S3 keys in UTC only, not CustomTimeZone {name}.");
                // The model: DataFormatConversionConfiguration.Enabled "defaults to true".
                if (Enabled(destination.Value, "DataFormatConversionConfiguration", enabledByDefault: true))
                    throw ServiceException.InvalidArgument($"Firehose Local does not support record format conversion ({destination.Name}.DataFormatConversionConfiguration unless Enabled is false).");
            }
        }

        private static bool Enabled(JsonElement destination, string member, bool enabledByDefault)
        {
            if (!destination.TryGetProperty(member, out JsonElement configuration) || configuration.ValueKind != JsonValueKind.Object)
                return false;
            if (!configuration.TryGetProperty("Enabled", out JsonElement enabled) || enabled.ValueKind == JsonValueKind.Null)
                return enabledByDefault;
            return enabled.ValueKind == JsonValueKind.True;
        }

        /// <summary>Tests only: runs between the stream lookup and the buffer add of PutRecord/PutRecordBatch.</summary>
        internal Action<DeliveryStream>? BeforeAddForTests { get; set; }

        /// <summary>Adds to the stream's buffer; a stream deleted since the lookup answers ResourceNotFoundException (nothing acknowledged).</summary>
        private void AddOrNotFound(DeliveryStream stream, IReadOnlyList<BufferedRecord> records, RecordArena arena)
        {
            BeforeAddForTests?.Invoke(stream);
            if (!stream.Destination.TryAdd(records, arena))
                throw _streams.NotFound(stream.Name);
        }

        private static string StreamNameOf(JsonElement input)
        {
            string? name = OptionalString(input, "DeliveryStreamName");
            Validate.StreamName(name);
            return name!;
        }

        private static string? OptionalString(JsonElement input, string member)
        {
            if (!input.TryGetProperty(member, out JsonElement value) || value.ValueKind == JsonValueKind.Null)
                return null;
            return value.ValueKind == JsonValueKind.String ? value.GetString() : throw new ServiceException(400, ErrorTypes.Serialization, member + " must be a string.");
        }

        /// <summary>
        /// The data of a record, decoded into <paramref name="arena"/>: <paramref name="index"/> 0 for PutRecord's record,
        /// else the record's 1-based place in a batch (the member's name in an error, made only when there is one).
        /// </summary>
        private static ReadOnlyMemory<byte> DataOf(JsonElement record, int index, RecordArena arena)
        {
            if (record.ValueKind != JsonValueKind.Object)
                throw new ServiceException(400, ErrorTypes.Serialization, "A record must be a JSON object.");
            if (!record.TryGetProperty("Data", out JsonElement data) || data.ValueKind == JsonValueKind.Null)
                throw ServiceException.Validation("null", MemberName(index), "Member must not be null");
            if (data.ValueKind != JsonValueKind.String || !TryDecode(data, arena, out ReadOnlyMemory<byte> bytes))
            {
                if (data.ValueKind == JsonValueKind.String && data.GetString()!.Length == 0)
                    bytes = ReadOnlyMemory<byte>.Empty;
                else
                    throw new ServiceException(400, ErrorTypes.Serialization, $"'{MemberName(index)}' is not valid base64.");
            }
            if (bytes.Length > MaxRecordBytes)
                throw ServiceException.Validation("java.nio.HeapByteBuffer[pos=0 lim=" + bytes.Length.ToString(CultureInfo.InvariantCulture) + "]", MemberName(index), "Member must have length less than or equal to 1024000");
            return bytes;
        }

        /// <summary>
        /// Decodes a base64 JSON string into <paramref name="arena"/>: straight from the request's bytes when the string has no
        /// escapes (the usual case), else through System.Text.Json's own unescaping decoder.
        /// </summary>
        private static bool TryDecode(JsonElement data, RecordArena arena, out ReadOnlyMemory<byte> bytes)
        {
            ReadOnlySpan<byte> raw = JsonMarshal.GetRawUtf8Value(data);
            if (raw.Length >= 2 && raw[0] == (byte)'"' && raw[^1] == (byte)'"' && raw.IndexOf((byte)'\\') < 0)
                return arena.TryDecodeBase64(raw[1..^1], out bytes);
            if (!data.TryGetBytesFromBase64(out byte[]? decoded))
            {
                bytes = default;
                return false;
            }
            bytes = arena.Copy(decoded);
            return true;
        }

        private static string MemberName(int index)
            => index == 0 ? "record.data" : $"records.{index.ToString(CultureInfo.InvariantCulture)}.member.data";
    }
}
