using System;

namespace Firehose.Local.Protocol
{
    /// <summary>An error answer of the service: HTTP status, the error shape name (<c>__type</c>) and its message.</summary>
    internal sealed class ServiceException : Exception
    {
        public ServiceException(int status, string errorType, string message)
            : base(message)
        {
            Status = status;
            ErrorType = errorType;
        }

        public int Status { get; }

        public string ErrorType { get; }

        public static ServiceException InvalidArgument(string message) => new(400, ErrorTypes.InvalidArgument, message);

        public static ServiceException Validation(string value, string member, string constraint)
            => new(400, ErrorTypes.InvalidArgument, $"1 validation error detected: Value '{value}' at '{member}' failed to satisfy constraint: {constraint}");

        public static ServiceException NotFound(string stream, string accountId)
            => new(400, ErrorTypes.ResourceNotFound, $"Firehose {stream} under account {accountId} not found.");
    }
}
