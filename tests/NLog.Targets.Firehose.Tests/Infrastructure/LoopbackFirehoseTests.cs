using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Net.Sockets;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using Amazon.Runtime;
using Microsoft.VisualStudio.TestTools.UnitTesting;
using NLog.Targets.Firehose.Client;

namespace NLog.Targets.Firehose.Tests.Infrastructure
{
    /// <summary>The fault injection of <see cref="LoopbackFirehose"/>, driven by the library's real HTTP client.</summary>
    [TestClass]
    public class LoopbackFirehoseTests
    {
        private static FirehoseHttpClient NewClient(LoopbackFirehose server, string secretKey = LoopbackFirehose.SecretKey, TimeSpan? timeout = null)
            => new FirehoseHttpClient(server.Url, server.Region, new BasicAWSCredentials(LoopbackFirehose.AccessKey, secretKey), timeout ?? TimeSpan.FromSeconds(10));

        private static ReadOnlyMemory<byte>[] Records(int count, int firstId = 0)
            => Enumerable.Range(firstId, count)
                .Select(i => (ReadOnlyMemory<byte>)Encoding.UTF8.GetBytes($"{{\"event.id\":\"id-{i.ToString(CultureInfo.InvariantCulture)}\",\"message\":\"m\"}}\n"))
                .ToArray();

        [TestMethod]
        public async Task Throttle_RateOne_ServiceUnavailable503AndNothingAccepted()
        {
            await using var server = await LoopbackFirehose.StartAsync();
            server.Faults.ThrottleRate = 1.0;
            using var client = NewClient(server);

            var ex = await Assert.ThrowsExactlyAsync<FirehoseServiceException>(() => client.PutRecordBatchAsync("s", Records(3), CancellationToken.None));

            Assert.AreEqual("ServiceUnavailableException", ex.ErrorCode);
            Assert.AreEqual("Slow down.", ex.ServiceMessage);
            Assert.AreEqual(503, ex.StatusCode);
            Assert.AreEqual(0, server.AcceptedCount);
            Assert.IsEmpty(server.Accepted);
            Assert.AreEqual(1, server.Faults.ThrottledCalls);
            Assert.AreEqual(1, server.Faults.TotalCalls);
            Assert.AreEqual(0, server.Faults.SucceededCalls);
        }

        [TestMethod]
        public async Task RecordFailure_RateHalf_AboutHalfFailedAndFailedPutCountMatches()
        {
            await using var server = await LoopbackFirehose.StartAsync();
            server.Faults.RecordFailureRate = 0.5;
            using var client = NewClient(server);
            var sent = Records(1000);

            var responses = new List<PutRecordBatchResponse>
            {
                await client.PutRecordBatchAsync("s", sent.Take(500).ToArray(), CancellationToken.None),
                await client.PutRecordBatchAsync("s", sent.Skip(500).ToArray(), CancellationToken.None),
            };

            var entries = responses.SelectMany(r => r.RequestResponses).ToList();
            foreach (var response in responses)
                Assert.AreEqual(response.RequestResponses.Count(e => e.Failed), response.FailedPutCount);
            int failed = responses.Sum(r => r.FailedPutCount);
            Assert.IsInRange(400, 600, failed);
            Assert.AreEqual(failed, server.Faults.FailedRecords);
            var codes = entries.Where(e => e.Failed).Select(e => e.ErrorCode).Distinct().OrderBy(c => c, StringComparer.Ordinal).ToList();
            CollectionAssert.AreEqual(new[] { "InternalFailure", "ServiceUnavailableException" }, codes);

            // exactly the records answered with a RecordId were accepted, in order
            var expected = sent.Where((_, i) => !entries[i].Failed).Select(r => Encoding.UTF8.GetString(r.Span)).ToList();
            CollectionAssert.AreEqual(expected, server.AcceptedText("s").ToList());
            Assert.AreEqual(1000 - failed, server.AcceptedCount);
        }

        [TestMethod]
        public async Task Http500_RateOne_ServiceExceptionWithStatus500()
        {
            await using var server = await LoopbackFirehose.StartAsync();
            server.Faults.Http500Rate = 1.0;
            using var client = NewClient(server);

            var ex = await Assert.ThrowsExactlyAsync<FirehoseServiceException>(() => client.PutRecordBatchAsync("s", Records(2), CancellationToken.None));

            Assert.AreEqual(500, ex.StatusCode);
            Assert.AreEqual("InternalFailure", ex.ErrorCode);
            Assert.IsEmpty(server.Accepted);
            Assert.AreEqual(1, server.Faults.Http500Calls);
        }

