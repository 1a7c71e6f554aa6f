using System.IO;
using System.Linq;
using System.Text.Json.Nodes;
using Microsoft.VisualStudio.TestTools.UnitTesting;
using NLog.Targets.Firehose.Testing;

namespace Infrastructure.Tests
{
    [TestClass]
    public sealed class ReadmeTests
    {
        private static readonly string ReadmePath = TestPaths.InRepository("examples", "infrastructure", "README.md");

        [TestMethod]
        public void Readme_Parameters_EveryTemplateParameterIsExplained()
        {
            string readme = File.ReadAllText(ReadmePath);

            foreach (string parameter in Template.Load()["Parameters"]!.AsObject().Select(p => p.Key))
            {
                StringAssert.Contains(readme, $"| `{parameter}` |", $"the README's parameter table does not explain {parameter}");
            }
        }

        [TestMethod]
        public void Readme_DeployCommand_UsesTemplateAndCapabilityIam()
        {
            string readme = File.ReadAllText(ReadmePath);

            StringAssert.Contains(readme, "aws cloudformation deploy");
            StringAssert.Contains(readme, "--template-file examples/infrastructure/firehose-logging.yaml");
            StringAssert.Contains(readme, "--capabilities CAPABILITY_IAM");
            StringAssert.Contains(readme, "AdminPrincipalArn=");
            JsonObject template = Template.Load();
            // Parameters without a default must be given in the example command.
            foreach (var (name, parameter) in template["Parameters"]!.AsObject())
            {
                if (parameter?["Default"] is null)
                    StringAssert.Contains(readme, name + "=", $"the deploy command does not set {name}, which has no default");
            }
        }
    }
}
