using System;
using System.IO;

namespace NLog.Targets.Firehose.Tests
{
    /// <summary>Locates the repository root and the shared spec/test-data folder that sits beside it.</summary>
    internal static class TestPaths
    {
        private const string SolutionFileName = "NLog.Targets.Firehose.sln";

        /// <summary>The directory containing <c>NLog.Targets.Firehose.sln</c>, found by walking up from the test binaries.</summary>
        public static string RepositoryRoot { get; } = FindRepositoryRoot();

        /// <summary>
        /// The net10.0 output assembly of a project the solution builds beside the tests, in the tests' own
        /// configuration (Debug or Release), e.g. <c>BuiltAssembly("examples/ConsoleApp", "ConsoleApp")</c>.
        /// </summary>
        public static string BuiltAssembly(string projectDirectory, string assemblyName)
        {
            string configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Release" : "Debug";
            return Path.Combine(RepositoryRoot, projectDirectory, "bin", configuration, "net10.0", assemblyName + ".dll");
        }

        /// <summary>A path under <c>../shared</c> relative to the repository root, e.g. <c>Shared("spec", "firehose", "README.md")</c>.</summary>
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
