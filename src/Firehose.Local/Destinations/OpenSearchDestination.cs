using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Net.Http;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;

namespace Firehose.Local.Destinations
{
    /// <summary>
    /// An OpenSearch/Elasticsearch destination: each buffer is indexed through <see cref="IBulkSink"/> (index name by
    /// rotation of each record's arrival time, document id = the record id), failed documents are retried for the retry
    /// duration, then written to the backup bucket under <c>{prefix}{failed folder}YYYY/MM/dd/HH/</c> as JSON lines;
    /// with <c>AllDocuments</c> every record is also written to the backup bucket as S3 would.
    /// </summary>
    internal sealed class OpenSearchDestination : BufferedDestination
    {
        private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(5);
        private readonly OpenSearchDestinationSettings _settings;
        private readonly IBulkSink _sink;
        private readonly LocalBucket _backup;
        private readonly TimeProvider _clock;
        private readonly CancellationToken _stopRequested;
        private readonly CancellationToken _abortSends;
        private readonly List<(string Key, byte[] Content, string What)> _unwrittenBackups = new();

        public OpenSearchDestination(OpenSearchDestinationSettings settings, IBulkSink sink, LocalBucket backup, TimeProvider clock,
            CancellationToken stopRequested, CancellationToken abortSends, Action<string> reportLoss)
            : base(settings.StreamName, settings.SizeInMBs, settings.IntervalInSeconds, reportLoss)
        {
            _settings = settings;
            _sink = sink;
            _backup = backup;
            _clock = clock;
            _stopRequested = stopRequested;
            _abortSends = abortSends;
        }

        public IBulkSink Sink => _sink;

        /// <summary>Backup objects whose write failed after their documents went to the cluster: written at the next delivery, not re-sent.</summary>
        protected override bool HasPendingWork
        {
            get
            {
                lock (_unwrittenBackups)
                    return _unwrittenBackups.Count > 0;
            }
        }

        protected override async Task DeliverAsync(IReadOnlyList<BufferedRecord> batch, bool final)
        {
            if (batch.Count > 0)
                await IndexAsync(batch).ConfigureAwait(false);
            await WriteBackupsAsync(final).ConfigureAwait(false);
        }

        /// <summary>Writes the backup objects waiting (earlier failures first); the ones that fail wait for the next delivery, or are reported lost in the final one.</summary>
        private async Task WriteBackupsAsync(bool final)
        {
            List<(string Key, byte[] Content, string What)> objects;
            lock (_unwrittenBackups)
            {
                objects = _unwrittenBackups.ToList();
                _unwrittenBackups.Clear();
            }
            var failed = new List<(string Key, byte[] Content, string What)>();
            Exception? error = null;
            foreach (var item in objects)
            {
                try
                {
                    await _backup.PutObjectAsync(item.Key, item.Content).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                    failed.Add(item);
                    error = ex;
                }
            }
            if (failed.Count == 0)
                return;
            if (final)
            {
                foreach (var item in failed)
                    ReportLoss($"backup object {item.Key} ({item.What}) could not be written to {_backup.Directory}: {error!.Message}");
                return;
            }
            lock (_unwrittenBackups)
                _unwrittenBackups.InsertRange(0, failed);
            // Not thrown: that would put the batch, already indexed, back in the buffer.
            LastError = new IOException($"{failed.Count} backup object(s) could not be written (kept to try again): {error!.Message}", error);
        }

