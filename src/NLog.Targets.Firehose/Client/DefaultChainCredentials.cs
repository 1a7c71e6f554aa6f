using System;
using System.Threading;
using System.Threading.Tasks;
using Amazon.Runtime;
using Amazon.Runtime.Credentials;

namespace NLog.Targets.Firehose.Client
{
    /// <summary>
    /// AWSSDK.Core's default credential chain, resolved on first use rather than at start-up (the chain may ask the
    /// instance metadata service, which must not slow NLog's initialisation). A failed resolution is tried again on
    /// a later call, at most every few seconds; the credentials found refresh themselves as the SDK's do.
    /// </summary>
    internal sealed class DefaultChainCredentials : AWSCredentials
    {
        private static readonly TimeSpan RetryAfterFailure = TimeSpan.FromSeconds(5);
        private readonly SemaphoreSlim _gate = new SemaphoreSlim(1, 1);
        private AWSCredentials? _resolved;
        private NoCredentialsException? _lastFailure;
        private DateTime _lastFailureUtc;

        /// <summary>
        /// Forgets cached credentials after the service called them expired: refreshing ones are refreshed on the next
        /// call, others are resolved through the chain again.
        /// </summary>
        public void Invalidate()
        {
            AWSCredentials? resolved = Volatile.Read(ref _resolved);
            if (resolved is RefreshingAWSCredentials refreshing)
                refreshing.ClearCredentials();
            else
                Volatile.Write(ref _resolved, null);
        }

        /// <inheritdoc/>
        public override ImmutableCredentials GetCredentials() => GetCredentialsAsync().GetAwaiter().GetResult();

        /// <inheritdoc/>
        public override async Task<ImmutableCredentials> GetCredentialsAsync()
        {
            AWSCredentials? resolved = Volatile.Read(ref _resolved);
            if (resolved is null)
            {
                await _gate.WaitAsync().ConfigureAwait(false);
                try
                {
                    resolved = _resolved;
                    if (resolved is null)
                    {
                        if (_lastFailure != null && DateTime.UtcNow - _lastFailureUtc < RetryAfterFailure)
                            throw new NoCredentialsException(_lastFailure.Message);
                        try
                        {
                            resolved = await new DefaultAWSCredentialsIdentityResolver().ResolveIdentityAsync(null!, CancellationToken.None).ConfigureAwait(false);
                            Volatile.Write(ref _resolved, resolved);
                        }
                        catch (Exception ex) when (ex is not OutOfMemoryException)
                        {
                            _lastFailure = new NoCredentialsException(
                                "No AWS credentials found: set AccessKey/SecretKey (for example from ${environment:…}), Profile, or the AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_PROFILE environment variables, or run with an IAM role. The AWS SDK said: "
                                + SecretRedactor.Redact(ex.Message));
                            _lastFailureUtc = DateTime.UtcNow;
                            throw _lastFailure;
                        }
                    }
                }
                finally
                {
                    _gate.Release();
                }
            }
            return await resolved.GetCredentialsAsync().ConfigureAwait(false);
        }
    }
}