        [TestMethod]
        public async Task ResetBeforeProcessing_RateOne_TransportErrorAndNothingAccepted()
        {
            await using var server = await LoopbackFirehose.StartAsync();
            server.Faults.ResetBeforeProcessingRate = 1.0;
            using var client = NewClient(server);

            var ex = await Assert.ThrowsAsync<HttpRequestException>(() => client.PutRecordBatchAsync("s", Records(5), CancellationToken.None));

            Assert.IsInstanceOfType<IOException>(ex.InnerException);   // connection reset by peer
            Assert.IsEmpty(server.Accepted);
            Assert.AreEqual(0, server.AcceptedCount);
            Assert.AreEqual(1, server.Faults.ResetBeforeCalls);
            Assert.AreEqual(1, server.Faults.TotalCalls);
        }

        [TestMethod]
        public async Task ResetAfterProcessing_RateOne_ClientFailsButRecordsAccepted()
        {
            await using var server = await LoopbackFirehose.StartAsync();
            server.Faults.ResetAfterProcessingRate = 1.0;
            using var client = NewClient(server);

            var ex = await Assert.ThrowsAsync<HttpRequestException>(() => client.PutRecordBatchAsync("s", Records(5), CancellationToken.None));

            Assert.IsInstanceOfType<IOException>(ex.InnerException);
            Assert.AreEqual(5, server.AcceptedCount);
            CollectionAssert.AreEqual(Records(5).Select(r => Encoding.UTF8.GetString(r.Span)).ToList(), server.AcceptedText("s").ToList());
            Assert.AreEqual(1, server.Faults.ResetAfterCalls);
            Assert.AreEqual(0, server.Faults.SucceededCalls);
        }

        [TestMethod]
        public async Task ResetAfterProcessing_ClientResends_DuplicatesCountedByEventId()
        {
            await using var server = await LoopbackFirehose.StartAsync();
            var batch = Records(10);
            server.Faults.ResetAfterProcessingRate = 1.0;
            using (var first = NewClient(server))
                await Assert.ThrowsAsync<HttpRequestException>(() => first.PutRecordBatchAsync("s", batch, CancellationToken.None));

            server.Faults.ResetAfterProcessingRate = 0;   // changed at run time; the resend goes through
            using var client = NewClient(server);
            await client.PutRecordBatchAsync("s", batch, CancellationToken.None);
            await client.PutRecordBatchAsync("s", Records(5, firstId: 10), CancellationToken.None);

            Assert.AreEqual(25, server.AcceptedCount);
            Assert.AreEqual(10, server.DuplicateCount());
            var ids = server.DistinctAcceptedIds();
            Assert.HasCount(15, ids);
            Assert.IsTrue(ids.SetEquals(Enumerable.Range(0, 15).Select(i => "id-" + i.ToString(CultureInfo.InvariantCulture))));
        }

        [TestMethod]
        public async Task DistinctAcceptedIds_NestedNumericMissingAndNonJson_OnlyFieldValuesCounted()
        {
            await using var server = await LoopbackFirehose.StartAsync();
            ReadOnlyMemory<byte>[] records =
            {
                Encoding.UTF8.GetBytes("{\"event\":{\"id\":7}}\n"),
                Encoding.UTF8.GetBytes("{\"event.id\":7}\n"),
                Encoding.UTF8.GetBytes("{\"event\":{\"id\":\"7\"}}\n"),   // the string "7" is the same id as the number 7
                Encoding.UTF8.GetBytes("{\"other\":1}\n"),
                Encoding.UTF8.GetBytes("not json\n"),
                Encoding.UTF8.GetBytes("{\"trace\":\"a\",\"event.id\":\"x\"}\n"),
            };
            using var client = NewClient(server);
            await client.PutRecordBatchAsync("s", records, CancellationToken.None);

            Assert.AreEqual(6, server.AcceptedCount);
            Assert.IsTrue(server.DistinctAcceptedIds().SetEquals(new[] { "7", "x" }));
            Assert.AreEqual(2, server.DuplicateCount());
            Assert.IsTrue(server.DistinctAcceptedIds("trace").SetEquals(new[] { "a" }));
            Assert.AreEqual(0, server.DuplicateCount("trace"));
        }

