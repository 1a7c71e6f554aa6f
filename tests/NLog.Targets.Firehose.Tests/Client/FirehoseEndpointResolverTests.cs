using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using System.Text.RegularExpressions;
using Amazon.Runtime.Internal.Endpoints.StandardLibrary;
using Microsoft.VisualStudio.TestTools.UnitTesting;
using NLog.Targets.Firehose.Client;
using NLog.Targets.Firehose.Testing;

namespace NLog.Targets.Firehose.Tests.Client
{
    [TestClass]
    public sealed class FirehoseEndpointResolverTests
    {
        /// <summary>The README states the model's smithy.rules#endpointTests hold 52 cases.</summary>
        private const int ExpectedModelCaseCount = 52;

        private const string CustomEndpointSkipReason =
            "uses the rules' Endpoint parameter, which the target handles through its ServiceUrl option, not the resolver";

        private const string IsoDualStackSkipReason =
            "the April-2025 model test expects a DualStack error for this ISO partition, but AWSSDK.Core's partition data " +
            "and the 2026-01 partitions.json both mark it supportsDualStack=true; the resolver follows the partition data";

        /// <summary>
        /// Model test cases that genuinely disagree with the partition data the resolver uses (AWSSDK.Core, which matches
        /// the 2026-01 botocore partitions.json). Keyed by the case's documentation string.
        /// <see cref="ModelCases_ContradictingPartitionsJson_AreExactlyTheSkippedOnes"/> recomputes this set.
        /// </summary>
        private static readonly HashSet<string> PartitionDataDisagreements = new(StringComparer.Ordinal)
        {
            "For region us-iso-east-1 with FIPS enabled and DualStack enabled",
            "For region us-iso-east-1 with FIPS disabled and DualStack enabled",
            "For region us-isob-east-1 with FIPS enabled and DualStack enabled",
            "For region us-isob-east-1 with FIPS disabled and DualStack enabled",
        };

        private static readonly Lazy<IReadOnlyList<ModelEndpointCase>> ModelCases = new(ReadModelCases);

        public static IEnumerable<TestDataRow<(string? Region, bool UseFips, bool UseDualStack, string? ExpectedUrl, string? ExpectedError)>> ModelEndpointTestCases()
        {
            foreach (ModelEndpointCase c in ModelCases.Value)
            {
                var row = new TestDataRow<(string?, bool, bool, string?, string?)>(
                    (c.Region, c.UseFips, c.UseDualStack, c.ExpectedUrl, c.ExpectedError))
                {
                    DisplayName = c.Documentation,
                };

                string? skipReason = c.HasCustomEndpoint ? CustomEndpointSkipReason
                    : PartitionDataDisagreements.Contains(c.Documentation) ? IsoDualStackSkipReason
                    : null;
                if (skipReason is not null)
                {
                    row.DisplayName = c.Documentation + " [skipped: " + skipReason + "]";
                    row.IgnoreMessage = skipReason;
                }

                yield return row;
            }
        }

        [TestMethod]
        [DynamicData(nameof(ModelEndpointTestCases))]
        public void TryResolve_ModelEndpointTestCase_MatchesExpectation(
            string? region, bool useFips, bool useDualStack, string? expectedUrl, string? expectedError)
        {
            bool resolved = FirehoseEndpointResolver.TryResolve(region, useFips, useDualStack, out Uri? endpoint, out string? error);

            if (expectedUrl is not null)
            {
                Assert.IsTrue(resolved, $"expected {expectedUrl}, got error: {error}");
                Assert.IsNotNull(endpoint);
                Assert.IsNull(error);
                Assert.AreEqual(expectedUrl, endpoint.GetLeftPart(UriPartial.Authority));
                Assert.AreEqual("/", endpoint.AbsolutePath);
            }
            else
            {
                Assert.IsFalse(resolved, $"expected error '{expectedError}', got endpoint {endpoint}");
                Assert.IsNull(endpoint);
                Assert.AreEqual(expectedError, error);
            }
        }

