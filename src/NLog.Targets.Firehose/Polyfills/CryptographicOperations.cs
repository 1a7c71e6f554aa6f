#if NETSTANDARD2_0
using System;
using System.Runtime.CompilerServices;

namespace NLog.Targets.Firehose.Polyfills
{
    /// <summary>netstandard2.0 stand-in for <c>System.Security.Cryptography.CryptographicOperations</c> (.NET Core 2.1+).</summary>
    internal static class CryptographicOperations
    {
        /// <summary>Clears <paramref name="buffer"/> in a way the JIT does not optimise away, as the runtime's does.</summary>
        [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.NoOptimization)]
        public static void ZeroMemory(Span<byte> buffer) => buffer.Clear();
    }
}
#endif
