namespace NLog.Targets.Firehose.Batching
{
    /// <summary>
    /// The service limits of PutRecordBatch, in one place (see ../shared/spec/firehose/README.md).
    /// </summary>
    internal static class FirehoseLimits
    {
        /// <summary>At most this many records in one PutRecordBatch call.</summary>
        public const int MaxRecordsPerBatch = 500;

        /// <summary>At most this many bytes of record data (before base64) in one PutRecordBatch call: 4 MiB.</summary>
        public const int MaxBatchBytes = 4 * 1024 * 1024;

        /// <summary>At most this many bytes in one record (before base64, delimiter included): 1,000 KiB.</summary>
        public const int MaxRecordBytes = 1_024_000;

        /// <summary>The most events one record may hold for Firehose's JSON/delimited deaggregation (record packing).</summary>
        public const int MaxEventsPerPackedRecord = 500;

        /// <summary>Firehose bills each record rounded up to this many bytes.</summary>
        public const int BillingUnitBytes = 5 * 1024;

        /// <summary>A delivery stream name is 1 to this many characters.</summary>
        public const int MaxDeliveryStreamNameLength = 64;

        /// <summary>
        /// Whether <paramref name="name"/> is a valid delivery stream name: 1–64 characters of <c>[a-zA-Z0-9_.-]</c>.
        /// </summary>
        public static bool IsValidDeliveryStreamName(string? name)
        {
            if (string.IsNullOrEmpty(name) || name!.Length > MaxDeliveryStreamNameLength)
                return false;
            foreach (char c in name)
            {
                bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-';
                if (!ok)
                    return false;
            }
            return true;
        }
    }
}