        [TestMethod]
        public void ModelEndpointTests_ReadFromModel_Has52Cases()
        {
            Assert.HasCount(ExpectedModelCaseCount, ModelCases.Value);
        }

        [TestMethod]
        public void ModelEndpointTests_Skipped_AreOnlyCustomEndpointAndIsoDualStack()
        {
            List<ModelEndpointCase> custom = ModelCases.Value.Where(c => c.HasCustomEndpoint).ToList();
            List<ModelEndpointCase> disagreeing = ModelCases.Value.Where(c => PartitionDataDisagreements.Contains(c.Documentation)).ToList();

            Assert.HasCount(4, custom);
            Assert.HasCount(PartitionDataDisagreements.Count, disagreeing, "every named disagreement must exist in the model");
            Assert.AreEqual(ExpectedModelCaseCount - 8, ModelCases.Value.Count(c => !c.HasCustomEndpoint && !PartitionDataDisagreements.Contains(c.Documentation)));
        }

        /// <summary>
        /// Recomputes, from the shared botocore partitions.json, which model cases expect a "partition does not support"
        /// error although the partition data says the feature is supported. That set must equal the skip list exactly.
        /// </summary>
        [TestMethod]
        public void ModelCases_ContradictingPartitionsJson_AreExactlyTheSkippedOnes()
        {
            PartitionsJson partitions = PartitionsJson.Load();
            var contradicting = new HashSet<string>(StringComparer.Ordinal);
            foreach (ModelEndpointCase c in ModelCases.Value.Where(c => !c.HasCustomEndpoint && c.Region is not null))
            {
                PartitionsJson.Outputs p = partitions.Lookup(c.Region!);
                bool supported = (!c.UseFips || p.SupportsFips) && (!c.UseDualStack || p.SupportsDualStack);
                bool expectsUnsupportedError = c.ExpectedError is FirehoseEndpointResolver.FipsAndDualStackNotSupportedError
                    or FirehoseEndpointResolver.FipsNotSupportedError
                    or FirehoseEndpointResolver.DualStackNotSupportedError;
                if (supported == expectsUnsupportedError)
                {
                    contradicting.Add(c.Documentation);
                }
            }

            CollectionAssert.AreEquivalent(PartitionDataDisagreements.ToList(), contradicting.ToList());
        }

        /// <summary>
        /// The resolver uses AWSSDK.Core's partition function; check that it agrees with the shared partitions.json for
        /// every region listed there and for an unlisted region of each partition's regex.
        /// </summary>
        [TestMethod]
        public void AwsSdkCorePartition_EveryRegionInPartitionsJson_AgreesWithPartitionsJson()
        {
            PartitionsJson partitions = PartitionsJson.Load();
            var regions = partitions.ExplicitRegions.ToList();
            regions.Add("xx-newregion-1");
            Assert.IsGreaterThan(30, regions.Count);

            foreach (string region in regions)
            {
                PartitionsJson.Outputs expected = partitions.Lookup(region);
                Partition actual = Fn.Partition(region);
                Assert.AreEqual(expected.Name, actual.name, region);
                Assert.AreEqual(expected.DnsSuffix, actual.dnsSuffix, region);
                Assert.AreEqual(expected.DualStackDnsSuffix, actual.dualStackDnsSuffix, region);
                Assert.AreEqual(expected.SupportsFips, actual.supportsFIPS, region);
                Assert.AreEqual(expected.SupportsDualStack, actual.supportsDualStack, region);
            }
        }

        [TestMethod]
        public void Resolve_UsEast1_ReturnsCommercialEndpoint()
        {
            Assert.AreEqual("https://firehose.us-east-1.amazonaws.com/", FirehoseEndpointResolver.Resolve("us-east-1").AbsoluteUri);
        }

        [TestMethod]
        public void Resolve_CnNorth1_ReturnsChinaEndpoint()
        {
            Assert.AreEqual("https://firehose.cn-north-1.amazonaws.com.cn/", FirehoseEndpointResolver.Resolve("cn-north-1").AbsoluteUri);
        }

