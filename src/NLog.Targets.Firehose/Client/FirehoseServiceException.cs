using System;

namespace NLog.Targets.Firehose.Client
{
    /// <summary>
    /// A call the Firehose service (or an endpoint standing in for it) refused as a whole: an error response with its
    /// sanitised error type (<c>__type</c> / <c>x-amzn-ErrorType</c>), message, HTTP status and request id.
    /// </summary>
    internal sealed class FirehoseServiceException : Exception
    {
        /// <summary>Creates the exception.</summary>
        public FirehoseServiceException(string errorCode, string serviceMessage, int statusCode, string? requestId, Exception? inner = null)
            : base(Describe(errorCode, serviceMessage, statusCode, requestId), inner)
        {
            ErrorCode = errorCode;
            ServiceMessage = serviceMessage;
            StatusCode = statusCode;
            RequestId = requestId;
        }

        /// <summary>The error type without namespace or URI, e.g. <c>ResourceNotFoundException</c>.</summary>
        public string ErrorCode { get; }

        /// <summary>The service's message, possibly empty.</summary>
        public string ServiceMessage { get; }

        /// <summary>The HTTP status code.</summary>
        public int StatusCode { get; }

        /// <summary>The <c>x-amzn-RequestId</c>, when sent.</summary>
        public string? RequestId { get; }

        private static string Describe(string errorCode, string message, int statusCode, string? requestId)
        {
            string text = $"Firehose refused the call: {errorCode} (HTTP {statusCode})";
            if (!string.IsNullOrEmpty(message))
                text += ": " + message;
            if (!string.IsNullOrEmpty(requestId))
                text += " [request id " + requestId + "]";
            return text;
        }
    }
}