        [TestMethod]
        public async Task DuplicateCount_300000Records_CountedInLinearTime()
        {
            await using var server = await LoopbackFirehose.StartAsync();
            for (int i = 0; i < 300_000; i++)
            {
                int id = i % 100 == 99 ? i - 1 : i;   // every hundredth record repeats its predecessor's id
                server.Accepted.Enqueue(("s", Encoding.UTF8.GetBytes($"{{\"@timestamp\":\"2025-01-01T00:00:00.000Z\",\"event.id\":\"{id.ToString(CultureInfo.InvariantCulture)}\",\"message\":\"hello\"}}\n")));
            }

            var watch = Stopwatch.StartNew();
            long duplicates = server.DuplicateCount();
            int distinct = server.DistinctAcceptedIds().Count;
            watch.Stop();

            Assert.AreEqual(3000, duplicates);
            Assert.AreEqual(297_000, distinct);
            Assert.IsLessThan(TimeSpan.FromSeconds(60), watch.Elapsed, "quadratic work would take hours; linear takes about a second even on a loaded machine");
        }

        [TestMethod]
        public async Task Latency_Set_CallTakesAtLeastThatLong()
        {
            await using var server = await LoopbackFirehose.StartAsync();
            server.Faults.Latency = TimeSpan.FromMilliseconds(300);
            using var client = NewClient(server);

            var watch = Stopwatch.StartNew();
            await client.PutRecordBatchAsync("s", Records(1), CancellationToken.None);
            watch.Stop();

            Assert.IsGreaterThanOrEqualTo(TimeSpan.FromMilliseconds(280), watch.Elapsed);
            Assert.AreEqual(1, server.AcceptedCount);
        }

        [TestMethod]
        public async Task Latency_ClientGivesUp_ServerStopsWaitingAndAcceptsNothing()
        {
            var watch = Stopwatch.StartNew();
            await using (var server = await LoopbackFirehose.StartAsync())
            {
                server.Faults.Latency = TimeSpan.FromSeconds(30);
                using var client = NewClient(server, timeout: TimeSpan.FromMilliseconds(200));
                await Assert.ThrowsExactlyAsync<TimeoutException>(() => client.PutRecordBatchAsync("s", Records(1), CancellationToken.None));
                Assert.AreEqual(0, server.AcceptedCount);
            }
            watch.Stop();

            // the server did not sit out the 30 s latency of the abandoned call when it stopped
            Assert.IsLessThan(TimeSpan.FromSeconds(10), watch.Elapsed);
        }

        [TestMethod]
        public async Task Outage_ServiceUnavailableOnThenOff_FailsThenSucceeds()
        {
            await using var server = await LoopbackFirehose.StartAsync();
            using var client = NewClient(server);
            await client.PutRecordBatchAsync("s", Records(1), CancellationToken.None);

            server.Faults.Outage = true;
            var ex = await Assert.ThrowsExactlyAsync<FirehoseServiceException>(() => client.PutRecordBatchAsync("s", Records(1, 1), CancellationToken.None));
            Assert.AreEqual(503, ex.StatusCode);
            Assert.AreEqual("ServiceUnavailableException", ex.ErrorCode);
            await Assert.ThrowsExactlyAsync<FirehoseServiceException>(() => client.PutRecordBatchAsync("s", Records(1, 2), CancellationToken.None));

            server.Faults.Outage = false;
            await client.PutRecordBatchAsync("s", Records(1, 3), CancellationToken.None);

            CollectionAssert.AreEqual(new[] { "id-0", "id-3" }, server.DistinctAcceptedIds().OrderBy(i => i, StringComparer.Ordinal).ToList());
            Assert.AreEqual(2, server.Faults.OutageCalls);
            Assert.AreEqual(2, server.Faults.SucceededCalls);
        }

        [TestMethod]
        public async Task Outage_ConnectionRefusedOnThenOff_RefusedByTheOsThenServedOnTheSamePort()
        {
            await using var server = await LoopbackFirehose.StartAsync();
            using var client = NewClient(server);
            await client.PutRecordBatchAsync("s", Records(1), CancellationToken.None);   // leaves a pooled connection open
            int port = server.Url.Port;

            server.Faults.OutageMode = OutageMode.ConnectionRefused;
            server.Faults.Outage = true;
            // at once, before the listener has closed: the pooled connection is dropped
            await Assert.ThrowsAsync<HttpRequestException>(() => client.PutRecordBatchAsync("s", Records(1, 1), CancellationToken.None));

            await server.ListenerSettledAsync();
            using (var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp))
            {
                var refused = await Assert.ThrowsAsync<SocketException>(() => probe.ConnectAsync(IPAddress.Loopback, port));
                Assert.AreEqual(SocketError.ConnectionRefused, refused.SocketErrorCode);
            }
            var ex = await Assert.ThrowsAsync<HttpRequestException>(() => client.PutRecordBatchAsync("s", Records(1, 2), CancellationToken.None));
            Assert.AreEqual(SocketError.ConnectionRefused, ((SocketException)ex.InnerException!).SocketErrorCode);

