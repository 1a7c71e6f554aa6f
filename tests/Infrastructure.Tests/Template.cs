using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json.Nodes;
using NLog.Targets.Firehose.Testing;

namespace Infrastructure.Tests
{
    /// <summary>The example template, read once, and helpers to find things in it.</summary>
    internal static class Template
    {
        public static readonly string Path = TestPaths.InRepository("examples", "infrastructure", "firehose-logging.yaml");

        private static readonly Lazy<JsonObject> Loaded = new(() => CloudFormationYaml.Load(Path));

        /// <summary>A fresh copy of the parsed template (tests may not change the shared one).</summary>
        public static JsonObject Load() => (JsonObject)Loaded.Value.DeepClone();

        public static IEnumerable<(string Name, JsonObject Resource)> ResourcesOfType(JsonObject template, string type) =>
            template["Resources"]!.AsObject()
                .Where(r => r.Value?["Type"]?.GetValue<string>() == type)
                .Select(r => (r.Key, r.Value!.AsObject()));

        public static (string Name, JsonObject Resource) Single(JsonObject template, string type)
        {
            var found = ResourcesOfType(template, type).ToList();
            if (found.Count != 1)
                throw new InvalidDataException($"expected one {type}, found {found.Count}");
            return found[0];
        }

        /// <summary>A string or a list of strings (IAM's Action, Resource) as a list.</summary>
        public static IReadOnlyList<JsonNode?> AsList(JsonNode? node) =>
            node is JsonArray array ? array.ToList() : new List<JsonNode?> { node };

        public static bool IsRef(JsonNode? node, string name) =>
            node is JsonObject { Count: 1 } obj && obj["Ref"] is JsonValue v && v.GetValue<string>() == name;

        public static bool IsGetAtt(JsonNode? node, string resource, string attribute) =>
            node is JsonObject { Count: 1 } obj && obj["Fn::GetAtt"] is JsonArray { Count: 2 } pair
            && pair[0]?.GetValue<string>() == resource && pair[1]?.GetValue<string>() == attribute;

        public static string? Text(JsonNode? node) => node is JsonValue value ? value.GetValue<string>() : null;
    }
}