        private async Task IndexAsync(IReadOnlyList<BufferedRecord> batch)
        {
            var failed = new List<FailedDocument>();
            var pending = new List<(BufferedRecord Record, BulkDocument Document)>();
            foreach (BufferedRecord record in batch)
            {
                string index = IndexRotation.IndexName(_settings.IndexName, _settings.RotationPeriod, record.ArrivalTime);
                byte[]? source = CompactJsonObject(record.Data);
                if (source is null)
                    failed.Add(Failed(record, index, 0, "400", "Firehose Local: the record is not a JSON object, so the cluster would refuse it (mapper_parsing_exception)."));
                else
                    pending.Add((record, new BulkDocument(index, _settings.TypeName, record.RecordId, source)));
            }

            var retryFor = TimeSpan.FromSeconds(_settings.RetryDurationInSeconds);
            var elapsed = Stopwatch.StartNew();
            TimeSpan backoff = TimeSpan.FromMilliseconds(200);
            int attempts = 0;
            var lastErrors = new Dictionary<string, BulkItemResult>(StringComparer.Ordinal);
            while (pending.Count > 0)
            {
                attempts++;
                IReadOnlyList<BulkItemResult> results;
                try
                {
                    results = await _sink.SendAsync(pending.Select(p => p.Document).ToList(), _abortSends).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is HttpRequestException or IOException or OperationCanceledException or UnauthorizedAccessException)
                {
                    var error = new BulkItemResult(false, _settings.ErrorCodePrefix + ".ConnectionFailed", ex.Message, true);
                    results = pending.Select(_ => error).ToList();
                }

                var next = new List<(BufferedRecord Record, BulkDocument Document)>();
                for (int i = 0; i < pending.Count; i++)
                {
                    BulkItemResult result = results[i];
                    if (result.Succeeded)
                        continue;
                    lastErrors[pending[i].Document.Id] = result;
                    if (result.Retryable)
                        next.Add(pending[i]);
                    else
                        failed.Add(Failed(pending[i].Record, pending[i].Document.Index, attempts, result.ErrorCode!, result.ErrorMessage!));
                }
                pending = next;
                TimeSpan remaining = retryFor - elapsed.Elapsed;
                // At stop, retries end: what is left is backed up as failed below (nothing is lost, and stop does not wait out the retry duration).
                if (pending.Count == 0 || remaining <= TimeSpan.Zero || _stopRequested.IsCancellationRequested)
                    break;
                try
                {
                    await Task.Delay(backoff < remaining ? backoff : remaining, _stopRequested).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
                backoff = backoff * 2 < MaxBackoff ? backoff * 2 : MaxBackoff;
            }
            foreach (var (record, document) in pending)
            {
                BulkItemResult result = lastErrors[document.Id];
                failed.Add(Failed(record, document.Index, attempts, result.ErrorCode!, result.ErrorMessage!));
            }

            // The documents have been through the cluster: from here on, a failed write must not put the batch back in the
            // buffer (that would index it again); the backup objects wait on their own for the next delivery.
            var objects = new List<(string Key, byte[] Content, string What)>();
            if (failed.Count > 0)
            {
                using var content = new MemoryStream();
                foreach (FailedDocument document in failed)
                    document.WriteLine(content);
                string key = S3KeyLayout.Key(_settings.BackupPrefix + _settings.FailedFolder, _settings.StreamName, _settings.VersionId, failed.Min(f => f.ArrivalTime), Guid.NewGuid());
                objects.Add((key, content.ToArray(), $"{failed.Count} failed documents"));
            }
            if (_settings.BackupAllDocuments)
            {
                string key = S3KeyLayout.Key(_settings.BackupPrefix, _settings.StreamName, _settings.VersionId, batch[0].ArrivalTime, Guid.NewGuid());
                objects.Add((key, S3Destination.Concatenate(batch), $"backup copy of {batch.Count} documents"));
            }
            lock (_unwrittenBackups)
                _unwrittenBackups.AddRange(objects);
        }

        private FailedDocument Failed(BufferedRecord record, string index, int attempts, string code, string message)
            => new(attempts, record.ArrivalTime, code, message, _clock.GetUtcNow(), record.Data, record.RecordId, index, _settings.TypeName ?? string.Empty);

        /// <summary>The record as one line of compact JSON, or null when it is not a JSON object.</summary>
        private static byte[]? CompactJsonObject(ReadOnlyMemory<byte> data)
        {
            try
            {
                using JsonDocument document = JsonDocument.Parse(data);
                if (document.RootElement.ValueKind != JsonValueKind.Object)
                    return null;
                using var output = new MemoryStream();
                using (var writer = new Utf8JsonWriter(output))
                    document.RootElement.WriteTo(writer);
                return output.ToArray();
            }
            catch (JsonException)
            {
                return null;
            }
        }
    }
}
