using System;
using Amazon.Runtime;

namespace NLog.Targets.Firehose.Client
{
    /// <summary>What the target resolved at initialisation and hands to the client factory.</summary>
    internal sealed class FirehoseClientSettings
    {
        /// <summary>Creates the settings.</summary>
        public FirehoseClientSettings(Uri endpoint, string region, AWSCredentials credentials, TimeSpan requestTimeout)
        {
            Endpoint = endpoint;
            Region = region;
            Credentials = credentials;
            RequestTimeout = requestTimeout;
        }

        /// <summary>The endpoint: resolved from the region, or the <c>ServiceUrl</c>.</summary>
        public Uri Endpoint { get; }

        /// <summary>The signing region.</summary>
        public string Region { get; }

        /// <summary>Where credentials come from.</summary>
        public AWSCredentials Credentials { get; }

        /// <summary>How long one call may take.</summary>
        public TimeSpan RequestTimeout { get; }
    }
}
