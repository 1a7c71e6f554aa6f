using System;
using NLog;

namespace Firehose.Examples.Snippets
{
    // README, "AWS Lambda and other short-lived processes".
    public class Function
    {
        private static readonly Logger Logger = LogManager.GetCurrentClassLogger();

        public string Handler(string input)   // the Lambda handler (ILambdaContext omitted)
        {
            try
            {
                Logger.Info("Received {Input}", input);
                return input.ToUpperInvariant();
            }
            finally
            {
                // Deliver this invocation's events; stop waiting after 2 s (keep it below the function's remaining time).
                LogManager.Flush(TimeSpan.FromSeconds(2));
            }
        }
    }
}
