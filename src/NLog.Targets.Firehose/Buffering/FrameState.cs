namespace NLog.Targets.Firehose.Buffering
{
    /// <summary>Where a frame of a held segment stands in this process.</summary>
    internal enum FrameState
    {
        /// <summary>On disk and not acknowledged: the next claim may hand it out.</summary>
        Pending,

        /// <summary>Handed out by a claim, neither acknowledged nor released yet.</summary>
        Claimed,

        /// <summary>Acknowledged, or found unreadable when claimed: never handed out again.</summary>
        Done,
    }
}
