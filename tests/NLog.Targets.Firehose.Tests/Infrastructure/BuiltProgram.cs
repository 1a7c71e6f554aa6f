using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using Microsoft.VisualStudio.TestTools.UnitTesting;
using NLog.Targets.Firehose.Testing;

namespace NLog.Targets.Firehose.Tests.Infrastructure
{
    /// <summary>Starts a program built with the solution (the example, the crash host) as a child process under <c>dotnet</c>.</summary>
    internal static class BuiltProgram
    {
        /// <summary>
        /// Starts <paramref name="assemblyName"/> from <paramref name="projectDirectory"/> with standard output and error
        /// redirected. In <paramref name="environment"/>, a null value removes the variable.
        /// </summary>
        public static Process Start(string projectDirectory, string assemblyName, IEnumerable<string> arguments, IReadOnlyDictionary<string, string?>? environment = null)
        {
            string dll = TestPaths.BuiltAssembly(projectDirectory, assemblyName);
            Assert.IsTrue(File.Exists(dll), assemblyName + " is built with the solution; not found: " + dll);
            var start = new ProcessStartInfo("dotnet")
            {
                WorkingDirectory = Path.GetTempPath(),
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            start.ArgumentList.Add(dll);
            foreach (string argument in arguments)
                start.ArgumentList.Add(argument);
            foreach (var pair in environment ?? new Dictionary<string, string?>())
            {
                if (pair.Value is null)
                    start.Environment.Remove(pair.Key);
                else
                    start.Environment[pair.Key] = pair.Value;
            }
            return Process.Start(start)!;
        }
    }
}
