using System;
using System.IO;

namespace Infrastructure.Tests
{
    /// <summary>Locates the repository root (and files in it) by walking up from the test binaries to <c>NLog.Targets.Firehose.sln</c>.</summary>
    internal static class TestPaths
    {
        private const string SolutionFileName = "NLog.Targets.Firehose.sln";

        /// <summary>The directory containing <c>NLog.Targets.Firehose.sln</c>.</summary>
        public static string RepositoryRoot { get; } = FindRepositoryRoot();

        /// <summary>A path relative to the repository root, e.g. <c>InRepository("examples", "infrastructure", "README.md")</c>.</summary>
        public static string InRepository(params string[] parts)
        {
            string path = RepositoryRoot;
            foreach (string part in parts)
            {
                path = Path.Combine(path, part);
            }

            return Path.GetFullPath(path);
        }

        /// <summary>A path under <c>../shared</c> relative to the repository root, e.g. <c>Shared("spec", "firehose", "service-2.json")</c>.</summary>
        public static string Shared(params string[] parts)
        {
            string path = Path.Combine(RepositoryRoot, "..", "shared");
            foreach (string part in parts)
            {
                path = Path.Combine(path, part);
            }

            return Path.GetFullPath(path);
        }

        private static string FindRepositoryRoot()
        {
            for (DirectoryInfo? dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, SolutionFileName)))
                {
                    return dir.FullName;
                }
            }

            throw new InvalidOperationException(
                $"Could not find {SolutionFileName} in any parent of '{AppContext.BaseDirectory}'.");
        }
    }
}
