using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Text;
using System.Text.Json;
using System.Threading.Tasks;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.VisualStudio.TestTools.UnitTesting;
using NLog.Extensions.Logging;
using NLog.Targets.Firehose.Tests.Buffering;
using NLog.Targets.Firehose.Tests.Infrastructure;
using NLog.Targets.Firehose.Testing;

namespace NLog.Targets.Firehose.Tests.Hosting
{
    /// <summary>
    /// Microsoft.Extensions.Logging through NLog.Extensions.Logging: ILogger&lt;T&gt; calls reach Firehose (Firehose Local)
    /// with their message-template properties, scope state, EventId and exception as JSON fields, and the whole NLog
    /// configuration, every option of the target included, comes from the "NLog" section of appsettings.json with
    /// environment-specific overrides.
    /// </summary>
    [TestClass]
    public class MicrosoftLoggingTests
    {
        private const string AppSettings = @"{
  ""NLog"": {
    ""throwConfigExceptions"": true,
    ""extensions"": [ { ""assembly"": ""NLog.Targets.Firehose"" } ],
    ""targets"": {
      ""firehose"": {
        ""type"": ""Firehose"",
        ""deliveryStreamName"": ""app-logs"",
        ""region"": ""eu-west-1"",
        ""serviceName"": ""orders-api""
      }
    },
    ""rules"": [ { ""logger"": ""*"", ""minLevel"": ""Info"", ""writeTo"": ""firehose"" } ]
  }
}";

