using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.VisualStudio.TestTools.UnitTesting;
using NLog.Targets.Firehose.Testing;

namespace Infrastructure.Tests
{
    [TestClass]
    public sealed class TemplateTests
    {
        private const string StreamType = "AWS::KinesisFirehose::DeliveryStream";

        /// <summary>The role Firehose assumes may do these and nothing else (AWS's documented needs of an OpenSearch destination with an S3 backup and error logging).</summary>
        private static readonly HashSet<string> FirehoseRoleActions = new(StringComparer.Ordinal)
        {
            "s3:AbortMultipartUpload", "s3:GetBucketLocation", "s3:GetObject", "s3:ListBucket", "s3:ListBucketMultipartUploads", "s3:PutObject",
            "es:DescribeDomain", "es:DescribeDomains", "es:DescribeDomainConfig", "es:ESHttpGet", "es:ESHttpPost", "es:ESHttpPut",
            "logs:PutLogEvents",
        };

        [TestMethod]
        public void Template_Parse_IsOneCloudFormationDocument()
        {
            JsonObject template = Template.Load();

            Assert.AreEqual("2010-09-09", Template.Text(template["AWSTemplateFormatVersion"]));
            Assert.IsInstanceOfType<JsonObject>(template["Parameters"]);
            Assert.IsInstanceOfType<JsonObject>(template["Resources"]);
            Assert.IsInstanceOfType<JsonObject>(template["Outputs"]);
            foreach (var (name, resource) in template["Resources"]!.AsObject())
            {
                StringAssert.StartsWith(Template.Text(resource?["Type"]), "AWS::", $"resource {name} has no AWS type");
            }
        }

        [TestMethod]
        public void Template_References_AllResolveAndEveryDeclarationIsUsed()
        {
            var problems = TemplateReferences.FindProblems(Template.Load());

            Assert.IsEmpty(problems, string.Join(Environment.NewLine, problems));
        }

        [TestMethod]
        public void DeliveryStream_Properties_MatchFirehoseApiModel()
        {
            JsonObject template = Template.Load();
            var (_, stream) = Template.Single(template, StreamType);

            var problems = FirehoseModel.Load().FindProblems(stream["Properties"]!.AsObject(), template);

            Assert.IsEmpty(problems, string.Join(Environment.NewLine, problems));
        }

        [TestMethod]
        public void DeliveryStream_Destination_IsDirectPutToLoggingTestRotatedDaily()
        {
            JsonObject template = Template.Load();
            var (_, stream) = Template.Single(template, StreamType);
            JsonNode properties = stream["Properties"]!;
            JsonNode destination = properties["AmazonopensearchserviceDestinationConfiguration"]!;

            Assert.AreEqual("DirectPut", Template.Text(properties["DeliveryStreamType"]));
            Assert.AreEqual("logging-test", Template.Text(destination["IndexName"]));
            Assert.AreEqual("OneDay", Template.Text(destination["IndexRotationPeriod"]));
            string domain = Template.Single(template, "AWS::OpenSearchService::Domain").Name;
            Assert.IsTrue(Template.IsGetAtt(destination["DomainARN"], domain, "Arn") || Template.IsGetAtt(destination["DomainARN"], domain, "DomainArn"), "DomainARN is not the template's domain");
        }

        [TestMethod]
        public void DeliveryStream_S3BackupMode_IsParameterDefaultingToFailedDocumentsOnly()
        {
            JsonObject template = Template.Load();
            var (_, stream) = Template.Single(template, StreamType);
            JsonNode? mode = stream["Properties"]!["AmazonopensearchserviceDestinationConfiguration"]!["S3BackupMode"];

            Assert.IsInstanceOfType<JsonObject>(mode, "S3BackupMode is not a Ref to a parameter");
            string parameterName = Template.Text(mode["Ref"]) ?? throw new AssertFailedException("S3BackupMode is not a Ref");
            JsonNode parameter = template["Parameters"]![parameterName] ?? throw new AssertFailedException($"S3BackupMode refers to '{parameterName}', which is no parameter");
            Assert.AreEqual("FailedDocumentsOnly", Template.Text(parameter["Default"]));
            var choices = parameter["AllowedValues"]!.AsArray().Select(Template.Text).ToHashSet();
            var model = FirehoseModel.Load().Enum("AmazonopensearchserviceS3BackupMode");
            Assert.IsTrue(choices.SetEquals(model), $"AllowedValues {string.Join(", ", choices)} are not the model's {string.Join(", ", model)}");
        }

