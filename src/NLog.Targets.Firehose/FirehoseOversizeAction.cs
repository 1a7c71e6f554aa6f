namespace NLog.Targets
{
    /// <summary>
    /// What the Firehose target does with an event whose record is larger than Firehose accepts (1,024,000 bytes,
    /// the record delimiter included).
    /// </summary>
    /// <remarks>Default: <see cref="Truncate"/> (the target's <c>OversizeAction</c>).</remarks>
    public enum FirehoseOversizeAction
    {
        /// <summary>
        /// Shrink it to fit. A JSON object record keeps every property in order; its longest string values (such as
        /// <c>message</c> or <c>error.stack_trace</c>) are cut at a character boundary and end in "…", and
        /// <c>"event.truncated": true</c> and <c>"event.original_size"</c> are added. Any other record is cut at the
        /// last UTF-8 character boundary that fits. An event that cannot be made to fit (a JSON object whose
        /// non-string content alone is too large) is dropped, counted and reported.
        /// </summary>
        Truncate = 0,

        /// <summary>Drop it, counted and reported.</summary>
        Drop = 1,
    }
}