        [TestMethod]
        public void Resolve_UsGovWest1WithFips_ReturnsFipsEndpoint()
        {
            Uri endpoint = FirehoseEndpointResolver.Resolve("us-gov-west-1", useFips: true);

            Assert.AreEqual("https://firehose-fips.us-gov-west-1.amazonaws.com/", endpoint.AbsoluteUri);
        }

        [TestMethod]
        [DataRow(false, false, "https://firehose.xx-newregion-1.amazonaws.com/")]
        [DataRow(true, false, "https://firehose-fips.xx-newregion-1.amazonaws.com/")]
        [DataRow(false, true, "https://firehose.xx-newregion-1.api.aws/")]
        [DataRow(true, true, "https://firehose-fips.xx-newregion-1.api.aws/")]
        public void Resolve_UnknownWellFormedRegion_FallsBackToAwsPartition(bool useFips, bool useDualStack, string expected)
        {
            Assert.AreEqual(expected, FirehoseEndpointResolver.Resolve("xx-newregion-1", useFips, useDualStack).AbsoluteUri);
        }

        [TestMethod]
        [DataRow("us-iso-east-1", "https://firehose.us-iso-east-1.api.aws.ic.gov/")]
        [DataRow("us-isob-east-1", "https://firehose.us-isob-east-1.api.aws.scloud/")]
        public void Resolve_IsoRegionWithDualStack_UsesPartitionDualStackSuffix(string region, string expected)
        {
            Assert.AreEqual(expected, FirehoseEndpointResolver.Resolve(region, useDualStack: true).AbsoluteUri);
        }

        [TestMethod]
        [DataRow("us-east-1/evil")]
        [DataRow("us east 1")]
        [DataRow("evil.example.com#")]
        [DataRow("us-east-1.attacker.com")]
        [DataRow("-us-east-1")]
        [DataRow("US-EAST-1")]
        [DataRow("CN-NORTH-1")]
        [DataRow("\u00FCs-east-1")]
        [DataRow("us-east-1:443")]
        [DataRow("us-east-1-")]
        [DataRow("us-east-1\n")]
        public void TryResolve_InvalidRegion_ReturnsErrorWithoutEndpoint(string region)
        {
            bool resolved = FirehoseEndpointResolver.TryResolve(region, false, false, out Uri? endpoint, out string? error);

            Assert.IsFalse(resolved);
            Assert.IsNull(endpoint);
            Assert.AreEqual(
                "Invalid Configuration: Region '" + region + "' is not a valid AWS region code; expected a lower-case host label such as 'us-east-1'",
                error);
        }

        [TestMethod]
        public void Resolve_InvalidRegion_ThrowsArgumentException()
        {
            ArgumentException ex = Assert.ThrowsExactly<ArgumentException>(() => FirehoseEndpointResolver.Resolve("us-east-1/evil"));

            Assert.AreEqual("region", ex.ParamName);
            Assert.StartsWith("Invalid Configuration: Region 'us-east-1/evil' is not a valid AWS region code", ex.Message);
        }

        [TestMethod]
        [DataRow(null)]
        [DataRow("")]
        [DataRow("   ")]
        public void TryResolve_MissingRegion_ReturnsMissingRegionError(string? region)
        {
            bool resolved = FirehoseEndpointResolver.TryResolve(region, true, true, out Uri? endpoint, out string? error);

            Assert.IsFalse(resolved);
            Assert.IsNull(endpoint);
            Assert.AreEqual("Invalid Configuration: Missing Region", error);
        }

        private sealed record ModelEndpointCase(
            string Documentation,
            string? Region,
            bool UseFips,
            bool UseDualStack,
            bool HasCustomEndpoint,
            string? ExpectedUrl,
            string? ExpectedError);

