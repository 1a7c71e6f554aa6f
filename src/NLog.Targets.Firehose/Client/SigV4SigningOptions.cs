namespace NLog.Targets.Firehose.Client
{
    /// <summary>
    /// Switches that select the SigV4 variant a service expects. The defaults are right for Firehose and for
    /// every AWS service except S3.
    /// </summary>
    internal sealed class SigV4SigningOptions
    {
        /// <summary>
        /// Whether to normalise the path before encoding it: collapse repeated <c>/</c> and remove <c>.</c> and
        /// <c>..</c> segments. S3 is the exception that signs the path as given. Default <c>true</c>.
        /// </summary>
        public bool NormalizePath { get; set; } = true;

        /// <summary>
        /// Whether to URI-encode the (already encoded) path a second time, so that <c>%3C</c> becomes
        /// <c>%253C</c>. When <c>false</c> (S3 style) existing %-escapes are decoded first and the path is
        /// encoded exactly once. Default <c>true</c>.
        /// </summary>
        public bool DoubleUriEncode { get; set; } = true;

        /// <summary>
        /// When <c>true</c> the session token is left out of the canonical request and SignedHeaders, but the
        /// <c>X-Amz-Security-Token</c> header is still returned to be sent. Default <c>false</c>.
        /// </summary>
        public bool OmitSessionTokenFromSignature { get; set; }

        /// <summary>
        /// When <c>true</c> the signer adds and signs an <c>x-amz-content-sha256</c> header holding the payload
        /// hash (an S3 convention that Firehose does not need). Default <c>false</c>.
        /// </summary>
        public bool AddContentSha256Header { get; set; }

        /// <summary>
        /// A new instance with the default settings. A fresh object is returned on every call so that no caller
        /// can change the defaults seen by another.
        /// </summary>
        public static SigV4SigningOptions Default => new();
    }
}
