#if NETSTANDARD2_0
using System;
using System.Net.Http;
using System.Reflection;

namespace NLog.Targets.Firehose.Polyfills
{
    /// <summary>
    /// netstandard2.0 has no <c>HttpRequestException.HttpRequestError</c> (.NET 8+). Where the running runtime has it
    /// (the netstandard2.0 build on .NET 8 or later) it is read by reflection, so a failure is named as the net8.0
    /// build names it; elsewhere (.NET Framework) there is nothing to read.
    /// </summary>
    internal static class HttpRequestErrors
    {
        private static readonly PropertyInfo? ErrorProperty = typeof(HttpRequestException).GetProperty("HttpRequestError", BindingFlags.Public | BindingFlags.Instance);

        /// <summary>The name of the exception's <c>HttpRequestError</c>, or null when it is <c>Unknown</c> or the runtime has none.</summary>
        public static string? NameOf(HttpRequestException exception)
        {
            if (ErrorProperty is null)
                return null;
            object? error;
            try
            {
                error = ErrorProperty.GetValue(exception);
            }
            catch (TargetInvocationException)
            {
                return null;
            }
            if (error is null || Convert.ToInt32(error, System.Globalization.CultureInfo.InvariantCulture) == 0)
                return null;   // HttpRequestError.Unknown
            return error.ToString();
        }
    }
}
#endif
