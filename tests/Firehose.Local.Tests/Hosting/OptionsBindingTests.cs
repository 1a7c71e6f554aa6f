using System;
using System.Collections.Generic;
using System.IO;
using System.Text;
using System.Threading.Tasks;
using Firehose.Local.Tests.Infrastructure;
using Microsoft.Extensions.Configuration;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace Firehose.Local.Tests.Hosting
{
    /// <summary>FirehoseLocalOptions bound from configuration (section FirehoseLocal), as the tool and hosts do.</summary>
    [TestClass]
    public sealed class OptionsBindingTests
    {
        [TestMethod]
        public async Task Bind_ConfigurationWithOpenSearchStreamIndexUrlAndFaults_ServerUsesThem()
        {
            using var dir = new TempDirectory();
            string indexDir = Path.Combine(dir.Path, "idx");
            IConfiguration configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["FirehoseLocal:Port"] = "0",
                ["FirehoseLocal:AccessKey"] = TestServer.AccessKey,
                ["FirehoseLocal:SecretKey"] = TestServer.SecretKey,
                ["FirehoseLocal:DataDirectory"] = dir.Path,
                ["FirehoseLocal:IndexUrls:my-domain"] = new Uri(indexDir + "/").AbsoluteUri,
                ["FirehoseLocal:Faults:ThrottleRate"] = "0.25",
                ["FirehoseLocal:Streams:0:DeliveryStreamName"] = "bound",
                ["FirehoseLocal:Streams:0:AmazonopensearchserviceDestinationConfiguration:RoleARN"] = TestServer.RoleArn,
                ["FirehoseLocal:Streams:0:AmazonopensearchserviceDestinationConfiguration:DomainARN"] = "arn:aws:es:us-east-1:123456789012:domain/my-domain",
                ["FirehoseLocal:Streams:0:AmazonopensearchserviceDestinationConfiguration:IndexName"] = "logs",
                ["FirehoseLocal:Streams:0:AmazonopensearchserviceDestinationConfiguration:IndexRotationPeriod"] = "NoRotation",
                ["FirehoseLocal:Streams:0:AmazonopensearchserviceDestinationConfiguration:S3Configuration:RoleARN"] = TestServer.RoleArn,
                ["FirehoseLocal:Streams:0:AmazonopensearchserviceDestinationConfiguration:S3Configuration:BucketARN"] = "arn:aws:s3:::backup",
            }).Build();
            var options = new FirehoseLocalOptions();
            configuration.GetSection(FirehoseLocalOptions.SectionName).Bind(options);

            await using var server = await FirehoseLocalServer.StartAsync(options);
            server.Faults.ThrottleRate = 0;
            using var client = new LocalClient(server);
            await client.PutRecordAsync("bound", Encoding.UTF8.GetBytes("{\"k\":1}"));
            await server.FlushAsync();

            Assert.AreEqual(0.25, options.Faults.ThrottleRate);
            Assert.AreEqual("127.0.0.1", server.Url.Host);
            Assert.AreEqual("{\"k\":1}\n", File.ReadAllText(Path.Combine(indexDir, "logs.ndjson")));
        }
    }
}
