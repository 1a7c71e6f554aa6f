#if NETSTANDARD2_0
using System;
using System.Text;

namespace NLog.Targets.Firehose.Polyfills
{
    /// <summary>
    /// netstandard2.0 stand-ins for <c>string.Replace(string, string, StringComparison)</c> and
    /// <c>string.IndexOf(char, StringComparison)</c> (.NET Core 2.0+).
    /// </summary>
    internal static class StringPolyfill
    {
        extension(string text)
        {
            /// <summary>
            /// <paramref name="oldValue"/> replaced by <paramref name="newValue"/> everywhere, compared as
            /// <paramref name="comparisonType"/> says; the same string when there is nothing to replace.
            /// </summary>
            public string Replace(string oldValue, string? newValue, StringComparison comparisonType)
            {
                if (oldValue is null)
                    throw new ArgumentNullException(nameof(oldValue));
                if (oldValue.Length == 0)
                    throw new ArgumentException("String cannot be of zero length.", nameof(oldValue));
                int found = text.IndexOf(oldValue, 0, comparisonType);
                if (found < 0)
                    return text;
                var result = new StringBuilder(text.Length);
                int copied = 0;
                while (found >= 0)
                {
                    result.Append(text, copied, found - copied).Append(newValue);
                    copied = found + oldValue.Length;
                    found = copied < text.Length ? text.IndexOf(oldValue, copied, comparisonType) : -1;
                }
                return result.Append(text, copied, text.Length - copied).ToString();
            }

            /// <summary>The index of the first <paramref name="value"/>, compared as <paramref name="comparisonType"/> says, or -1.</summary>
            public int IndexOf(char value, StringComparison comparisonType)
                => comparisonType == StringComparison.Ordinal ? text.IndexOf(value) : text.IndexOf(value.ToString(), comparisonType);
        }
    }
}
#endif
