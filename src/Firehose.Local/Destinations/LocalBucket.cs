using System;
using System.IO;
using System.Threading.Tasks;

namespace Firehose.Local.Destinations
{
    /// <summary>A local stand-in for an S3 bucket: a directory in which each object key is a relative file path.</summary>
    internal sealed class LocalBucket
    {
        public LocalBucket(string dataDirectory, string bucketArn)
        {
            Name = NameOf(bucketArn);
            if (!IsValidName(Name))
                throw new ArgumentException($"'{Name}' is not a valid S3 bucket name.", nameof(bucketArn));
            string root = Path.GetFullPath(dataDirectory).TrimEnd(Path.DirectorySeparatorChar) + Path.DirectorySeparatorChar;
            Directory = Path.GetFullPath(Path.Combine(root, Name));
            if (!Directory.StartsWith(root, StringComparison.Ordinal) || Directory.Length == root.Length)
                throw new ArgumentException($"The bucket '{Name}' would leave the data directory.", nameof(bucketArn));
            _tempDirectory = Path.Combine(root, TempDirectoryName);
        }

        /// <summary>
        /// Where objects are written before they are moved into their bucket: beside the buckets (a bucket name cannot begin
        /// with '_'), on the same file system, so that a reader of a bucket never sees an object being written.
        /// </summary>
        internal const string TempDirectoryName = "_tmp";

        private readonly string _tempDirectory;

        /// <summary>
        /// S3's bucket naming rules: 3–63 characters of lower-case letters, digits, '.' and '-', beginning and ending with
        /// a letter or digit, no two adjacent periods (so a name can never be '.', '..' or hold a path separator).
        /// </summary>
        public static bool IsValidName(string name)
        {
            if (name.Length is < 3 or > 63 || !char.IsAsciiLetterLower(name[0]) && !char.IsAsciiDigit(name[0])
                || !char.IsAsciiLetterLower(name[^1]) && !char.IsAsciiDigit(name[^1]) || name.Contains("..", StringComparison.Ordinal))
                return false;
            foreach (char c in name)
            {
                if (!char.IsAsciiLetterLower(c) && !char.IsAsciiDigit(c) && c is not ('.' or '-'))
                    return false;
            }
            return true;
        }

        /// <summary>The bucket name (the part of the ARN after <c>arn:…:s3:::</c>).</summary>
        public string Name { get; }

        /// <summary>The directory that holds the bucket's objects.</summary>
        public string Directory { get; }

        public static string NameOf(string bucketArn)
        {
            int at = bucketArn.IndexOf(":::", StringComparison.Ordinal);
            return at < 0 ? bucketArn : bucketArn.Substring(at + 3);
        }

        /// <summary>Writes an object whole: readers never see a partly written one.</summary>
        public Task<string> PutObjectAsync(string key, ReadOnlyMemory<byte> content)
            => PutObjectAsync(key, file => file.WriteAsync(content).AsTask());

        /// <summary>
        /// Writes an object whole with what <paramref name="writeContent"/> writes to its stream (the records of a buffer,
        /// written one after the other instead of being joined into one array first): readers never see a partly written one.
        /// </summary>
        public async Task<string> PutObjectAsync(string key, Func<Stream, Task> writeContent)
        {
            string path = Path.GetFullPath(Path.Combine(Directory, key.Replace('/', Path.DirectorySeparatorChar)));
            string root = Path.GetFullPath(Directory) + Path.DirectorySeparatorChar;
            if (!path.StartsWith(root, StringComparison.Ordinal))
                throw new IOException("object key leaves the bucket directory: " + key);
            System.IO.Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            System.IO.Directory.CreateDirectory(_tempDirectory);
            string temp = Path.Combine(_tempDirectory, Name + "-" + Guid.NewGuid().ToString("N"));
            // A 64 KiB write buffer (below the large-object heap's threshold) gathers small records into few writes.
            var file = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 64 * 1024, FileOptions.Asynchronous);
            try
            {
                await using (file.ConfigureAwait(false))
                    await writeContent(file).ConfigureAwait(false);
                File.Move(temp, path, overwrite: true);
            }
            catch
            {
                TryDelete(temp);
                throw;
            }
            return path;
        }

        private static void TryDelete(string path)
        {
            try
            {
                File.Delete(path);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // left behind in the temporary directory; never part of a bucket
            }
        }
    }
}
