using System;
using System.Collections.Generic;
using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using System.Text;
using NLog.Layouts;

namespace NLog.Targets.Firehose.Layouts
{
    /// <summary>
    /// The default layout's face to NLog: a <see cref="JsonLayout"/> that includes scope properties, rendered on the
    /// target's background thread whenever that gives the same document.
    /// </summary>
    /// <remarks>
    /// A <see cref="JsonLayout"/> with <c>IncludeScopeProperties</c> is not thread-agnostic, so NLog renders the whole
    /// document on the logging thread for every event (about 1.5 µs a call for the default layout), although most events
    /// are logged outside any <c>BeginScope</c>. This layout looks at the event on the logging thread (NLog's
    /// precalculation step) and renders it there, with the scope properties, only when it must: when the logging thread
    /// holds scope properties, when the event carries an exception, or when a parameter or property is an object that
    /// could change before the background thread reads it (NLog's own test: <see cref="Convert.GetTypeCode(object)"/> is
    /// <see cref="TypeCode.Object"/>). Every other event is rendered later, on the background thread, by the same JSON
    /// layout without scope properties — the same document, since the event had none. The two inner layouts are private
    /// fields, so NLog's layout scan does not find (and pre-render) them.
    /// </remarks>
    internal sealed class ScopeDeferringLayout : Layout
    {
        private const int MaxCheckedValues = 5;   // as NLog: more values than that are not worth checking one by one

        [ThreadStatic]
        private static bool t_onLoggingThread;

        /// <summary>
        /// NLog's own test of whether an event may be rendered later (<c>LogEventInfo.IsLogEventThreadAgnosticImmutable</c>,
        /// internal: it reads the message template's properties without allocating), or null when this NLog has no such
        /// method; then <see cref="HasMutableState"/> asks the same through public members (one enumerator per event with properties).
        /// </summary>
        private static readonly Func<LogEventInfo, bool>? s_nlogImmutable =
            BindLogEventMethod<Func<LogEventInfo, bool>>("IsLogEventThreadAgnosticImmutable", Type.EmptyTypes, typeof(bool));

        /// <summary>
        /// NLog's per-event layout cache (<c>LogEventInfo.AddCachedLayoutValue</c> / <c>TryGetCachedLayoutValue</c>, internal),
        /// used to remember on the event that it was looked at: a wrapper that precalculates the event again later, on
        /// another thread (a BufferingWrapper flushing from another caller, a FallbackGroup moving on from a continuation),
        /// must not decide again there, where another request's scope may be active. Null when this NLog has no such
        /// methods: then every event is rendered on the first logging thread that looks at it, as a plain JsonLayout is.
        /// </summary>
        private static readonly Action<LogEventInfo, Layout, object?>? s_addCached =
            BindLogEventMethod<Action<LogEventInfo, Layout, object?>>("AddCachedLayoutValue", new[] { typeof(Layout), typeof(object) }, typeof(void));
        private static readonly TryGetCachedValue? s_tryGetCached =
            BindLogEventMethod<TryGetCachedValue>("TryGetCachedLayoutValue", new[] { typeof(Layout), typeof(object).MakeByRefType() }, typeof(bool));

        private delegate bool TryGetCachedValue(LogEventInfo logEvent, Layout layout, out object? value);

        private readonly JsonLayout _withScope;
        private readonly JsonLayout _withoutScope;

        /// <summary>The key under which the event remembers that it was looked at (never rendered).</summary>
        private readonly Layout _decided = new SimpleLayout(string.Empty);

        /// <summary>Wraps <paramref name="withScope"/> (including scope properties) and <paramref name="withoutScope"/> (the same layout without them).</summary>
        public ScopeDeferringLayout(JsonLayout withScope, JsonLayout withoutScope)
        {
            if (!withScope.IncludeScopeProperties || withoutScope.IncludeScopeProperties)
                throw new ArgumentException("the first layout must include scope properties and the second must not");
            _withScope = withScope;
            _withoutScope = withoutScope;
        }

        /// <summary>Renders the event now, on the logging thread, only when rendering it later could give another document.</summary>
        public override void Precalculate(LogEventInfo logEvent)
        {
            if (s_addCached is null || s_tryGetCached is null)
            {
                RenderOnLoggingThread(logEvent);   // nowhere to remember a decision: never defer
                return;
            }
            if (s_tryGetCached(logEvent, _decided, out _))
                return;   // looked at before, on the thread that logged it: that decision stands
            if (MustRenderOnLoggingThread(logEvent))
                RenderOnLoggingThread(logEvent);
            s_addCached(logEvent, _decided, null);
        }

