using System;
using System.IO;
using System.Runtime.InteropServices;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Configuration;

namespace Firehose.Local
{
    /// <summary>The <c>firehose-local</c> tool: runs Firehose Local until Ctrl+C or SIGTERM.</summary>
    public static class Program
    {
        /// <summary>
        /// Reads the settings (section <c>FirehoseLocal</c>) from the tool's appsettings.json, then appsettings.json in
        /// the current directory, then environment variables prefixed <c>FIREHOSELOCAL_</c> (for example
        /// <c>FIREHOSELOCAL_FirehoseLocal__Port</c>), then the command line (<c>--FirehoseLocal:Port=4573</c>), and runs
        /// the server until Ctrl+C or SIGTERM; buffered data is delivered before it exits.
        /// </summary>
        /// <param name="args">The command line.</param>
        /// <returns>0 after a clean stop; 1 when the settings are invalid or data could be neither delivered nor backed up (stderr says what); 130 after a second Ctrl+C.</returns>
        public static async Task<int> Main(string[] args)
        {
            IConfiguration configuration = new ConfigurationBuilder()
                .AddJsonFile(Path.Combine(AppContext.BaseDirectory, "appsettings.json"), optional: true)
                .AddJsonFile(Path.Combine(Environment.CurrentDirectory, "appsettings.json"), optional: true)
                .AddEnvironmentVariables("FIREHOSELOCAL_")
                .AddCommandLine(args)
                .Build();
            var options = new FirehoseLocalOptions();
            FirehoseLocalServer server;
            try
            {
                configuration.GetSection(FirehoseLocalOptions.SectionName).Bind(options);
                server = await FirehoseLocalServer.StartAsync(options).ConfigureAwait(false);
            }
            catch (Exception ex) when (SettingsError(ex) is { } error)
            {
                // The configuration binder wraps a setter's exception (such as a fault rate out of range) in a TargetInvocationException.
                await Console.Error.WriteLineAsync("firehose-local: " + error.Message).ConfigureAwait(false);
                return 1;
            }

            using var stop = new CancellationTokenSource();
            int signals = 0;
            void OnSignal(PosixSignalContext context)
            {
                // The first Ctrl+C/SIGTERM stops cleanly (buffered data is delivered); a second one exits at once.
                if (Interlocked.Increment(ref signals) > 1)
                {
                    Console.Error.WriteLine("firehose-local: stopped without delivering what is left");
                    Environment.Exit(130);
                }
                context.Cancel = true;
                stop.Cancel();
            }
            using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
            using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
            await Console.Out.WriteLineAsync(
                $"Firehose Local listening on {server.Url} (region {options.Region}, signatures {(options.VerifySignatures ? "verified" : "not verified")}, streams: {string.Join(", ", server.ListStreams())}, data: {server.DataDirectory}); Ctrl+C to stop").ConfigureAwait(false);
            try
            {
                await Task.Delay(Timeout.Infinite, stop.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // Ctrl+C or SIGTERM
            }
            await Console.Out.WriteLineAsync("Firehose Local stopping: delivering buffered data (OpenSearch retries cut short, the rest backed up as failed); Ctrl+C again to exit at once").ConfigureAwait(false);
            try
            {
                await server.StopAsync().ConfigureAwait(false);
            }
            catch (IOException ex)
            {
                foreach (string line in ex.Message.Split(Environment.NewLine))
                    await Console.Error.WriteLineAsync("firehose-local: " + line).ConfigureAwait(false);
                return 1;
            }
            return 0;
        }

        /// <summary>The exception that says which setting is invalid, unwrapping the binder's reflection wrappers; null for other failures.</summary>
        private static Exception? SettingsError(Exception ex)
        {
            while (ex is System.Reflection.TargetInvocationException { InnerException: { } inner })
                ex = inner;
            if (ex is InvalidOperationException { InnerException: System.Reflection.TargetInvocationException { InnerException: { } wrapped } })
                ex = SettingsError(wrapped) ?? ex;
            return ex is ArgumentException or InvalidOperationException or FormatException or IOException ? ex : null;
        }
    }
}
