using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.VisualStudio.TestTools.UnitTesting;
using NLog;
using NLog.Targets.Firehose.Testing;

namespace Infrastructure.Tests
{
    [TestClass]
    public sealed partial class SavedObjectsTests
    {
        private static readonly string SavedObjectsPath = TestPaths.InRepository("examples", "infrastructure", "dashboards.ndjson");

        [TestMethod]
        public void SavedObjects_EveryLine_IsOneJsonObject()
        {
            var objects = Load();

            Assert.IsNotEmpty(objects);
            foreach (JsonObject savedObject in objects)
            {
                Assert.IsFalse(string.IsNullOrEmpty((string?)savedObject["type"]), "a saved object without type");
                Assert.IsFalse(string.IsNullOrEmpty((string?)savedObject["id"]), "a saved object without id");
                Assert.IsInstanceOfType<JsonObject>(savedObject["attributes"]);
            }

            Assert.AreEqual(objects.Count, objects.Select(o => ((string?)o["type"], (string?)o["id"])).Distinct().Count(), "two saved objects share type and id");
        }

        [TestMethod]
        public void IndexPattern_LoggingTest_HasTimestampTimeFieldAndEveryLayoutField()
        {
            JsonObject pattern = IndexPattern(Load());
            JsonNode attributes = pattern["attributes"]!;

            Assert.AreEqual("@timestamp", (string?)attributes["timeFieldName"]);
            var fields = JsonNode.Parse((string)attributes["fields"]!)!.AsArray().ToDictionary(f => (string)f!["name"]!, f => f!, StringComparer.Ordinal);
            foreach (string field in DefaultLayout.Fields)
            {
                Assert.IsTrue(fields.ContainsKey(field), $"the index pattern does not list the layout's field {field}");
            }

            Assert.AreEqual("date", (string?)fields["@timestamp"]["type"]);
            Assert.AreEqual("number", (string?)fields["process.pid"]["type"]);
        }

        [TestMethod]
        public void ErrorsSearch_Reference_PointsAtIndexPattern()
        {
            var objects = Load();
            string patternId = (string)IndexPattern(objects)["id"]!;
            JsonObject search = ErrorsSearch(objects);

            var source = JsonNode.Parse((string)search["attributes"]!["kibanaSavedObjectMeta"]!["searchSourceJSON"]!)!;
            string refName = (string?)source["indexRefName"] ?? throw new AssertFailedException("searchSourceJSON has no indexRefName");
            var reference = search["references"]!.AsArray().SingleOrDefault(r => (string?)r!["name"] == refName);
            Assert.IsNotNull(reference, $"no reference named {refName}");
            Assert.AreEqual("index-pattern", (string?)reference["type"]);
            Assert.AreEqual(patternId, (string?)reference["id"]);
        }

        [TestMethod]
        public void ErrorsSearch_ColumnsQueryAndSort_NameOnlyLayoutFields()
        {
            JsonObject search = ErrorsSearch(Load());
            JsonNode attributes = search["attributes"]!;
            var layoutFields = DefaultLayout.Fields;

            var columns = attributes["columns"]!.AsArray().Select(c => (string)c!).ToList();
            CollectionAssert.AreEqual(new[] { "message", "service.name", "host.name", "error.type", "error.message" }, columns);
            var named = new List<string>(columns);
            named.AddRange(attributes["sort"]?.AsArray().Select(s => (string)s!.AsArray()[0]!) ?? Enumerable.Empty<string>());
            named.AddRange(QueryFields(Query(search)));
            foreach (string field in named)
            {
                Assert.Contains(field, layoutFields, $"the saved search names {field}, which the default layout does not write");
            }
        }

        [TestMethod]
        public void ErrorsSearch_Query_MatchesWhatTheLayoutWritesForErrors()
        {
            JsonObject search = ErrorsSearch(Load());
            string query = Query(search);

            Assert.AreEqual("log.level:error", query);
            // The layout must write exactly that value for an Error event, and not for a Warn one.
            Assert.AreEqual("error", DefaultLayout.Render(LogLevel.Error, withException: false)["log.level"].GetString());
            Assert.AreNotEqual("error", DefaultLayout.Render(LogLevel.Warn, withException: false)["log.level"].GetString());
        }

        private static List<JsonObject> Load()
        {
            var objects = new List<JsonObject>();
            int number = 0;
            foreach (string line in File.ReadLines(SavedObjectsPath))
            {
                number++;
                if (line.Length == 0)
                    continue;
                try
                {
                    objects.Add(JsonNode.Parse(line) as JsonObject ?? throw new AssertFailedException($"line {number} is not a JSON object"));
                }
                catch (JsonException ex)
                {
                    throw new AssertFailedException($"line {number} is not JSON: {ex.Message}", ex);
                }
            }

            return objects;
        }

        private static JsonObject IndexPattern(List<JsonObject> objects)
        {
            var patterns = objects.Where(o => (string?)o["type"] == "index-pattern" && (string?)o["attributes"]?["title"] == "logging-test-*").ToList();
            Assert.HasCount(1, patterns, "expected one index pattern titled logging-test-*");
            return patterns[0];
        }

        private static JsonObject ErrorsSearch(List<JsonObject> objects)
        {
            var searches = objects.Where(o => (string?)o["type"] == "search").ToList();
            Assert.HasCount(1, searches, "expected one saved search");
            return searches[0];
        }

        private static string Query(JsonObject search)
        {
            var source = JsonNode.Parse((string)search["attributes"]!["kibanaSavedObjectMeta"]!["searchSourceJSON"]!)!;
            return (string?)source["query"]?["query"] ?? throw new AssertFailedException("the saved search has no query");
        }

        /// <summary>The field names of a KQL / Lucene query's <c>field:value</c> terms.</summary>
        private static IEnumerable<string> QueryFields(string query) =>
            FieldTerm().Matches(query).Select(m => m.Groups[1].Value);

        [GeneratedRegex(@"([@A-Za-z_][\w.@]*)\s*:")]
        private static partial Regex FieldTerm();
    }
}
