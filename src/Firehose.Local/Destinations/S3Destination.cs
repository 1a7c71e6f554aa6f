using System;
using System.Collections.Generic;
using System.Threading.Tasks;

namespace Firehose.Local.Destinations
{
    /// <summary>An S3 destination: each buffer becomes one object holding its records concatenated as received.</summary>
    internal sealed class S3Destination : BufferedDestination
    {
        private readonly LocalBucket _bucket;
        private readonly string? _prefix;
        private readonly string _stream;
        private readonly string _versionId;

        public S3Destination(LocalBucket bucket, string? prefix, string stream, string versionId, int sizeInMBs, int intervalInSeconds, Action<string> reportLoss)
            : base(stream, sizeInMBs, intervalInSeconds, reportLoss)
        {
            _bucket = bucket;
            _prefix = prefix;
            _stream = stream;
            _versionId = versionId;
        }

        protected override Task DeliverAsync(IReadOnlyList<BufferedRecord> batch, bool final) => WriteObjectAsync(_bucket, _prefix, _stream, _versionId, batch);

        /// <summary>Writes records, concatenated, as one object under Firehose's default key layout.</summary>
        public static Task<string> WriteObjectAsync(LocalBucket bucket, string? prefix, string stream, string versionId, IReadOnlyList<BufferedRecord> batch)
        {
            string key = S3KeyLayout.Key(prefix, stream, versionId, batch[0].ArrivalTime, Guid.NewGuid());
            return bucket.PutObjectAsync(key, async file =>
            {
                foreach (BufferedRecord record in batch)
                    await file.WriteAsync(record.Data).ConfigureAwait(false);
            });
        }

        /// <summary>The records' data, concatenated as received.</summary>
        public static byte[] Concatenate(IReadOnlyList<BufferedRecord> batch)
        {
            long size = 0;
            foreach (BufferedRecord record in batch)
                size += record.Data.Length;
            byte[] content = new byte[size];
            int offset = 0;
            foreach (BufferedRecord record in batch)
            {
                record.Data.CopyTo(content.AsMemory(offset));
                offset += record.Data.Length;
            }
            return content;
        }
    }
}
