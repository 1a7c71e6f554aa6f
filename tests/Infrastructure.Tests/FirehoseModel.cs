using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.Json;
using System.Text.Json.Nodes;
using NLog.Targets.Firehose.Testing;

namespace Infrastructure.Tests
{
    /// <summary>
    /// The Firehose API model (<c>../shared/spec/firehose/service-2.json</c>) as a checker of a delivery stream's
    /// properties: CloudFormation's <c>AWS::KinesisFirehose::DeliveryStream</c> uses the API's member names, so every
    /// property must be a member of its shape, literal enum values must be allowed, literal numbers in range, and a
    /// parameter standing for a value must not allow more than the model does.
    /// </summary>
    internal sealed class FirehoseModel
    {
        private readonly JsonElement _shapes;

        private FirehoseModel(JsonElement shapes) => _shapes = shapes;

        public static FirehoseModel Load()
        {
            string path = TestPaths.Shared("spec", "firehose", "service-2.json");
            using var document = JsonDocument.Parse(File.ReadAllBytes(path));
            return new FirehoseModel(document.RootElement.GetProperty("shapes").Clone());
        }

        public IReadOnlyList<string> Enum(string shape) =>
            _shapes.GetProperty(shape).GetProperty("enum").EnumerateArray().Select(e => e.GetString()!).ToArray();

        /// <summary>Checks <paramref name="properties"/> (a DeliveryStream's Properties) against CreateDeliveryStreamInput.</summary>
        public IReadOnlyList<string> FindProblems(JsonObject properties, JsonObject template)
        {
            var problems = new List<string>();
            Check(properties, "CreateDeliveryStreamInput", "Properties", template, problems);
            return problems;
        }

        private void Check(JsonNode? value, string shapeName, string path, JsonObject template, List<string> problems)
        {
            JsonElement shape = _shapes.GetProperty(shapeName);
            string type = shape.GetProperty("type").GetString()!;

            if (value is JsonObject { Count: 1 } intrinsic && intrinsic.First() is var (key, argument) && (key == "Ref" || key.StartsWith("Fn::", StringComparison.Ordinal)))
            {
                if (key == "Ref" && template["Parameters"]?[argument!.GetValue<string>()] is JsonObject parameter)
                    CheckParameter(parameter, argument.GetValue<string>(), shape, type, path, problems);
                return; // anything else is only known at deploy time
            }

            switch (type)
            {
                case "structure":
                    if (value is not JsonObject obj)
                    {
                        problems.Add($"{path}: expected an object ({shapeName})");
                        return;
                    }

                    JsonElement members = shape.GetProperty("members");
                    foreach (var (name, member) in obj)
                    {
                        if (!members.TryGetProperty(name, out JsonElement memberShape))
                            problems.Add($"{path}: '{name}' is not a member of {shapeName}");
                        else
                            Check(member, memberShape.GetProperty("shape").GetString()!, path + "." + name, template, problems);
                    }

                    if (shape.TryGetProperty("required", out JsonElement required))
                    {
                        foreach (string name in required.EnumerateArray().Select(r => r.GetString()!))
                        {
                            if (!obj.ContainsKey(name))
                                problems.Add($"{path}: required member '{name}' of {shapeName} is missing");
                        }
                    }

                    break;
                case "list":
                    if (value is JsonArray array)
                    {
                        string itemShape = shape.GetProperty("member").GetProperty("shape").GetString()!;
                        for (int i = 0; i < array.Count; i++)
                            Check(array[i], itemShape, $"{path}[{i}]", template, problems);
                    }

                    break;
                case "string":
                    if (value is JsonValue text && shape.TryGetProperty("enum", out JsonElement allowed)
                        && !allowed.EnumerateArray().Any(a => a.GetString() == text.GetValue<string>()))
                        problems.Add($"{path}: '{text.GetValue<string>()}' is not one of {shapeName}'s values");
                    break;
                case "integer":
                case "long":
                    if (value is JsonValue number)
                    {
                        if (!long.TryParse(number.GetValue<string>(), NumberStyles.Integer, CultureInfo.InvariantCulture, out long n))
                            problems.Add($"{path}: '{number}' is not an integer");
                        else
                            CheckRange(n, n, shape, path, problems);
                    }

                    break;
                case "boolean":
                    if (value is JsonValue flag && flag.GetValue<string>() is not ("true" or "false"))
                        problems.Add($"{path}: '{flag}' is not true or false");
                    break;
            }
        }

        private static void CheckParameter(JsonObject parameter, string name, JsonElement shape, string type, string path, List<string> problems)
        {
            string where = $"{path} (parameter {name})";
            if (shape.TryGetProperty("enum", out JsonElement allowed))
            {
                var values = allowed.EnumerateArray().Select(a => a.GetString()!).ToHashSet(StringComparer.Ordinal);
                if (parameter["AllowedValues"] is not JsonArray choices)
                {
                    problems.Add($"{where}: no AllowedValues, but the model allows only {string.Join(", ", values)}");
                    return;
                }

                foreach (string choice in choices.Select(c => c!.GetValue<string>()))
                {
                    if (!values.Contains(choice))
                        problems.Add($"{where}: allows '{choice}', which the model does not");
                }
            }
            else if (type is "integer" or "long")
            {
                if (parameter["Type"]?.GetValue<string>() != "Number")
                    problems.Add($"{where}: is not of Type Number");
                if (parameter["MinValue"] is null || parameter["MaxValue"] is null)
                {
                    if (shape.TryGetProperty("min", out _) && parameter["MinValue"] is null)
                        problems.Add($"{where}: has no MinValue though the model has a minimum");
                    if (shape.TryGetProperty("max", out _) && parameter["MaxValue"] is null)
                        problems.Add($"{where}: has no MaxValue though the model has a maximum");
                    return;
                }

                CheckRange(long.Parse(parameter["MinValue"]!.GetValue<string>(), CultureInfo.InvariantCulture),
                    long.Parse(parameter["MaxValue"]!.GetValue<string>(), CultureInfo.InvariantCulture), shape, where, problems);
            }
        }

        private static void CheckRange(long low, long high, JsonElement shape, string path, List<string> problems)
        {
            if (shape.TryGetProperty("min", out JsonElement min) && low < min.GetInt64())
                problems.Add($"{path}: {low} is below the model's minimum {min.GetInt64()}");
            if (shape.TryGetProperty("max", out JsonElement max) && high > max.GetInt64())
                problems.Add($"{path}: {high} is above the model's maximum {max.GetInt64()}");
        }
    }
}
