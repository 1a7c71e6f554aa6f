#if NETSTANDARD2_0
using System.Collections;
using System.Collections.Generic;
using System.Runtime.CompilerServices;

namespace NLog.Targets.Firehose.Polyfills
{
    /// <summary>
    /// netstandard2.0 stand-in for <c>System.Collections.Generic.ReferenceEqualityComparer</c> (.NET 5+): equality is
    /// reference identity, the hash is the object's identity hash, whatever <c>Equals</c> the type overrides.
    /// </summary>
    internal sealed class ReferenceEqualityComparer : IEqualityComparer<object?>, IEqualityComparer
    {
        private ReferenceEqualityComparer()
        {
        }

        /// <summary>The one instance.</summary>
        public static ReferenceEqualityComparer Instance { get; } = new ReferenceEqualityComparer();

        /// <summary>Whether <paramref name="x"/> and <paramref name="y"/> are the same object.</summary>
        public new bool Equals(object? x, object? y) => ReferenceEquals(x, y);

        /// <summary>The identity hash of <paramref name="obj"/>.</summary>
        public int GetHashCode(object? obj) => RuntimeHelpers.GetHashCode(obj!);
    }
}
#endif
