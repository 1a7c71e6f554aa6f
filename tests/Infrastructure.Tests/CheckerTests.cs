using System.IO;
using System.Linq;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace Infrastructure.Tests
{
    /// <summary>The checkers the template tests rely on do find what they look for (each on a small broken template).</summary>
    [TestClass]
    public sealed class CheckerTests
    {
        private const string Valid = """
            Parameters:
              Name: { Type: String }
              Suffix: { Type: String }
            Conditions:
              IsProd: !Equals [!Ref Name, prod]
            Resources:
              Bucket:
                Type: AWS::S3::Bucket
                Condition: IsProd
                Properties:
                  BucketName: !Sub '${Name}-${AWS::Region}-${Suffix}-${!Literal}'
              Group:
                Type: AWS::Logs::LogGroup
                DependsOn: Bucket
                Properties:
                  LogGroupName: !If [IsProd, !Sub ['${B}/x', { B: !GetAtt Bucket.Arn }], !Ref AWS::NoValue]
            """;

        [TestMethod]
        public void TemplateReferences_ValidTemplate_NoProblems()
        {
            var problems = TemplateReferences.FindProblems(CloudFormationYaml.Parse(Valid));

            Assert.IsEmpty(problems, string.Join("\n", problems));
        }

        [TestMethod]
        [DataRow("!Ref Name, prod", "!Ref Nmae, prod", "'Nmae'")]
        [DataRow("${Name}-${AWS::Region}", "${Name}-${AWS::Regio}", "'AWS::Regio'")]
        [DataRow("!GetAtt Bucket.Arn", "!GetAtt Buckt.Arn", "'Buckt'")]
        [DataRow("!GetAtt Bucket.Arn", "!GetAtt Bucket.Nope", "no attribute 'Nope'")]
        [DataRow("${B}/x", "${Bucket.Nope}/x", "no attribute 'Nope'")]
        [DataRow("!If [IsProd,", "!If [IsProod,", "'IsProod' is not declared")]
        [DataRow("Condition: IsProd", "Condition: IsProod", "'IsProod' is not declared")]
        [DataRow("DependsOn: Bucket", "DependsOn: Buckets", "'Buckets', which is no resource")]
        [DataRow("-${Suffix}", "", "parameter 'Suffix' is declared but never used")]
        [DataRow("${!Literal}", "${Literal}", "'Literal' is no parameter")]
        public void TemplateReferences_BrokenTemplate_Reported(string from, string to, string expected)
        {
            Assert.Contains(from, Valid);
            var problems = TemplateReferences.FindProblems(CloudFormationYaml.Parse(Valid.Replace(from, to, System.StringComparison.Ordinal)));

            Assert.IsTrue(problems.Any(p => p.Contains(expected, System.StringComparison.Ordinal)), $"expected a problem with {expected}, got: {string.Join("; ", problems)}");
        }

        [TestMethod]
        public void CloudFormationYaml_UnknownTag_Throws()
        {
            Assert.ThrowsExactly<InvalidDataException>(() => CloudFormationYaml.Parse("Resources:\n  A: !Reff B\n"));
        }

        [TestMethod]
        public void CloudFormationYaml_ShortForms_BecomeLongForms()
        {
            var template = CloudFormationYaml.Parse("A: !GetAtt R.Some.Attr\nB: !Ref X\nC: !Join ['', [a, !Ref Y]]\n");

            Assert.AreEqual("""{"Fn::GetAtt":["R","Some.Attr"]}""", template["A"]!.ToJsonString());
            Assert.AreEqual("""{"Ref":"X"}""", template["B"]!.ToJsonString());
            Assert.AreEqual("""{"Fn::Join":["",["a",{"Ref":"Y"}]]}""", template["C"]!.ToJsonString());
        }

        [TestMethod]
        [DataRow("IndexRotationPeriod: OneDay", "IndexRotationPeriod: Daily", "'Daily' is not one of")]
        [DataRow("IndexName: logging-test", "IndexNam: logging-test", "'IndexNam' is not a member")]
        [DataRow("SizeInMBs: 5", "SizeInMBs: 500", "above the model's maximum")]
        [DataRow("AllowedValues: [FailedDocumentsOnly, AllDocuments]", "AllowedValues: [FailedDocumentsOnly, Everything]", "allows 'Everything'")]
        public void FirehoseModel_BrokenStream_Reported(string from, string to, string expected)
        {
            const string Stream = """
                Parameters:
                  Mode: { Type: String, AllowedValues: [FailedDocumentsOnly, AllDocuments] }
                Resources:
                  S:
                    Type: AWS::KinesisFirehose::DeliveryStream
                    Properties:
                      DeliveryStreamName: s
                      AmazonopensearchserviceDestinationConfiguration:
                        RoleARN: !Ref R
                        IndexName: logging-test
                        IndexRotationPeriod: OneDay
                        S3BackupMode: !Ref Mode
                        BufferingHints: { SizeInMBs: 5 }
                        S3Configuration: { RoleARN: !Ref R, BucketARN: !Ref B }
                """;
            var model = FirehoseModel.Load();
            var valid = CloudFormationYaml.Parse(Stream);
            Assert.IsEmpty(model.FindProblems(valid["Resources"]!["S"]!["Properties"]!.AsObject(), valid));

            Assert.Contains(from, Stream);
            var broken = CloudFormationYaml.Parse(Stream.Replace(from, to, System.StringComparison.Ordinal));
            var problems = model.FindProblems(broken["Resources"]!["S"]!["Properties"]!.AsObject(), broken);

            Assert.IsTrue(problems.Any(p => p.Contains(expected, System.StringComparison.Ordinal)), $"expected a problem with {expected}, got: {string.Join("; ", problems)}");
        }
    }
}
