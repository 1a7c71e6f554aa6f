namespace NLog.Targets
{
    /// <summary>
    /// What a <see cref="FirehoseTarget"/> is doing, as <see cref="FirehoseTarget.GetHealth"/> reports it. When several
    /// apply, the first in this order wins: <see cref="NotInitialized"/>, <see cref="BreakerOpen"/>, <see cref="Failing"/>,
    /// <see cref="Buffering"/>, <see cref="Throttled"/>, <see cref="Delivering"/>, <see cref="Idle"/>.
    /// </summary>
    /// <remarks>Default: <see cref="NotInitialized"/> (a target NLog has not initialised, or has closed).</remarks>
    public enum FirehoseHealthState
    {
        /// <summary>NLog has not initialised the target (no configuration yet, a configuration error), or has closed it.</summary>
        NotInitialized = 0,

        /// <summary>Initialised, nothing queued, nothing being sent, nothing buffered, no stream throttled or failing.</summary>
        Idle = 1,

        /// <summary>Events are queued or being sent, and the streams answer.</summary>
        Delivering = 2,

        /// <summary>
        /// Firehose throttled a stream lately: the target paces its calls (the adaptive gap between calls is not zero) and
        /// retries what was throttled. Events still arrive, more slowly.
        /// </summary>
        Throttled = 3,

        /// <summary>
        /// The disk buffer holds undelivered records, or a stream is failing and new records go to disk: they are replayed
        /// when the stream answers. Nothing is lost (up to <c>maxBufferBytes</c>), but delivery is behind.
        /// </summary>
        Buffering = 4,

        /// <summary>
        /// Without a disk buffer: the last call to a stream was given up (the delivery timeout passed) and none has succeeded
        /// since; events for it are being given up.
        /// </summary>
        Failing = 5,

        /// <summary>
        /// A stream refused a call with an error no retry can fix (AccessDenied, ResourceNotFound, no credentials, …): its
        /// circuit breaker holds calls back and probes now and then. <see cref="FirehoseHealth.LastErrorCode"/> says which error.
        /// </summary>
        BreakerOpen = 6,
    }
}
