using System.Text;
using NLog.Layouts;

namespace NLog.Targets.Firehose.Layouts
{
    /// <summary>
    /// Wraps the layout of a secret option (<c>SecretKey</c>, <c>SessionToken</c>): renders it, but shows <c>***</c>
    /// wherever NLog prints the option (its Trace-level configuration dump, exception messages). The inner layout is
    /// kept out of NLog's configuration scan on purpose and initialises itself on first render. Marked thread-agnostic:
    /// it is rendered once, at start-up, so NLog must not count it as a reason to pre-render the target's layouts on the
    /// logging thread of every event (a layout that is not thread-agnostic makes NLog do that for all of them).
    /// </summary>
    [NLog.Config.ThreadAgnostic]
    internal sealed class SecretLayout : Layout
    {
        private readonly Layout _inner;

        /// <summary>Wraps <paramref name="inner"/>.</summary>
        public SecretLayout(Layout inner)
        {
            _inner = inner;
        }

        /// <summary>Wraps <paramref name="value"/> unless it is null or already wrapped.</summary>
        public static Layout? Wrap(Layout? value) => value is null or SecretLayout ? value : new SecretLayout(value);

        /// <inheritdoc/>
        protected override string GetFormattedMessage(LogEventInfo logEvent) => _inner.Render(logEvent);

        /// <inheritdoc/>
        protected override void RenderFormattedMessage(LogEventInfo logEvent, StringBuilder target) => _inner.Render(logEvent, target);

        /// <inheritdoc/>
        public override string ToString() => "***";
    }
}
