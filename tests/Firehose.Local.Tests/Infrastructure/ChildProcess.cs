using System;
using System.Diagnostics;
using System.Threading;
using System.Threading.Tasks;

namespace Firehose.Local.Tests.Infrastructure
{
    /// <summary>Runs a started child process to its end within a timeout (killing it, and its children, past that).</summary>
    internal static class ChildProcess
    {
        /// <summary>
        /// Waits up to <paramref name="timeout"/> for <paramref name="process"/> (started with its standard output and error
        /// redirected) to exit, reading both meanwhile; kills its process tree if it is still running then (the wait throws).
        /// </summary>
        public static async Task<(int ExitCode, string Stdout, string Stderr)> RunToExitAsync(Process process, TimeSpan timeout)
        {
            using var cancel = new CancellationTokenSource(timeout);
            Task<string> stdout = process.StandardOutput.ReadToEndAsync(cancel.Token);
            Task<string> stderr = process.StandardError.ReadToEndAsync(cancel.Token);
            try
            {
                await process.WaitForExitAsync(cancel.Token);
            }
            finally
            {
                if (!process.HasExited)
                    process.Kill(entireProcessTree: true);
            }
            return (process.ExitCode, await stdout, await stderr);
        }
    }
}
