using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Infrastructure.Tests
{
    /// <summary>
    /// Finds what would make CloudFormation reject a template's references: a <c>Ref</c>, <c>Fn::GetAtt</c> or
    /// <c>${…}</c> in <c>Fn::Sub</c> naming nothing declared, an attribute the resource type does not have, an
    /// undeclared condition, a <c>DependsOn</c> on no resource — and what is declared but never used.
    /// </summary>
    internal static partial class TemplateReferences
    {
        public static readonly IReadOnlySet<string> PseudoParameters = new HashSet<string>(StringComparer.Ordinal)
        {
            "AWS::AccountId", "AWS::NotificationARNs", "AWS::NoValue", "AWS::Partition", "AWS::Region",
            "AWS::StackId", "AWS::StackName", "AWS::URLSuffix",
        };

        /// <summary>
        /// The <c>Fn::GetAtt</c> attributes of the resource types the template uses (from each type's "Return values"
        /// in the CloudFormation resource reference). A type missing here is reported, so a new one gets looked up.
        /// </summary>
        public static readonly IReadOnlyDictionary<string, string[]> Attributes = new Dictionary<string, string[]>(StringComparer.Ordinal)
        {
            ["AWS::KinesisFirehose::DeliveryStream"] = new[] { "Arn" },
            ["AWS::OpenSearchService::Domain"] = new[] { "Arn", "DomainArn", "DomainEndpoint", "DomainEndpoints", "DomainEndpointV2", "Id" },
            ["AWS::IAM::Role"] = new[] { "Arn", "RoleId" },
            ["AWS::IAM::ManagedPolicy"] = new[] { "PolicyArn", "PolicyId", "DefaultVersionId", "AttachmentCount", "CreateDate", "UpdateDate", "IsAttachable", "PermissionsBoundaryUsageCount" },
            ["AWS::S3::Bucket"] = new[] { "Arn", "DomainName", "DualStackDomainName", "RegionalDomainName", "WebsiteURL" },
            ["AWS::Logs::LogGroup"] = new[] { "Arn" },
        };

        public static IReadOnlyList<string> FindProblems(JsonObject template)
        {
            var parameters = Keys(template, "Parameters");
            var resources = Keys(template, "Resources");
            var conditions = Keys(template, "Conditions");
            var usedParameters = new HashSet<string>(StringComparer.Ordinal);
            var usedConditions = new HashSet<string>(StringComparer.Ordinal);
            var problems = new List<string>();

            void RefTo(string name, string path, IReadOnlySet<string> locals)
            {
                if (locals.Contains(name))
                    return;
                if (parameters.Contains(name))
                    usedParameters.Add(name);
                else if (!resources.Contains(name) && !PseudoParameters.Contains(name))
                    problems.Add($"{path}: '{name}' is no parameter, resource or pseudo parameter");
            }

            void AttributeOf(string resource, string attribute, string path)
            {
                if (!resources.Contains(resource))
                {
                    problems.Add($"{path}: GetAtt on '{resource}', which is no resource");
                    return;
                }

                string type = template["Resources"]![resource]!["Type"]?.GetValue<string>() ?? string.Empty;
                if (!Attributes.TryGetValue(type, out var known))
                    problems.Add($"{path}: no attribute list for type {type} (add it from the CloudFormation reference)");
                else if (!known.Contains(attribute, StringComparer.Ordinal))
                    problems.Add($"{path}: {type} has no attribute '{attribute}'");
            }

            void UseCondition(string name, string path)
            {
                if (conditions.Contains(name))
                    usedConditions.Add(name);
                else
                    problems.Add($"{path}: condition '{name}' is not declared");
            }

            void Walk(JsonNode? node, string path, IReadOnlySet<string> locals)
            {
                switch (node)
                {
                    case JsonArray array:
                        for (int i = 0; i < array.Count; i++)
                            Walk(array[i], $"{path}[{i}]", locals);
                        break;
                    case JsonObject obj:
                        foreach (var (key, value) in obj)
                        {
                            string at = path + "/" + key;
                            switch (key)
                            {
                                case "Ref" when value is JsonValue:
                                    RefTo(value.GetValue<string>(), at, locals);
                                    continue;
                                case "Fn::GetAtt":
                                    if (value is JsonArray { Count: 2 } pair && pair[0] is JsonValue res && pair[1] is JsonValue attr)
                                        AttributeOf(res.GetValue<string>(), attr.GetValue<string>(), at);
                                    else if (value is JsonValue dotted && dotted.GetValue<string>().Split('.', 2) is { Length: 2 } parts)
                                        AttributeOf(parts[0], parts[1], at);
                                    else
                                        problems.Add($"{at}: malformed Fn::GetAtt");
                                    continue;
                                case "Fn::Sub":
                                    WalkSub(value, at, locals);
                                    continue;
                                case "Fn::If" when value is JsonArray { Count: 3 } branches && branches[0] is JsonValue condition:
                                    UseCondition(condition.GetValue<string>(), at);
                                    Walk(branches[1], at + "[1]", locals);
                                    Walk(branches[2], at + "[2]", locals);
                                    continue;
                                case "Fn::If":
                                    problems.Add($"{at}: malformed Fn::If");
                                    continue;
                                case "Condition" when value is JsonValue:
                                    // A resource's or output's Condition attribute, or the Condition function.
                                    UseCondition(value.GetValue<string>(), at);
                                    continue;
                                case "DependsOn":
                                    foreach (var target in value is JsonArray list ? list : new JsonArray(value?.DeepClone()))
                                    {
                                        string name = target?.GetValue<string>() ?? string.Empty;
                                        if (!resources.Contains(name))
                                            problems.Add($"{at}: DependsOn '{name}', which is no resource");
                                    }

                                    continue;
                            }

                            Walk(value, at, locals);
                        }

                        break;
                }
            }

            void WalkSub(JsonNode? value, string path, IReadOnlySet<string> locals)
            {
                string text;
                var scope = new HashSet<string>(locals, StringComparer.Ordinal);
                if (value is JsonValue single)
                {
                    text = single.GetValue<string>();
                }
                else if (value is JsonArray { Count: 2 } withVariables && withVariables[0] is JsonValue body && withVariables[1] is JsonObject variables)
                {
                    text = body.GetValue<string>();
                    foreach (var (name, expression) in variables)
                    {
                        Walk(expression, path + "/" + name, locals);
                        scope.Add(name);
                    }
                }
                else
                {
                    problems.Add($"{path}: malformed Fn::Sub");
                    return;
                }

                foreach (Match match in SubVariable().Matches(text))
                {
                    string name = match.Groups[1].Value.Trim();
                    if (name.StartsWith('!'))
                        continue; // ${!Literal} is the literal text ${Literal}
                    if (name.Contains('.', StringComparison.Ordinal) && !PseudoParameters.Contains(name) && !scope.Contains(name))
                    {
                        string[] parts = name.Split('.', 2);
                        AttributeOf(parts[0], parts[1], path);
                    }
                    else
                    {
                        RefTo(name, path, scope);
                    }
                }
            }

            Walk(template, string.Empty, new HashSet<string>(StringComparer.Ordinal));

            foreach (string parameter in parameters.Except(usedParameters))
                problems.Add($"parameter '{parameter}' is declared but never used");
            foreach (string condition in conditions.Except(usedConditions))
                problems.Add($"condition '{condition}' is declared but never used");
            return problems;
        }

        private static HashSet<string> Keys(JsonObject template, string section) =>
            template[section] is JsonObject declared
                ? new HashSet<string>(declared.Select(p => p.Key), StringComparer.Ordinal)
                : new HashSet<string>(StringComparer.Ordinal);

        [GeneratedRegex(@"\$\{([^}]*)\}")]
        private static partial Regex SubVariable();
    }
}
