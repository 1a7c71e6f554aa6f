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
            Directory = Path.Combine(dataDirectory, Name);
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
        public async Task<string> PutObjectAsync(string key, ReadOnlyMemory<byte> content)
        {
            string path = Path.GetFullPath(Path.Combine(Directory, key.Replace('/', Path.DirectorySeparatorChar)));
            string root = Path.GetFullPath(Directory) + Path.DirectorySeparatorChar;
            if (!path.StartsWith(root, StringComparison.Ordinal))
                throw new IOException("object key leaves the bucket directory: " + key);
            System.IO.Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            string temp = path + ".tmp-" + Guid.NewGuid().ToString("N");
            await File.WriteAllBytesAsync(temp, content.ToArray()).ConfigureAwait(false);
            File.Move(temp, path, overwrite: true);
            return path;
        }
    }
}
