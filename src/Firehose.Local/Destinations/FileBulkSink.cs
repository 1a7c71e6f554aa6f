using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;

namespace Firehose.Local.Destinations
{
    /// <summary>Stands in for a cluster: appends each document, one JSON per line, to <c>{directory}/{index}.ndjson</c>.</summary>
    internal sealed class FileBulkSink : IBulkSink
    {
        public FileBulkSink(string directory) => Directory = directory;

        public string Directory { get; }

        public static string FileName(string index)
        {
            char[] invalid = Path.GetInvalidFileNameChars();
            return new string(index.Select(c => invalid.Contains(c) || c == '\\' ? '_' : c).ToArray()) + ".ndjson";
        }

        public async Task<IReadOnlyList<BulkItemResult>> SendAsync(IReadOnlyList<BulkDocument> documents, CancellationToken cancellationToken)
        {
            System.IO.Directory.CreateDirectory(Directory);
            foreach (var group in documents.GroupBy(d => d.Index, StringComparer.Ordinal))
            {
                using var stream = new MemoryStream();
                foreach (BulkDocument document in group)
                {
                    stream.Write(document.Source);
                    stream.WriteByte((byte)'\n');
                }
                string path = Path.Combine(Directory, FileName(group.Key));
                await using var file = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.Read);
                await file.WriteAsync(stream.GetBuffer().AsMemory(0, (int)stream.Length), cancellationToken).ConfigureAwait(false);
            }
            var results = new BulkItemResult[documents.Count];
            Array.Fill(results, BulkItemResult.Success);
            return results;
        }
    }
}
