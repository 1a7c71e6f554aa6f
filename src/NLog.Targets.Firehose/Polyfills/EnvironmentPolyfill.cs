#if NETSTANDARD2_0
using System;
using System.Diagnostics;

namespace NLog.Targets.Firehose.Polyfills
{
    /// <summary>netstandard2.0 stand-ins for <c>Environment.TickCount64</c> (.NET Core 3.0+) and <c>Environment.ProcessId</c> (.NET 5+).</summary>
    internal static class EnvironmentPolyfill
    {
        private static int s_processId;

        extension(Environment)
        {
            /// <summary>
            /// Milliseconds on the monotonic clock (<see cref="Stopwatch"/>), as a 64-bit count that does not wrap. Like
            /// <c>Environment.TickCount64</c> it is only meant for differences within a process; its origin may differ.
            /// </summary>
            public static long TickCount64
            {
                get
                {
                    long timestamp = Stopwatch.GetTimestamp();
                    long frequency = Stopwatch.Frequency;
                    // Split so that timestamp * 1000 cannot overflow, however long the machine has been up.
                    return ((timestamp / frequency) * 1000) + ((timestamp % frequency) * 1000 / frequency);
                }
            }

            /// <summary>The id of the current process.</summary>
            public static int ProcessId
            {
                get
                {
                    int id = s_processId;
                    if (id == 0)
                    {
                        using (Process current = Process.GetCurrentProcess())
                            id = current.Id;
                        s_processId = id;
                    }
                    return id;
                }
            }
        }
    }
}
#endif