            server.Faults.Outage = false;
            await server.ListenerSettledAsync();
            await client.PutRecordBatchAsync("s", Records(1, 3), CancellationToken.None);

            Assert.AreEqual(port, server.Url.Port);
            CollectionAssert.AreEqual(new[] { "id-0", "id-3" }, server.DistinctAcceptedIds().OrderBy(i => i, StringComparer.Ordinal).ToList());
            // the refused call never reached HTTP; the first one did unless Kestrel closed the pooled connection first
            Assert.AreEqual(2 + server.Faults.OutageCalls, server.Faults.TotalCalls);
            Assert.IsLessThanOrEqualTo(1, server.Faults.OutageCalls);
        }

        [TestMethod]
        public async Task Outage_ConnectionRefusedToggledQuickly_ServesAfterwards()
        {
            await using var server = await LoopbackFirehose.StartAsync();
            server.Faults.OutageMode = OutageMode.ConnectionRefused;
            for (int i = 0; i < 3; i++)
            {
                server.Faults.Outage = true;
                server.Faults.Outage = false;
            }
            await server.ListenerSettledAsync();

            using var client = NewClient(server);
            await client.PutRecordBatchAsync("s", Records(1), CancellationToken.None);
            Assert.AreEqual(1, server.AcceptedCount);
        }

        [TestMethod]
        public async Task Outage_ConnectionRefusedRepeatedly_RebindsTheSamePortEachTime()
        {
            await using var server = await LoopbackFirehose.StartAsync();
            server.Faults.OutageMode = OutageMode.ConnectionRefused;
            for (int i = 0; i < 3; i++)
            {
                server.Faults.Outage = true;
                await server.ListenerSettledAsync();
                using (var refused = NewClient(server))
                    await Assert.ThrowsAsync<HttpRequestException>(() => refused.PutRecordBatchAsync("s", Records(1, i), CancellationToken.None));

                server.Faults.Outage = false;
                await server.ListenerSettledAsync();
                using var client = NewClient(server);
                await client.PutRecordBatchAsync("s", Records(1, i), CancellationToken.None);
            }

            Assert.AreEqual(3, server.AcceptedCount);
            Assert.AreEqual(0, server.Faults.OutageCalls);
            Assert.AreEqual(3, server.Faults.TotalCalls);
        }

        [TestMethod]
        public async Task VerifySignatures_Off_WrongSecretAccepted()
        {
            await using var server = await LoopbackFirehose.StartAsync();
            using var client = NewClient(server, secretKey: "wrong-secret");
            await Assert.ThrowsExactlyAsync<FirehoseServiceException>(() => client.PutRecordBatchAsync("s", Records(1), CancellationToken.None));

            server.Faults.VerifySignatures = false;
            var response = await client.PutRecordBatchAsync("s", Records(1), CancellationToken.None);

            Assert.AreEqual(0, response.FailedPutCount);
            Assert.AreEqual(1, server.AcceptedCount);
            Assert.IsNull(server.Calls.Last().SignatureProblem);
        }

        [TestMethod]
        public async Task Seed_SameSeed_SameFaultPattern()
        {
            string first, second, replay, otherSeed;
            await using (var server = await LoopbackFirehose.StartAsync())
            {
                first = await PatternAsync(server);
                server.Faults.Seed = FaultSettings.DefaultSeed;   // restarts the sequence
                replay = await PatternAsync(server);
                server.Faults.Seed = 42;
                otherSeed = await PatternAsync(server);
            }
            await using (var server = await LoopbackFirehose.StartAsync())
                second = await PatternAsync(server);

            Assert.AreEqual(first, second);
            Assert.AreEqual(first, replay);
            Assert.AreNotEqual(first, otherSeed);
            StringAssert.Contains(first, "T");   // each kind of fault shows up
            StringAssert.Contains(first, "5");
            StringAssert.Contains(first, "ok[");
        }

