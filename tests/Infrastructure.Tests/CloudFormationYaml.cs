using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json.Nodes;
using YamlDotNet.RepresentationModel;

namespace Infrastructure.Tests
{
    /// <summary>
    /// Reads a CloudFormation YAML template into the JSON form CloudFormation itself works on: every short-form tag
    /// becomes its long form (<c>!Ref X</c> → <c>{"Ref":"X"}</c>, <c>!GetAtt A.B</c> → <c>{"Fn::GetAtt":["A","B"]}</c>,
    /// <c>!Sub s</c> → <c>{"Fn::Sub":"s"}</c>, <c>!Condition C</c> → <c>{"Condition":"C"}</c>, …). Scalars stay strings.
    /// An unknown tag, a duplicate key, an alias or more than one document is an error, as it is for CloudFormation.
    /// </summary>
    internal static class CloudFormationYaml
    {
        /// <summary>The short-form intrinsic functions CloudFormation's YAML understands (without the <c>!</c>).</summary>
        private static readonly HashSet<string> ShortForms = new(StringComparer.Ordinal)
        {
            "Ref", "Condition", "GetAtt", "Sub", "Join", "If", "Equals", "Select", "Split", "Not", "And", "Or",
            "FindInMap", "Base64", "Cidr", "GetAZs", "ImportValue", "Transform", "ToJsonString", "Length",
        };

        public static JsonObject Load(string path)
        {
            using var reader = new StreamReader(path);
            return Parse(reader);
        }

        public static JsonObject Parse(string yaml)
        {
            using var reader = new StringReader(yaml);
            return Parse(reader);
        }

        private static JsonObject Parse(TextReader reader)
        {
            var stream = new YamlStream();
            stream.Load(reader);
            if (stream.Documents.Count != 1)
                throw new InvalidDataException($"expected one YAML document, found {stream.Documents.Count}");
            return Convert(stream.Documents[0].RootNode) as JsonObject
                ?? throw new InvalidDataException("the template's root is not a mapping");
        }

        private static JsonNode? Convert(YamlNode node)
        {
            JsonNode? plain = node switch
            {
                YamlScalarNode scalar => scalar.Value is null ? null : JsonValue.Create(scalar.Value),
                YamlSequenceNode sequence => new JsonArray(sequence.Children.Select(Convert).ToArray()),
                YamlMappingNode mapping => ConvertMapping(mapping),
                _ => throw new InvalidDataException($"unsupported YAML node {node.NodeType} at {node.Start} (aliases are not CloudFormation)"),
            };

            string tag = node.Tag.IsEmpty ? string.Empty : node.Tag.Value;
            if (tag.Length <= 1 || tag.StartsWith("tag:yaml.org,2002:", StringComparison.Ordinal))
                return plain;
            string name = tag.Substring(1);
            if (!tag.StartsWith('!') || !ShortForms.Contains(name))
                throw new InvalidDataException($"unknown tag {tag} at {node.Start}");
            if (name == "Ref" || name == "Condition")
                return new JsonObject { [name] = plain };
            if (name == "GetAtt" && plain is JsonValue dotted)
            {
                string text = dotted.GetValue<string>();
                int dot = text.IndexOf('.', StringComparison.Ordinal);
                if (dot <= 0)
                    throw new InvalidDataException($"!GetAtt {text} at {node.Start} is not Resource.Attribute");
                return new JsonObject { ["Fn::GetAtt"] = new JsonArray(text.Substring(0, dot), text.Substring(dot + 1)) };
            }

            return new JsonObject { ["Fn::" + name] = plain };
        }

        private static JsonObject ConvertMapping(YamlMappingNode mapping)
        {
            var result = new JsonObject();
            foreach (var entry in mapping.Children)
            {
                if (entry.Key is not YamlScalarNode key || key.Value is null)
                    throw new InvalidDataException($"a mapping key at {entry.Key.Start} is not a plain scalar");
                if (result.ContainsKey(key.Value))
                    throw new InvalidDataException($"duplicate key '{key.Value}' at {key.Start}");
                result[key.Value] = Convert(entry.Value);
            }

            return result;
        }
    }
}
