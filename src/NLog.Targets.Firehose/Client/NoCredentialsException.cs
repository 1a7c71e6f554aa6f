using Amazon.Runtime;

namespace NLog.Targets.Firehose.Client
{
    /// <summary>
    /// No source in AWSSDK.Core's default credential chain had credentials. The message says what to set; it carries
    /// no inner exception, so no raw SDK text (which can echo a credentials-file line) reaches a log.
    /// </summary>
    internal sealed class NoCredentialsException : AmazonClientException
    {
        /// <summary>Creates the exception.</summary>
        public NoCredentialsException(string message)
            : base(message)
        {
        }
    }
}
