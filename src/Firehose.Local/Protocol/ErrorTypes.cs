namespace Firehose.Local.Protocol
{
    /// <summary>The error shape names the service answers with (service-2.json, plus the common AWS authentication and protocol errors).</summary>
    internal static class ErrorTypes
    {
        public const string InvalidArgument = "InvalidArgumentException";
        public const string ResourceNotFound = "ResourceNotFoundException";
        public const string ResourceInUse = "ResourceInUseException";
        public const string LimitExceeded = "LimitExceededException";
        public const string ServiceUnavailable = "ServiceUnavailableException";
        public const string InternalFailure = "InternalFailure";
        public const string Serialization = "SerializationException";
        public const string UnknownOperation = "UnknownOperationException";
        public const string InvalidSignature = "InvalidSignatureException";
        public const string UnrecognizedClient = "UnrecognizedClientException";
        public const string MissingAuthenticationToken = "MissingAuthenticationTokenException";
        public const string IncompleteSignature = "IncompleteSignatureException";
    }
}