        /// <summary>30 sequential calls of 10 records; one token per call: T (throttled), 5 (HTTP 500) or ok[failed indexes].</summary>
        private static async Task<string> PatternAsync(LoopbackFirehose server)
        {
            server.Faults.ThrottleRate = 0.2;
            server.Faults.Http500Rate = 0.2;
            server.Faults.RecordFailureRate = 0.2;
            using var client = NewClient(server);
            var tokens = new List<string>();
            for (int i = 0; i < 30; i++)
            {
                try
                {
                    var response = await client.PutRecordBatchAsync("s", Records(10), CancellationToken.None);
                    tokens.Add("ok[" + string.Join(",", response.RequestResponses.Select((e, index) => e.Failed ? index + e.ErrorCode![0].ToString() : null).Where(t => t != null)) + "]");
                }
                catch (FirehoseServiceException ex)
                {
                    tokens.Add(ex.StatusCode == 503 ? "T" : "5");
                }
            }
            return string.Join(" ", tokens);
        }

        [TestMethod]
        public async Task Faults_ChangedFromAnotherThreadWhileCallsRun_CountersAddUp()
        {
            await using var server = await LoopbackFirehose.StartAsync();
            server.RecordCalls = false;
            using var stop = new CancellationTokenSource();
            var flipper = Task.Run(async () =>
            {
                bool on = false;
                while (!stop.IsCancellationRequested)
                {
                    on = !on;
                    server.Faults.ThrottleRate = on ? 0.5 : 0;
                    server.Faults.RecordFailureRate = on ? 0.1 : 0;
                    await Task.Delay(1);
                }
            });
            var callers = Enumerable.Range(0, 4).Select(c => Task.Run(async () =>
            {
                using var client = NewClient(server);
                int ok = 0;
                for (int i = 0; i < 25; i++)
                {
                    try
                    {
                        var response = await client.PutRecordBatchAsync("s", Records(20, c * 1000 + i * 20), CancellationToken.None);
                        ok += 20 - response.FailedPutCount;
                    }
                    catch (FirehoseServiceException ex) when (ex.StatusCode == 503)
                    {
                    }
                }
                return ok;
            })).ToList();
            int accepted = (await Task.WhenAll(callers)).Sum();
            await stop.CancelAsync();
            await flipper;

            Assert.AreEqual(100, server.Faults.TotalCalls);
            Assert.AreEqual(100, server.Faults.ThrottledCalls + server.Faults.SucceededCalls);
            Assert.AreEqual(accepted, server.AcceptedCount);
            Assert.AreEqual(server.Faults.SucceededCalls * 20 - server.Faults.FailedRecords, server.AcceptedCount);
            Assert.AreEqual(0, server.DuplicateCount());
            Assert.IsEmpty(server.Calls);
        }

        [TestMethod]
        public async Task Reset_AfterTraffic_ClearsCountersCallsAndAccepted()
        {
            await using var server = await LoopbackFirehose.StartAsync();
            using var client = NewClient(server);
            await client.PutRecordBatchAsync("s", Records(3), CancellationToken.None);
            server.Faults.ThrottleRate = 1;
            await Assert.ThrowsExactlyAsync<FirehoseServiceException>(() => client.PutRecordBatchAsync("s", Records(3), CancellationToken.None));

            server.Reset();

            Assert.IsEmpty(server.Calls);
            Assert.IsEmpty(server.Accepted);
            Assert.AreEqual(0, server.AcceptedCount);
            Assert.AreEqual(0, server.Faults.TotalCalls);
            Assert.AreEqual(0, server.Faults.ThrottledCalls);
            Assert.AreEqual(1.0, server.Faults.ThrottleRate);   // settings are kept

            server.Faults.ClearFaults();
            await client.PutRecordBatchAsync("s", Records(3), CancellationToken.None);
            Assert.AreEqual(3, server.AcceptedCount);
            Assert.AreEqual(0, server.DuplicateCount());
        }

        [TestMethod]
        public void Rates_OutsideZeroToOne_Refused()
        {
            var faults = new FaultSettings();
            Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => faults.ThrottleRate = 1.5);
            Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => faults.RecordFailureRate = -0.1);
            Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => faults.Http500Rate = double.NaN);
            Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => faults.Latency = TimeSpan.FromSeconds(-1));
            Assert.AreEqual(0, faults.ThrottleRate);
            Assert.IsTrue(faults.VerifySignatures);
            Assert.AreEqual(FaultSettings.DefaultSeed, faults.Seed);
        }
    }
}
