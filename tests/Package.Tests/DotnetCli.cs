using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace Package.Tests
{
    /// <summary>The result of one <c>dotnet</c> command: its exit code and what it printed (stdout, then stderr).</summary>
    internal sealed record CliResult(int ExitCode, string Output, TimeSpan Duration);

    /// <summary>
    /// Runs the <c>dotnet</c> CLI as a user would in a shell: in a working directory of our choosing, without build
    /// servers (no MSBuild node or compiler server outlives the command and holds its output open), and without the
    /// MSBuild variables that <c>dotnet test</c> sets for its own build.
    /// </summary>
    internal static class DotnetCli
    {
        private static string Executable => Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet";

        public static async Task<CliResult> RunAsync(
            string workingDirectory,
            IEnumerable<string> arguments,
            IReadOnlyDictionary<string, string?>? environment,
            TimeSpan timeout,
            CancellationToken cancellationToken)
        {
            var start = new ProcessStartInfo(Executable)
            {
                WorkingDirectory = workingDirectory,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                RedirectStandardInput = true,
                UseShellExecute = false,
            };
            foreach (string argument in arguments)
                start.ArgumentList.Add(argument);
            foreach (string name in start.Environment.Keys.ToList())
            {
                if (name.StartsWith("MSBUILD", StringComparison.OrdinalIgnoreCase) || name.StartsWith("VSTEST", StringComparison.OrdinalIgnoreCase))
                    start.Environment.Remove(name);
            }

            start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
            start.Environment["DOTNET_NOLOGO"] = "1";
            start.Environment["DOTNET_CLI_UI_LANGUAGE"] = "en";
            start.Environment["MSBUILDDISABLENODEREUSE"] = "1";
            start.Environment["DOTNET_CLI_USE_MSBUILD_SERVER"] = "0";
            start.Environment["UseSharedCompilation"] = "false";
            foreach (var pair in environment ?? new Dictionary<string, string?>())
            {
                if (pair.Value is null)
                    start.Environment.Remove(pair.Key);
                else
                    start.Environment[pair.Key] = pair.Value;
            }

            var stopwatch = Stopwatch.StartNew();
            using var process = Process.Start(start)!;
            process.StandardInput.Close();
            Task<string> stdout = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
            Task<string> stderr = process.StandardError.ReadToEndAsync(CancellationToken.None);
            using var timeoutSource = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeoutSource.CancelAfter(timeout);
            try
            {
                await process.WaitForExitAsync(timeoutSource.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
                string partial = await stdout.ConfigureAwait(false) + await stderr.ConfigureAwait(false);
                throw new TimeoutException($"'dotnet {string.Join(' ', start.ArgumentList)}' did not finish within {timeout.TotalSeconds:0} s:{Environment.NewLine}{partial}");
            }

            var output = new StringBuilder();
            output.Append(await stdout.ConfigureAwait(false));
            output.Append(await stderr.ConfigureAwait(false));
            return new CliResult(process.ExitCode, output.ToString(), stopwatch.Elapsed);
        }
    }
}
