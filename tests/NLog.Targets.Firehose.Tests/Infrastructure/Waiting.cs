using System;
using System.Threading;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace NLog.Targets.Firehose.Tests.Infrastructure
{
    /// <summary>The tests' wait for something that happens on another thread (<c>using static</c>).</summary>
    internal static class Waiting
    {
        /// <summary>How long a test waits for a condition before it fails.</summary>
        private static readonly TimeSpan WaitLimit = TimeSpan.FromSeconds(30);

        /// <summary>Waits up to 30 s for <paramref name="condition"/>; then fails with <paramref name="what"/> and, when given, <paramref name="detail"/> (state, internal log).</summary>
        public static void WaitFor(Func<bool> condition, string what, Func<string>? detail = null)
        {
            if (!SpinWait.SpinUntil(condition, WaitLimit))
                Assert.Fail(what + (detail is null ? string.Empty : "\n" + detail()));
        }
    }
}
