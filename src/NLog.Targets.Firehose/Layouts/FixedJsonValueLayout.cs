using System.Text;
using NLog.Config;
using NLog.Layouts;

namespace NLog.Targets.Firehose.Layouts
{
    /// <summary>
    /// A JSON attribute value that cannot change while the process runs (<c>${hostname}</c>, <c>${processid}</c>,
    /// <c>${processname}</c>, which NLog itself resolves once): rendered once by a one-attribute <see cref="JsonLayout"/>
    /// with the same attribute settings, so with the same encoding, and written as that text afterwards (use it with
    /// <c>Encode = false</c>). An empty value renders empty, so the attribute is left out as it would be. Rendered again
    /// after the layout is initialised again (a configuration reload).
    /// </summary>
    [ThreadAgnostic]
    internal sealed class FixedJsonValueLayout : Layout
    {
        private const string Name = "v";
        private readonly string _source;
        private readonly JsonLayout _single;
        private volatile string? _json;

        /// <summary>A fixed value rendered by <paramref name="layout"/>, JSON-encoded as a string when <paramref name="encode"/>.</summary>
        public FixedJsonValueLayout(string layout, bool encode)
        {
            _source = layout;
            _single = new JsonLayout { SuppressSpaces = true };
            _single.Attributes.Add(new JsonAttribute(Name, layout) { Encode = encode });
        }

        /// <inheritdoc/>
        protected override void InitializeLayout()
        {
            _json = null;
            base.InitializeLayout();
        }

        /// <inheritdoc/>
        protected override void RenderFormattedMessage(LogEventInfo logEvent, StringBuilder target)
            => target.Append(_json ??= Render());

        private string Render()
        {
            // {"v":<value>} → <value>; {} when the value is empty (the attribute left out).
            string document = _single.Render(LogEventInfo.CreateNullEvent());
            const string prefix = "{\"" + Name + "\":";
            return document.StartsWith(prefix, System.StringComparison.Ordinal) && document.EndsWith("}", System.StringComparison.Ordinal)
                ? document.Substring(prefix.Length, document.Length - prefix.Length - 1)
                : string.Empty;
        }

        /// <inheritdoc/>
        protected override string GetFormattedMessage(LogEventInfo logEvent) => _json ??= Render();

        /// <inheritdoc/>
        public override string ToString() => _source;
    }
}