        /// <summary>Whether the per-event cache that remembers decisions is reachable (for tests).</summary>
        internal static bool RemembersDecisions => s_addCached != null && s_tryGetCached != null;

        private void RenderOnLoggingThread(LogEventInfo logEvent)
        {
            t_onLoggingThread = true;
            try
            {
                base.Precalculate(logEvent);   // renders through RenderFormattedMessage and caches the result on the event
            }
            finally
            {
                t_onLoggingThread = false;
            }
        }

        /// <inheritdoc/>
        protected override void RenderFormattedMessage(LogEventInfo logEvent, StringBuilder target)
            => (t_onLoggingThread ? _withScope : _withoutScope).Render(logEvent, target);

        /// <inheritdoc/>
        protected override string GetFormattedMessage(LogEventInfo logEvent)
        {
            var builder = new StringBuilder(256);
            RenderFormattedMessage(logEvent, builder);
            return builder.ToString();
        }

        /// <inheritdoc/>
        public override string ToString() => _withScope.ToString();

        /// <summary>Whether the event's document depends on the logging thread or on objects that may change before it is rendered.</summary>
        internal static bool MustRenderOnLoggingThread(LogEventInfo logEvent)
        {
            if (logEvent.Exception != null || HasScopeProperties() || HasMutableParameter(logEvent))
                return true;
            // NLog's test looks at the properties too (and says "render now" for a message NLog already formatted: harmless).
            return s_nlogImmutable != null ? !s_nlogImmutable(logEvent) : HasMutableProperty(logEvent);
        }

        /// <summary>Whether a parameter or property of the event is an object that could change before it is rendered (public members only).</summary>
        internal static bool HasMutableState(LogEventInfo logEvent)
            => logEvent.Exception != null || HasMutableParameter(logEvent) || HasMutableProperty(logEvent);

        private static bool HasMutableParameter(LogEventInfo logEvent)
        {
            object?[]? parameters = logEvent.Parameters;
            if (parameters is null)
                return false;
            if (parameters.Length > MaxCheckedValues)
                return true;
            foreach (object? parameter in parameters)
            {
                if (!IsImmutable(parameter))
                    return true;
            }
            return false;
        }

        private static bool HasMutableProperty(LogEventInfo logEvent)
        {
            if (!logEvent.HasProperties)
                return false;
            var properties = logEvent.Properties;
            if (properties.Count > MaxCheckedValues)
                return true;
            foreach (KeyValuePair<object, object?> property in properties)
            {
                if (!IsImmutable(property.Value))
                    return true;
            }
            return false;
        }

        /// <summary>
        /// A delegate to the <see cref="LogEventInfo"/> instance method <paramref name="name"/> (internal to NLog) taking
        /// <paramref name="parameters"/> and returning <paramref name="returnType"/>; null when this NLog has no such method,
        /// and the caller then does without it.
        /// </summary>
        [UnconditionalSuppressMessage("Trimming", "IL2075", Justification = "Optional: without the methods the layout does without them (see the fields that bind them).")]
        [DynamicDependency("AddCachedLayoutValue", typeof(LogEventInfo))]
        [DynamicDependency("TryGetCachedLayoutValue", typeof(LogEventInfo))]
        [DynamicDependency("IsLogEventThreadAgnosticImmutable", typeof(LogEventInfo))]
        private static TDelegate? BindLogEventMethod<TDelegate>(string name, Type[] parameters, Type returnType)
            where TDelegate : Delegate
        {
            try
            {
                MethodInfo? method = typeof(LogEventInfo).GetMethod(name, BindingFlags.Instance | BindingFlags.NonPublic | BindingFlags.Public, null, parameters, null);
                return method?.ReturnType == returnType ? (TDelegate)method.CreateDelegate(typeof(TDelegate)) : null;
            }
            catch (Exception ex) when (ex is ArgumentException || ex is MemberAccessException || ex is AmbiguousMatchException)
            {
                return null;
            }
        }

        /// <summary>Whether NLog's own test is in use (for tests).</summary>
        internal static bool UsesNLogImmutableTest => s_nlogImmutable != null;

        private static bool IsImmutable(object? value) => Convert.GetTypeCode(value) != TypeCode.Object;

        private static bool HasScopeProperties()
        {
            IEnumerable<KeyValuePair<string, object?>> properties = ScopeContext.GetAllProperties();
            if (properties is IReadOnlyCollection<KeyValuePair<string, object?>> collection)
                return collection.Count > 0;
            using (IEnumerator<KeyValuePair<string, object?>> e = properties.GetEnumerator())
                return e.MoveNext();
        }
    }
}
