using System;
using System.IO;

namespace Package.Tests
{
    /// <summary>Locates the repository root by walking up from the test binaries to <c>NLog.Targets.Firehose.sln</c>.</summary>
    internal static class TestPaths
    {
        private const string SolutionFileName = "NLog.Targets.Firehose.sln";

        /// <summary>The directory containing <c>NLog.Targets.Firehose.sln</c>.</summary>
        public static string RepositoryRoot { get; } = FindRepositoryRoot();

        /// <summary>A path relative to the repository root.</summary>
        public static string InRepository(params string[] parts)
        {
            string path = RepositoryRoot;
            foreach (string part in parts)
                path = Path.Combine(path, part);
            return Path.GetFullPath(path);
        }

        private static string FindRepositoryRoot()
        {
            for (DirectoryInfo? dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, SolutionFileName)))
                    return dir.FullName;
            }

            throw new InvalidOperationException($"Could not find {SolutionFileName} in any parent of '{AppContext.BaseDirectory}'.");
        }
    }
}
