using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using Microsoft.VisualStudio.TestTools.UnitTesting;
using NLog.Targets.Firehose.Client;
using NLog.Targets.Firehose.Testing;

namespace NLog.Targets.Firehose.Tests.Client
{
    /// <summary>
    /// Runs the aws-c-auth SigV4 conformance suite (38 cases) and the two smithy-kotlin extra cases from
    /// <c>../shared/testdata/sigv4</c>, in place. Only header signing is checked: the <c>query-*</c> files describe
    /// presigned (query-string) signing, which the library never does and therefore does not implement.
    /// </summary>
    [TestClass]
    public sealed class SigV4SuiteTests
    {
        private const int ExpectedMainCaseCount = 38;
        private const int ExpectedExtraCaseCount = 2;
        private const string ExtraFolder = "_extra/smithy-kotlin";

        /// <summary>The data rows: every main case, then the extra cases.</summary>
        public static IEnumerable<TestDataRow<string>> Cases =>
            MainCaseIds().Concat(ExtraCaseIds()).Select(id => new TestDataRow<string>(id) { DisplayName = "sigv4 suite: " + id });

        [TestMethod]
        public void SuiteData_Enumerate_Finds38MainAnd2ExtraCases()
        {
            string root = SuiteRoot;
            Assert.IsTrue(Directory.Exists(root), $"The SigV4 test data folder '{root}' does not exist; ../shared must sit beside the repository.");
            Assert.HasCount(ExpectedMainCaseCount, MainCaseIds(), $"main suite cases under '{root}'");
            Assert.HasCount(ExpectedExtraCaseCount, ExtraCaseIds(), $"extra cases under '{Path.Combine(root, ExtraFolder)}'");
        }

        [TestMethod]
        [DynamicData(nameof(Cases))]
        public void Sign_SuiteCase_MatchesExpectedHeaderSigning(string caseId)
        {
            string directory = CaseDirectory(caseId);
            SigV4SuiteContext context = SigV4SuiteContext.Load(Path.Combine(directory, "context.json"));
            RawHttpRequest raw = RawHttpRequest.Load(Path.Combine(directory, "request.txt"));

            // Every sign_body:false case has an empty body, so hashing the actual body is right for all cases;
            // for sign_body:true the options also add and sign x-amz-content-sha256.
            var request = new SigV4Request
            {
                Method = raw.Method,
                Path = raw.Path,
                Query = raw.Query,
                PayloadSha256Hex = SigV4Signer.Sha256Hex(raw.Body),
            };
            request.Headers.AddRange(raw.Headers);

            SigV4Signature signature = new SigV4Signer(context.Region, context.Service)
                .Sign(request, context.Credentials, context.Timestamp, context.Options);

            Assert.AreEqual(ReadExpected(directory, "header-canonical-request.txt"), signature.CanonicalRequest, $"{caseId}: canonical request");
            Assert.AreEqual(ReadExpected(directory, "header-string-to-sign.txt"), signature.StringToSign, $"{caseId}: string to sign");
            Assert.AreEqual(ReadExpected(directory, "header-signature.txt"), signature.Signature, $"{caseId}: signature");

            // The signed request is request.txt plus the added headers; their order is only aws-c-auth's, so the
            // headers are compared as a multiset.
            RawHttpRequest signed = RawHttpRequest.Load(Path.Combine(directory, "header-signed-request.txt"));
            Assert.AreEqual(signed.Method, raw.Method, $"{caseId}: method");
            Assert.AreEqual(signed.Path, raw.Path, $"{caseId}: path");
            Assert.AreEqual(signed.Query, raw.Query, $"{caseId}: query");
            Assert.AreEqual(Convert.ToHexString(signed.Body), Convert.ToHexString(raw.Body), $"{caseId}: body");
            Assert.AreEqual(
                HeaderMultiset(signed.Headers),
                HeaderMultiset(raw.Headers.Concat(signature.HeadersToAdd)),
                $"{caseId}: signed request headers");
        }

        /// <summary>The suite folder, <c>../shared/testdata/sigv4</c>.</summary>
        internal static string SuiteRoot => TestPaths.Shared("testdata", "sigv4");

        /// <summary>Reads an expected-output file; only CRLF line endings are normalised.</summary>
        internal static string ReadExpected(string directory, string file) =>
            Encoding.UTF8.GetString(File.ReadAllBytes(Path.Combine(directory, file))).Replace("\r\n", "\n", StringComparison.Ordinal);

        /// <summary>Headers as sorted <c>name:value</c> lines, one per header, for a multiset comparison.</summary>
        internal static string HeaderMultiset(IEnumerable<KeyValuePair<string, string>> headers) =>
            string.Join("\n", headers.Select(h => h.Key + ":" + h.Value).Order(StringComparer.Ordinal));

        private static string CaseDirectory(string caseId) => Path.Combine(SuiteRoot, caseId.Replace('/', Path.DirectorySeparatorChar));

        /// <summary>Top-level folders with a <c>context.json</c>; names starting with <c>_</c> are not cases.</summary>
        private static List<string> MainCaseIds() => CaseFolderNames(SuiteRoot).Where(name => !name.StartsWith('_')).ToList();

        /// <summary>The <c>_extra/smithy-kotlin</c> cases, as ids relative to the suite folder.</summary>
        private static List<string> ExtraCaseIds() =>
            CaseFolderNames(Path.Combine(SuiteRoot, ExtraFolder)).Select(name => ExtraFolder + "/" + name).ToList();

        /// <summary>
        /// Names of the sub-folders holding a <c>context.json</c>, sorted; empty when the folder is missing (the
        /// count test then fails with a clear message rather than the data source throwing during discovery).
        /// </summary>
        private static IEnumerable<string> CaseFolderNames(string folder) =>
            !Directory.Exists(folder)
                ? []
                : Directory.GetDirectories(folder)
                    .Where(d => File.Exists(Path.Combine(d, "context.json")))
                    .Select(d => Path.GetFileName(d))
                    .Order(StringComparer.Ordinal);
    }
}
