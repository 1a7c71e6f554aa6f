using System;
using NLog;

namespace Firehose.Examples.ConsoleApp
{
    /// <summary>
    /// The seed's scenario: configure NLog from nlog.config, log information, a warning and a caught exception with
    /// its stack trace, then flush so nothing is lost when the process ends.
    /// </summary>
    public static class Program
    {
        public static int Main()
        {
            Logger logger = LogManager.Setup().LoadConfigurationFromFile(System.IO.Path.Combine(AppContext.BaseDirectory, "nlog.config")).GetCurrentClassLogger();
            var target = LogManager.Configuration?.FindTargetByName<NLog.Targets.FirehoseTarget>("firehose");
            string endpoint = Environment.GetEnvironmentVariable("FIREHOSE_SERVICE_URL") is { Length: > 0 } url ? url : "the region's public endpoint";
            Console.WriteLine($"Sending to Firehose stream '{target?.DeliveryStreamName.Render(LogEventInfo.CreateNullEvent())}' via {endpoint}");

            logger.Info("Application started on {Host}", Environment.MachineName);
            logger.Warn("Disk space low: {FreeMegabytes} MB free", 512);
            try
            {
                PlaceOrder(orderId: 42);
            }
            catch (InvalidOperationException ex)
            {
                logger.Error(ex, "Order {OrderId} failed", 42);
            }

            // Deliver what is queued before the process ends (at most 15 s), then close the targets.
            LogManager.Flush(TimeSpan.FromSeconds(15));
            LogManager.Shutdown();
            Console.WriteLine("Flushed.");
            return 0;
        }

        private static void PlaceOrder(int orderId)
        {
            try
            {
                throw new TimeoutException($"payment service did not answer for order {orderId}");
            }
            catch (TimeoutException inner)
            {
                throw new InvalidOperationException("order could not be placed", inner);
            }
        }
    }
}