        /// <summary>appsettings.json, then an in-memory layer as appsettings.Development.json would add (endpoint and keys).</summary>
        private static IConfiguration Configuration(LocalFirehose server, string? overrides = null)
        {
            var builder = new ConfigurationBuilder().AddJsonStream(new MemoryStream(Encoding.UTF8.GetBytes(AppSettings)));
            if (overrides != null)
                builder.AddJsonStream(new MemoryStream(Encoding.UTF8.GetBytes(overrides)));
            return builder.AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["NLog:targets:firehose:serviceUrl"] = server.Url.ToString(),
                ["NLog:targets:firehose:region"] = server.Region,
                ["NLog:targets:firehose:accessKey"] = server.AccessKey,
                ["NLog:targets:firehose:secretKey"] = server.SecretKey,
            }).Build();
        }

        /// <summary>A ServiceCollection with ILogger through NLog, configured from <paramref name="configuration"/>'s "NLog" section.</summary>
        private static ServiceProvider Services(IConfiguration configuration, out LogFactory factory)
        {
            var logFactory = new LogFactory();
            factory = logFactory;
            var services = new ServiceCollection();
            services.AddLogging(logging =>
            {
                logging.ClearProviders();
                logging.AddNLog(new NLogProviderOptions { ShutdownOnDispose = true }, _ => logFactory.Setup().LoadConfigurationFromSection(configuration).LogFactory);
            });
            return services.BuildServiceProvider();
        }

        private sealed class OrderService
        {
        }

        [TestMethod]
        public async Task ILogger_TemplateScopeEventIdAndException_ArriveAsJsonFields()
        {
            await using var server = await LocalFirehose.StartAsync("eu-west-1", "app-logs");
            var provider = Services(Configuration(server), out LogFactory factory);
            var logger = provider.GetRequiredService<ILogger<OrderService>>();

            using (logger.BeginScope(new Dictionary<string, object> { ["RequestId"] = "req-7", ["TenantId"] = 3 }))
            using (logger.BeginScope("Batch {BatchNo}", 12))
            {
                logger.LogInformation(new EventId(1001, "OrderPlaced"), "Order {OrderId} placed by {Customer} for {Amount}", 42, "ann", 9.5m);
            }
            try
            {
                throw new InvalidOperationException("card declined");
            }
            catch (InvalidOperationException ex)
            {
                logger.LogError(new EventId(1002, "OrderFailed"), ex, "Order {OrderId} failed", 43);
            }
            logger.LogDebug("below minLevel Info: not sent");
            var target = factory.Configuration!.FindTargetByName<FirehoseTarget>("firehose");
            provider.Dispose();   // ShutdownOnDispose: NLog flushes and closes the target

            var docs = (await server.DeliveredAsync("app-logs")).Select(t => JsonDocument.Parse(t).RootElement).ToList();
            Assert.HasCount(2, docs);
            JsonElement info = docs.Single(d => d.GetProperty("log.level").GetString() == "info");
            Assert.AreEqual("Order 42 placed by ann for 9.5", info.GetProperty("message").GetString());
            Assert.AreEqual(typeof(OrderService).FullName!.Replace('+', '.'), info.GetProperty("log.logger").GetString());
            Assert.AreEqual(42, info.GetProperty("OrderId").GetInt32());
            Assert.AreEqual("ann", info.GetProperty("Customer").GetString());
            Assert.AreEqual(9.5m, info.GetProperty("Amount").GetDecimal());
            Assert.AreEqual("req-7", info.GetProperty("RequestId").GetString(), "dictionary scope state");
            Assert.AreEqual(3, info.GetProperty("TenantId").GetInt32());
            Assert.AreEqual(12, info.GetProperty("BatchNo").GetInt32(), "message-template scope state");
            Assert.AreEqual(1001, info.GetProperty("EventId").GetInt32());
            Assert.AreEqual("OrderPlaced", info.GetProperty("EventName").GetString());
            Assert.AreEqual("orders-api", info.GetProperty("service.name").GetString());
            Assert.IsFalse(info.TryGetProperty("error.type", out _));

            JsonElement error = docs.Single(d => d.GetProperty("log.level").GetString() == "error");
            Assert.AreEqual(43, error.GetProperty("OrderId").GetInt32());
            Assert.AreEqual(1002, error.GetProperty("EventId").GetInt32());
            Assert.AreEqual("System.InvalidOperationException", error.GetProperty("error.type").GetString());
            Assert.AreEqual("card declined", error.GetProperty("error.message").GetString());
            StringAssert.Contains(error.GetProperty("error.stack_trace").GetString(), nameof(ILogger_TemplateScopeEventIdAndException_ArriveAsJsonFields));
            Assert.IsFalse(error.TryGetProperty("RequestId", out _), "the scope ended");
            Assert.AreEqual(FirehoseHealthState.NotInitialized, target!.GetHealth().State, "closed by the provider's dispose");
        }

        [TestMethod]
        public async Task AppSettings_EnvironmentOverride_ReplacesSingleKeys()
        {
            await using var server = await LocalFirehose.StartAsync("eu-west-1", "app-logs", "app-logs-dev");
            const string development = @"{ ""NLog"": { ""targets"": { ""firehose"": { ""deliveryStreamName"": ""app-logs-dev"", ""serviceName"": ""orders-api-dev"" } } } }";
            var provider = Services(Configuration(server, development), out _);
            provider.GetRequiredService<ILogger<OrderService>>().LogWarning("from {Env}", "Development");
            provider.Dispose();

            Assert.IsEmpty(await server.DeliveredAsync("app-logs"));
            var doc = JsonDocument.Parse((await server.DeliveredAsync("app-logs-dev")).Single()).RootElement;
            Assert.AreEqual("orders-api-dev", doc.GetProperty("service.name").GetString());
            Assert.AreEqual("Development", doc.GetProperty("Env").GetString());
        }

        /// <summary>A value other than the default for every public option, as an appsettings.{Environment}.json would give it.</summary>
        private static Dictionary<string, (object Json, string Expected)> NonDefaultOptions(string bufferDirectory) => new Dictionary<string, (object, string)>
        {
            ["DeliveryStreamName"] = ("stream-${level}", "stream-Info"),
            ["Region"] = ("ap-southeast-2", "ap-southeast-2"),
            ["ServiceUrl"] = ("http://127.0.0.1:4573/", "http://127.0.0.1:4573/"),
            ["Profile"] = ("json-profile", "json-profile"),   // explicit keys win over a profile for credentials
            ["ProfilesLocation"] = ("/nonexistent/credentials", "/nonexistent/credentials"),
            ["AccessKey"] = ("AKIDJSON", "AKIDJSON"),
            ["SecretKey"] = ("json-secret", "json-secret"),
            ["SessionToken"] = ("json-token", "json-token"),
            ["RecordDelimiter"] = ("\\r\\n", "\\r\\n"),
            ["ServiceName"] = ("svc-from-json", "svc-from-json"),
            ["RequestTimeoutMilliseconds"] = (20000, "20000"),
            ["DeliveryTimeoutMilliseconds"] = (40000, "40000"),
            ["RetryBaseDelayMilliseconds"] = (50, "50"),
            ["RetryMaxDelayMilliseconds"] = (5000, "5000"),
            ["OversizeAction"] = ("Drop", "Drop"),
            ["BufferDirectory"] = (bufferDirectory, bufferDirectory),
            ["MaxBufferBytes"] = (2097152, "2097152"),
            ["MaxQueueBytes"] = (8388608, "8388608"),
            ["MaxRequestsInFlight"] = (2, "2"),
            ["PackRecords"] = (true, "True"),
            ["MaxPackedRecordBytes"] = (65536, "65536"),
            ["Layout"] = ("${level}|${message}", "Info|"),
            ["BatchSize"] = (1000, "1000"),
            ["TaskDelayMilliseconds"] = (50, "50"),
            ["QueueLimit"] = (5000, "5000"),
            ["OverflowAction"] = ("Block", "Block"),
            ["RetryCount"] = (2, "2"),
            ["RetryDelayMilliseconds"] = (250, "250"),
            ["TaskTimeoutSeconds"] = (90, "90"),
            ["ForceLockingQueue"] = (true, "True"),
        };

        [TestMethod]
        public void AppSettings_EveryPublicOption_SetFromNLogSection()
        {
            using var temp = new TempDirectory();
            // The documented sample (every option at its default) as appsettings.json ...
            string sample = Path.Combine(TestPaths.RepositoryRoot, "appsettings.sample.json");
            var options = NonDefaultOptions(temp.Path);
            var target = new Dictionary<string, object>();
            foreach (var option in options)
                target[char.ToLowerInvariant(option.Key[0]) + option.Key.Substring(1)] = option.Value.Json;
            // ... and every option changed by an override file, as appsettings.Development.json would.
            string overrides = JsonSerializer.Serialize(new { NLog = new { targets = new { firehose = target } } });
            IConfiguration configuration = new ConfigurationBuilder()
                .AddJsonFile(sample, optional: false)
                .AddJsonStream(new MemoryStream(Encoding.UTF8.GetBytes(overrides)))
                .Build();

            var publicOptions = PublicOptions();
            CollectionAssert.AreEquivalent(publicOptions, options.Keys.ToList(), "the test sets every public option of FirehoseTarget; not the same: "
                + string.Join(", ", publicOptions.Except(options.Keys).Concat(options.Keys.Except(publicOptions))));
            string sampleText = File.ReadAllText(sample);
            foreach (string option in publicOptions.Where(o => o != "Layout"))
                StringAssert.Contains(sampleText, "\"" + char.ToLowerInvariant(option[0]) + option.Substring(1) + "\":", "appsettings.sample.json writes out " + option);

            using var factory = new LogFactory();
            factory.Setup().LoadConfigurationFromSection(configuration);   // throwConfigExceptions: an unknown option throws
            var firehose = factory.Configuration!.FindTargetByName<FirehoseTarget>("firehose");
            Assert.IsNotNull(firehose);
            Assert.IsNotNull(firehose.ResolvedEndpoint, "initialised with the JSON options");
            Assert.AreEqual(FirehoseHealthState.Idle, firehose.GetHealth().State);
            var info = LogEventInfo.Create(LogLevel.Info, "L", string.Empty);
            foreach (var option in options)
            {
                object? value = typeof(FirehoseTarget).GetProperty(option.Key)!.GetValue(firehose);
                string actual = value is NLog.Layouts.Layout layout ? layout.Render(info) : Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture) ?? string.Empty;
                Assert.AreEqual(option.Value.Expected, actual, option.Key + " from the JSON section");
            }
        }

        private static List<string> PublicOptions()
            => typeof(FirehoseTarget).GetProperties(BindingFlags.Public | BindingFlags.Instance)
                .Where(p => p.CanWrite && p.SetMethod!.IsPublic && p.DeclaringType != typeof(Target) && p.DeclaringType != typeof(TargetWithContext))
                .Select(p => p.Name)
                .Append("Layout")   // TargetWithContext declares it
                .Distinct()
                .ToList();
    }
}