        [TestMethod]
        public void DeliveryStream_RetryAndBuffering_AreParameters()
        {
            JsonObject template = Template.Load();
            var (_, stream) = Template.Single(template, StreamType);
            JsonNode destination = stream["Properties"]!["AmazonopensearchserviceDestinationConfiguration"]!;

            foreach (JsonNode? value in new[] { destination["RetryOptions"]?["DurationInSeconds"], destination["BufferingHints"]?["IntervalInSeconds"], destination["BufferingHints"]?["SizeInMBs"] })
            {
                string? name = value is JsonObject obj ? Template.Text(obj["Ref"]) : null;
                Assert.IsNotNull(name, $"'{value?.ToJsonString()}' is not a Ref to a parameter");
                Assert.IsNotNull(template["Parameters"]![name]?["Default"], $"parameter {name} has no default");
            }
        }

        [TestMethod]
        public void DeliveryStream_ErrorLogging_GoesToTemplatesLogGroupAndStreams()
        {
            JsonObject template = Template.Load();
            var (_, stream) = Template.Single(template, StreamType);
            JsonNode destination = stream["Properties"]!["AmazonopensearchserviceDestinationConfiguration"]!;
            string group = Template.Single(template, "AWS::Logs::LogGroup").Name;

            foreach (JsonNode? options in new[] { destination["CloudWatchLoggingOptions"], destination["S3Configuration"]?["CloudWatchLoggingOptions"] })
            {
                Assert.IsNotNull(options, "CloudWatchLoggingOptions missing");
                Assert.AreEqual("true", Template.Text(options["Enabled"]));
                Assert.IsTrue(Template.IsRef(options["LogGroupName"], group), "LogGroupName is not the template's log group");
                string? logStream = Template.Text(options["LogStreamName"]?["Ref"]);
                JsonNode? declared = logStream is null ? null : template["Resources"]![logStream];
                Assert.AreEqual("AWS::Logs::LogStream", Template.Text(declared?["Type"]), "LogStreamName is not a log stream of the template");
                Assert.IsTrue(Template.IsRef(declared!["Properties"]!["LogGroupName"], group), $"log stream {logStream} is not in the log group");
            }
        }

        [TestMethod]
        public void ProducerPolicy_Actions_AreExactlyWhatTheTargetCalls()
        {
            JsonObject template = Template.Load();
            var statements = ProducerStatements(template);

            var allowed = statements.SelectMany(s => Template.AsList(s["Action"])).Select(a => Template.Text(a) ?? a?.ToJsonString()).ToHashSet(StringComparer.Ordinal);
            var called = TargetOperations.IamActions();

            Assert.IsTrue(allowed.SetEquals(called), $"the producer policy allows [{string.Join(", ", allowed)}], the target calls [{string.Join(", ", called)}]");
            foreach (JsonObject statement in statements)
            {
                Assert.AreEqual("Allow", Template.Text(statement["Effect"]));
                Assert.IsNull(statement["NotAction"], "NotAction allows everything else");
                Assert.IsNull(statement["NotResource"], "NotResource allows everything else");
            }
        }

        [TestMethod]
        public void ProducerPolicy_Resource_IsTheStreamsArn()
        {
            JsonObject template = Template.Load();
            string stream = Template.Single(template, StreamType).Name;

            foreach (JsonObject statement in ProducerStatements(template))
            {
                var resources = Template.AsList(statement["Resource"]);
                Assert.IsNotEmpty(resources);
                foreach (JsonNode? resource in resources)
                {
                    Assert.IsTrue(Template.IsGetAtt(resource, stream, "Arn"), $"Resource {resource?.ToJsonString()} is not !GetAtt {stream}.Arn");
                }
            }
        }

