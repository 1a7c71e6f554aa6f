using System;
using System.IO;

namespace NLog.Targets.Firehose.Tests
{
    /// <summary>
    /// Locates the repository and the shared data folder (<c>../shared</c> beside the repository) from the test
    /// assembly's directory, so tests read shared data in place wherever the repository is checked out.
    /// </summary>
    internal static class TestPaths
    {
        private const string SolutionFileName = "NLog.Targets.Firehose.sln";

        private static readonly Lazy<string> Root = new(FindRepositoryRoot);

        /// <summary>
        /// The repository root: the nearest directory at or above <see cref="AppContext.BaseDirectory"/> that
        /// contains <c>NLog.Targets.Firehose.sln</c>.
        /// </summary>
        public static string RepositoryRoot => Root.Value;

        /// <summary>
        /// A full path inside the shared folder beside the repository, <c>&lt;root&gt;/../shared/parts…</c>.
        /// The path is not checked for existence.
        /// </summary>
        /// <param name="parts">Path parts below <c>shared</c>, for example <c>"testdata", "sigv4"</c>.</param>
        /// <returns>The full, normalised path.</returns>
        public static string Shared(params string[] parts)
        {
            string path = Path.Combine(RepositoryRoot, "..", "shared");
            foreach (string part in parts)
            {
                path = Path.Combine(path, part);
            }

            return Path.GetFullPath(path);
        }

        /// <summary>
        /// Walks up from the test assembly's directory to the directory holding the solution file.
        /// </summary>
        private static string FindRepositoryRoot()
        {
            string start = AppContext.BaseDirectory;
            for (DirectoryInfo? directory = new(start); directory is not null; directory = directory.Parent)
            {
                if (File.Exists(Path.Combine(directory.FullName, SolutionFileName)))
                {
                    return directory.FullName;
                }
            }

            throw new InvalidOperationException(
                $"Could not find {SolutionFileName} in '{start}' or any directory above it, so the repository root " +
                "(and ../shared beside it) cannot be located.");
        }
    }
}
