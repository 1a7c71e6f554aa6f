using System;
using System.IO;

namespace Firehose.Local.Tests.Infrastructure
{
    /// <summary>The repository root (found by walking up from the test binaries to <c>NLog.Targets.Firehose.sln</c>) and the tests' build configuration.</summary>
    internal static class TestPaths
    {
        private const string SolutionFileName = "NLog.Targets.Firehose.sln";

        /// <summary>The directory containing <c>NLog.Targets.Firehose.sln</c>.</summary>
        public static string RepositoryRoot { get; } = FindRepositoryRoot();

        /// <summary>Release or Debug: the configuration these tests (and the projects they reference) were built in.</summary>
        public static string Configuration { get; } =
            AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Release" : "Debug";

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