        [TestMethod]
        public void FirehoseRole_Permissions_AreLeastPrivilege()
        {
            JsonObject template = Template.Load();
            var (_, role) = FirehoseRole(template);
            var statements = role["Properties"]!["Policies"]!.AsArray()
                .SelectMany(p => Template.AsList(p!["PolicyDocument"]!["Statement"])).Cast<JsonObject>().ToList();

            Assert.IsNotEmpty(statements);
            foreach (JsonObject statement in statements)
            {
                Assert.AreEqual("Allow", Template.Text(statement["Effect"]));
                Assert.IsNull(statement["NotAction"]);
                Assert.IsNull(statement["NotResource"]);
                var actions = Template.AsList(statement["Action"]).Select(Template.Text).ToList();
                foreach (string? action in actions)
                {
                    Assert.Contains(action ?? "(not a string)", FirehoseRoleActions, $"the Firehose role may not do {action}");
                }

                foreach (JsonNode? resource in Template.AsList(statement["Resource"]))
                {
                    string text = resource?.ToJsonString() ?? "null";
                    Assert.AreNotEqual("\"*\"", text, "a Firehose role statement applies to every resource");
                    string service = actions[0]!.Split(':')[0];
                    string expected = service switch
                    {
                        "s3" => "BackupBucket",
                        "es" => "domain/${DomainName}",
                        _ => "ErrorLogGroup",
                    };
                    StringAssert.Contains(text, expected, $"a {service} permission reaches beyond {expected}: {text}");
                }
            }
        }

        [TestMethod]
        public void FirehoseRole_Trust_IsFirehoseOfThisAccountOnly()
        {
            var (_, role) = FirehoseRole(Template.Load());
            var trust = Template.AsList(role["Properties"]!["AssumeRolePolicyDocument"]!["Statement"]);

            Assert.HasCount(1, trust);
            Assert.AreEqual("sts:AssumeRole", Template.Text(trust[0]!["Action"]));
            Assert.IsTrue(Template.IsRef(trust[0]!["Condition"]?["StringEquals"]?["sts:ExternalId"], "AWS::AccountId"), "the trust policy does not pin sts:ExternalId to the account");
        }

        [TestMethod]
        public void Domain_Security_EncryptedHttpsAndAccessLimitedToFirehoseRoleAndAdmin()
        {
            JsonObject template = Template.Load();
            var (_, domain) = Template.Single(template, "AWS::OpenSearchService::Domain");
            JsonNode properties = domain["Properties"]!;
            string role = FirehoseRole(template).Name;

            Assert.AreEqual("true", Template.Text(properties["EncryptionAtRestOptions"]?["Enabled"]));
            Assert.AreEqual("true", Template.Text(properties["NodeToNodeEncryptionOptions"]?["Enabled"]));
            Assert.AreEqual("true", Template.Text(properties["DomainEndpointOptions"]?["EnforceHTTPS"]));
            StringAssert.StartsWith(Template.Text(properties["DomainEndpointOptions"]?["TLSSecurityPolicy"]), "Policy-Min-TLS-1-2");

            var roleActions = FirehoseRole(template).Role["Properties"]!["Policies"]!.AsArray()
                .SelectMany(p => Template.AsList(p!["PolicyDocument"]!["Statement"]))
                .SelectMany(s => Template.AsList(s!["Action"])).Select(Template.Text).ToHashSet();
            foreach (JsonNode? statement in Template.AsList(properties["AccessPolicies"]?["Statement"]))
            {
                Assert.IsNull(statement!["NotPrincipal"]);
                JsonNode? principal = statement["Principal"]?["AWS"];
                if (Template.IsGetAtt(principal, role, "Arn"))
                {
                    // The domain's policy must not give the role more than the role's own policy does.
                    foreach (string? action in Template.AsList(statement["Action"]).Select(Template.Text))
                    {
                        Assert.Contains(action, roleActions, $"the domain policy gives the Firehose role {action}, its own policy does not");
                    }
                }
                else
                {
                    Assert.IsTrue(Template.IsRef(principal, "AdminPrincipalArn"), $"the domain policy admits {statement["Principal"]?.ToJsonString()}");
                }
            }
        }

        [TestMethod]
        public void BackupBucket_Security_EncryptedAndNotPublic()
        {
            var (_, bucket) = Template.Single(Template.Load(), "AWS::S3::Bucket");
            JsonNode properties = bucket["Properties"]!;

            Assert.IsNotNull(Template.Text(properties["BucketEncryption"]?["ServerSideEncryptionConfiguration"]?[0]?["ServerSideEncryptionByDefault"]?["SSEAlgorithm"]), "no default encryption");
            foreach (string setting in new[] { "BlockPublicAcls", "BlockPublicPolicy", "IgnorePublicAcls", "RestrictPublicBuckets" })
            {
                Assert.AreEqual("true", Template.Text(properties["PublicAccessBlockConfiguration"]?[setting]), setting);
            }
        }

