using NLog.Layouts;

namespace NLog.Targets.Firehose.Layouts
{
    /// <summary>
    /// Builds the target's default layout: one line of JSON per event whose field names index cleanly in
    /// OpenSearch/Elasticsearch (ECS-style dotted names) and suit a Kibana index pattern on <c>@timestamp</c>.
    /// </summary>
    internal static class FirehoseJsonLayout
    {
        /// <summary>The fixed field names, in the order they are written. Event and scope properties with these names are left out, so a document never has a duplicate key (OpenSearch rejects those).</summary>
        public static readonly string[] FieldNames =
        {
            "@timestamp", "event.id", "log.level", "log.logger", "message",
            "error.type", "error.message", "error.stack_trace",
            "host.name", "process.pid", "process.name", "service.name",
        };

        /// <summary>
        /// The objects the dotted field names make in OpenSearch/Elasticsearch (<c>host.name</c> makes <c>host</c> an
        /// object). A property with one of these names would be a plain value where the index expects an object — a
        /// mapping conflict that makes the index reject the whole document — so such properties are left out too.
        /// </summary>
        public static readonly string[] ObjectNames = { "event", "log", "error", "host", "process", "service" };

        /// <summary>
        /// Creates the default layout: the JSON document of <see cref="CreateJson"/> with scope properties, rendered on the
        /// target's background thread where that gives the same document (<see cref="ScopeDeferringLayout"/>).
        /// <paramref name="serviceName"/> renders the <c>service.name</c> field.
        /// </summary>
        public static ScopeDeferringLayout Create(Layout serviceName)
            => new ScopeDeferringLayout(CreateJson(serviceName, includeScopeProperties: true, fastFields: true), CreateJson(serviceName, includeScopeProperties: false, fastFields: true));

        /// <summary>
        /// Creates the default layout's JSON document as a plain <see cref="JsonLayout"/>, with or without the scope
        /// properties. <paramref name="serviceName"/> renders the <c>service.name</c> field. <paramref name="fastFields"/> (the
        /// target's layout): <c>@timestamp</c>, <c>log.level</c>, <c>host.name</c>, <c>process.pid</c> and <c>process.name</c>
        /// written by <see cref="TimestampLayout"/>, <see cref="LevelLayout"/> and <see cref="FixedJsonValueLayout"/>, with the
        /// same text as the NLog layout renderers they stand for, which are used otherwise (what a user of NLog's JsonLayout
        /// writes).
        /// </summary>
        public static JsonLayout CreateJson(Layout serviceName, bool includeScopeProperties = true, bool fastFields = false)
        {
            var layout = new JsonLayout
            {
                SuppressSpaces = true,
                IncludeEventProperties = true,
                IncludeScopeProperties = includeScopeProperties,
                ExcludeEmptyProperties = false,
                MaxRecursionLimit = 1,
            };
            layout.Attributes.Add(fastFields
                ? new JsonAttribute("@timestamp", new TimestampLayout()) { Encode = false }
                : new JsonAttribute("@timestamp", TimestampLayout.NLogEquivalent));
            // Unique per event and the same on every resend, so duplicates from retries can be removed downstream.
            layout.Attributes.Add(new JsonAttribute("event.id", new EventIdLayout()) { Encode = false });
            layout.Attributes.Add(fastFields
                ? new JsonAttribute("log.level", new LevelLayout()) { Encode = false }
                : new JsonAttribute("log.level", LevelLayout.NLogEquivalent));
            layout.Attributes.Add(new JsonAttribute("log.logger", "${logger}"));
            layout.Attributes.Add(new JsonAttribute("message", "${message}"));
            layout.Attributes.Add(new JsonAttribute("error.type", "${exception:format=Type}"));
            layout.Attributes.Add(new JsonAttribute("error.message", "${exception:format=Message}"));
            // ToString: type, message and stack trace of the exception and of every inner exception.
            layout.Attributes.Add(new JsonAttribute("error.stack_trace", "${exception:format=ToString}"));
            layout.Attributes.Add(Fixed("host.name", "${hostname}", encode: true, fastFields));
            layout.Attributes.Add(Fixed("process.pid", "${processid}", encode: false, fastFields));
            layout.Attributes.Add(Fixed("process.name", "${processname}", encode: true, fastFields));
            layout.Attributes.Add(new JsonAttribute("service.name", serviceName));
            foreach (string name in FieldNames)
                layout.ExcludeProperties.Add(name);
            foreach (string name in ObjectNames)
                layout.ExcludeProperties.Add(name);
            return layout;
        }

        /// <summary>An attribute whose value NLog resolves once per process: with <paramref name="fast"/> rendered once and then written as it is.</summary>
        private static JsonAttribute Fixed(string name, string layout, bool encode, bool fast)
            => fast ? new JsonAttribute(name, new FixedJsonValueLayout(layout, encode)) { Encode = false } : new JsonAttribute(name, layout) { Encode = encode };
    }
}
