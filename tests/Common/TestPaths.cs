using System;
using System.IO;

namespace NLog.Targets.Firehose.Testing
{
    /// <summary>
    /// Paths the test projects share (this file is linked into each): the repository root, found by walking up from the
    /// test binaries to <c>NLog.Targets.Firehose.sln</c>; files in it; the <c>../shared</c> folder beside it; and the
    /// build configuration of the tests.
    /// </summary>
    internal static class TestPaths
    {
        private const string SolutionFileName = "NLog.Targets.Firehose.sln";

        /// <summary>The directory containing <c>NLog.Targets.Firehose.sln</c>.</summary>
        public static string RepositoryRoot { get; } = FindRepositoryRoot();

        /// <summary>Release or Debug: the configuration these tests (and the projects they reference) were built in.</summary>
        public static string Configuration { get; } =
            AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Release" : "Debug";

        /// <summary>A path relative to the repository root, e.g. <c>InRepository("examples", "infrastructure", "README.md")</c>.</summary>
        public static string InRepository(params string[] parts) => Under(RepositoryRoot, parts);

        /// <summary>A path under <c>../shared</c> relative to the repository root, e.g. <c>Shared("spec", "firehose", "service-2.json")</c>.</summary>
        public static string Shared(params string[] parts) => Under(Path.Combine(RepositoryRoot, "..", "shared"), parts);

        /// <summary>
        /// The net10.0 output assembly of a project the solution builds beside the tests, in the tests' own configuration,
        /// e.g. <c>BuiltAssembly("examples/ConsoleApp", "ConsoleApp")</c>.
        /// </summary>
        public static string BuiltAssembly(string projectDirectory, string assemblyName)
            => Path.Combine(RepositoryRoot, projectDirectory, "bin", Configuration, "net10.0", assemblyName + ".dll");

        private static string Under(string root, string[] parts)
        {
            string path = root;
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