        [TestMethod]
        public void Outputs_NameWhatTheAppAndOperatorsNeed()
        {
            JsonObject template = Template.Load();
            var values = template["Outputs"]!.AsObject().Select(o => o.Value?["Value"]).ToList();
            string stream = Template.Single(template, StreamType).Name;
            string policy = Template.Single(template, "AWS::IAM::ManagedPolicy").Name;
            string domain = Template.Single(template, "AWS::OpenSearchService::Domain").Name;
            string bucket = Template.Single(template, "AWS::S3::Bucket").Name;

            Assert.IsTrue(values.Any(v => Template.IsRef(v, stream)), "no output of the stream's name");
            Assert.IsTrue(values.Any(v => Template.IsGetAtt(v, stream, "Arn")), "no output of the stream's ARN");
            Assert.IsTrue(values.Any(v => Template.IsRef(v, policy)), "no output of the producer policy's ARN");
            Assert.IsTrue(values.Any(v => Template.IsGetAtt(v, domain, "DomainEndpoint")), "no output of the domain's endpoint");
            Assert.IsTrue(values.Any(v => Template.IsRef(v, bucket)), "no output of the backup bucket");
        }

        [TestMethod]
        public void Template_IamResources_AreUnnamedSoCapabilityIamSuffices()
        {
            JsonObject template = Template.Load();

            // A named role or policy needs CAPABILITY_NAMED_IAM, which the README's deploy command does not pass.
            foreach (var (name, resource) in template["Resources"]!.AsObject())
            {
                JsonNode? properties = resource?["Properties"];
                foreach (string property in new[] { "RoleName", "ManagedPolicyName", "UserName", "GroupName", "InstanceProfileName" })
                {
                    Assert.IsNull(properties?[property], $"{name} sets {property}");
                }
            }
        }

        private static List<JsonObject> ProducerStatements(JsonObject template)
        {
            var (_, policy) = Template.Single(template, "AWS::IAM::ManagedPolicy");
            var statements = Template.AsList(policy["Properties"]!["PolicyDocument"]!["Statement"]).Cast<JsonObject>().ToList();
            Assert.IsNotEmpty(statements, "the producer policy has no statement");
            return statements;
        }

        private static (string Name, JsonObject Role) FirehoseRole(JsonObject template)
        {
            var roles = Template.ResourcesOfType(template, "AWS::IAM::Role")
                .Where(r => Template.AsList(r.Resource["Properties"]!["AssumeRolePolicyDocument"]!["Statement"])
                    .Any(s => Template.AsList(s!["Principal"]?["Service"]).Any(p => Template.Text(p) == "firehose.amazonaws.com")))
                .ToList();
            Assert.HasCount(1, roles, "expected one role Firehose assumes");
            return roles[0];
        }
    }

    /// <summary>The Firehose operations the library sends, read from its source (every <c>X-Amz-Target</c> value it names).</summary>
    internal static partial class TargetOperations
    {
        public static HashSet<string> IamActions()
        {
            string source = TestPaths.InRepository("src", "NLog.Targets.Firehose");
            var actions = new HashSet<string>(StringComparer.Ordinal);
            foreach (string file in Directory.EnumerateFiles(source, "*.cs", SearchOption.AllDirectories))
            {
                string relative = Path.GetRelativePath(source, file);
                if (relative.StartsWith("bin", StringComparison.Ordinal) || relative.StartsWith("obj", StringComparison.Ordinal))
                    continue;
                foreach (Match match in OperationTarget().Matches(File.ReadAllText(file)))
                    actions.Add("firehose:" + match.Groups[1].Value);
            }

            if (actions.Count == 0)
                throw new InvalidDataException($"no \"Firehose_20150804.<Operation>\" in {source}: where does the target name its operations now?");
            return actions;
        }

        [GeneratedRegex("\"Firehose_20150804\\.([A-Za-z]+)\"")]
        private static partial Regex OperationTarget();
    }
}