        /// <summary>Reads every case of the service shape's smithy.rules#endpointTests trait from the Smithy JSON AST.</summary>
        private static IReadOnlyList<ModelEndpointCase> ReadModelCases()
        {
            string path = TestPaths.Shared("spec", "firehose", "firehose-2015-08-04.json");
            using JsonDocument model = JsonDocument.Parse(File.ReadAllText(path));

            JsonElement service = model.RootElement.GetProperty("shapes").EnumerateObject()
                .Select(shape => shape.Value)
                .Single(shape => shape.GetProperty("type").GetString() == "service");
            JsonElement testCases = service.GetProperty("traits").GetProperty("smithy.rules#endpointTests").GetProperty("testCases");

            var cases = new List<ModelEndpointCase>();
            foreach (JsonElement testCase in testCases.EnumerateArray())
            {
                string documentation = testCase.GetProperty("documentation").GetString()!;
                JsonElement parameters = testCase.TryGetProperty("params", out JsonElement p) ? p : default;
                JsonElement expect = testCase.GetProperty("expect");

                string? expectedUrl = expect.TryGetProperty("endpoint", out JsonElement ep) ? ep.GetProperty("url").GetString() : null;
                string? expectedError = expect.TryGetProperty("error", out JsonElement err) ? err.GetString() : null;
                if ((expectedUrl is null) == (expectedError is null))
                {
                    throw new InvalidDataException($"Test case '{documentation}' must expect exactly one of endpoint.url and error.");
                }

                cases.Add(new ModelEndpointCase(
                    documentation,
                    GetString(parameters, "Region"),
                    GetBool(parameters, "UseFIPS"),
                    GetBool(parameters, "UseDualStack"),
                    GetString(parameters, "Endpoint") is not null,
                    expectedUrl,
                    expectedError));
            }

            return cases;
        }

        private static string? GetString(JsonElement parameters, string name) =>
            parameters.ValueKind == JsonValueKind.Object && parameters.TryGetProperty(name, out JsonElement v) ? v.GetString() : null;

        // The rule set gives UseFIPS and UseDualStack the default false.
        private static bool GetBool(JsonElement parameters, string name) =>
            parameters.ValueKind == JsonValueKind.Object && parameters.TryGetProperty(name, out JsonElement v) && v.GetBoolean();

        /// <summary>
        /// A minimal reading of botocore's partitions.json, implementing aws.partition's lookup order: an explicitly
        /// listed region, then the first matching regionRegex, then the aws partition.
        /// </summary>
        private sealed class PartitionsJson
        {
            private readonly List<(string Id, Regex RegionRegex, HashSet<string> Regions, Outputs Outputs)> _partitions = new();

            internal sealed record Outputs(string Name, string DnsSuffix, string DualStackDnsSuffix, bool SupportsFips, bool SupportsDualStack);

            internal IEnumerable<string> ExplicitRegions => _partitions.SelectMany(p => p.Regions);

            internal static PartitionsJson Load()
            {
                using JsonDocument doc = JsonDocument.Parse(File.ReadAllText(TestPaths.Shared("spec", "firehose", "partitions.json")));
                var result = new PartitionsJson();
                foreach (JsonElement partition in doc.RootElement.GetProperty("partitions").EnumerateArray())
                {
                    JsonElement o = partition.GetProperty("outputs");
                    result._partitions.Add((
                        partition.GetProperty("id").GetString()!,
                        new Regex(partition.GetProperty("regionRegex").GetString()!, RegexOptions.CultureInvariant),
                        partition.GetProperty("regions").EnumerateObject().Select(r => r.Name).ToHashSet(StringComparer.Ordinal),
                        new Outputs(
                            o.GetProperty("name").GetString()!,
                            o.GetProperty("dnsSuffix").GetString()!,
                            o.GetProperty("dualStackDnsSuffix").GetString()!,
                            o.GetProperty("supportsFIPS").GetBoolean(),
                            o.GetProperty("supportsDualStack").GetBoolean())));
                }

                return result;
            }

            internal Outputs Lookup(string region)
            {
                foreach (var p in _partitions)
                {
                    if (p.Regions.Contains(region))
                    {
                        return p.Outputs;
                    }
                }

                foreach (var p in _partitions)
                {
                    if (p.RegionRegex.IsMatch(region))
                    {
                        return p.Outputs;
                    }
                }

                return _partitions.Single(p => p.Id == "aws").Outputs;
            }
        }
    }
}
