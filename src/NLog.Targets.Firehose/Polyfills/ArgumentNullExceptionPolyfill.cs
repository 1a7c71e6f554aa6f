#if NETSTANDARD2_0
using System;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;

namespace NLog.Targets.Firehose.Polyfills
{
    /// <summary>netstandard2.0 stand-in for <c>ArgumentNullException.ThrowIfNull</c> (.NET 6+), same message and parameter name.</summary>
    internal static class ArgumentNullExceptionPolyfill
    {
        extension(ArgumentNullException)
        {
            /// <summary>Throws an <see cref="ArgumentNullException"/> naming <paramref name="paramName"/> when <paramref name="argument"/> is null.</summary>
            public static void ThrowIfNull([NotNull] object? argument, [CallerArgumentExpression(nameof(argument))] string? paramName = null)
            {
                if (argument is null)
                    throw new ArgumentNullException(paramName);
            }
        }
    }
}
#endif
