using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics.Metrics;
using System.Linq;

namespace NLog.Targets.Firehose.Tests.Infrastructure
{
    /// <summary>
    /// A <see cref="MeterListener"/> on the target's meter (<c>NLog.Targets.Firehose</c>) that keeps every measurement with
    /// its tags, as an exporter would see them; tests give their target a name of its own and read only its measurements.
    /// </summary>
    internal sealed class MetricsCapture : IDisposable
    {
        private readonly MeterListener _listener = new MeterListener();
        private readonly string _target;

        public MetricsCapture(string targetName)
        {
            _target = targetName;
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == "NLog.Targets.Firehose")
                {
                    Instruments[instrument.Name] = instrument;
                    listener.EnableMeasurementEvents(instrument);
                }
            };
            _listener.SetMeasurementEventCallback<long>((i, v, tags, _) => Add(i, v, tags));
            _listener.SetMeasurementEventCallback<int>((i, v, tags, _) => Add(i, v, tags));
            _listener.SetMeasurementEventCallback<double>((i, v, tags, _) => Add(i, v, tags));
            _listener.Start();
        }

        public ConcurrentDictionary<string, Instrument> Instruments { get; } = new ConcurrentDictionary<string, Instrument>();

        public ConcurrentQueue<(string Name, double Value, Dictionary<string, string?> Tags)> Measurements { get; } = new ConcurrentQueue<(string, double, Dictionary<string, string?>)>();

        private void Add(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            var dict = new Dictionary<string, string?>();
            foreach (var tag in tags)
                dict[tag.Key] = tag.Value?.ToString();
            if (dict.TryGetValue("nlog.target", out string? target) && target == _target)
                Measurements.Enqueue((instrument.Name, value, dict));
        }

        /// <summary>Asks the observable gauges for their values now (what an exporter does on each collection).</summary>
        public void Collect() => _listener.RecordObservableInstruments();

        /// <summary>The measurements of <paramref name="name"/> whose tags include every pair of <paramref name="tags"/>.</summary>
        public List<(double Value, Dictionary<string, string?> Tags)> Of(string name, params (string Key, string Value)[] tags)
            => Measurements.Where(m => m.Name == name && tags.All(t => m.Tags.TryGetValue(t.Key, out string? v) && v == t.Value))
                .Select(m => (m.Value, m.Tags)).ToList();

        /// <summary>The sum of a counter's measurements with those tags.</summary>
        public double Sum(string name, params (string Key, string Value)[] tags) => Of(name, tags).Sum(m => m.Value);

        /// <summary>The last value a gauge reported with those tags, or null.</summary>
        public double? Last(string name, params (string Key, string Value)[] tags)
        {
            var all = Of(name, tags);
            return all.Count == 0 ? null : all[all.Count - 1].Value;
        }

        public void Dispose() => _listener.Dispose();
    }
}
