using System;
using System.Buffers;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;
using Microsoft.VisualStudio.TestTools.UnitTesting;
using NLog.Targets.Firehose.Client;

namespace NLog.Targets.Firehose.Tests.Client
{
    [TestClass]
    public class FirehoseProtocolTests
    {
        private static byte[] U(string s) => Encoding.UTF8.GetBytes(s);

        [TestMethod]
        public void WriteBody_TwoRecords_DeliveryStreamNameAndBase64Data()
        {
            var output = new ArrayBufferWriter<byte>();
            FirehoseProtocol.WritePutRecordBatchBody(output, "my-stream", new ReadOnlyMemory<byte>[] { U("hello\n"), U("wörld 🙂\n") });
            string json = Encoding.UTF8.GetString(output.WrittenSpan);
            Assert.AreEqual("{\"DeliveryStreamName\":\"my-stream\",\"Records\":[{\"Data\":\"aGVsbG8K\"},{\"Data\":\"" + Convert.ToBase64String(U("wörld 🙂\n")) + "\"}]}", json);
        }

        [TestMethod]
        public void WriteBody_BinaryAndEmptyRecords_RoundTripThroughBase64()
        {
            var records = new ReadOnlyMemory<byte>[] { new byte[] { 0, 255, 10, 13, 34, 92 }, Array.Empty<byte>(), new byte[1000] };
            var output = new ArrayBufferWriter<byte>();
            FirehoseProtocol.WritePutRecordBatchBody(output, "s", records);
            using var doc = JsonDocument.Parse(output.WrittenMemory);
            var data = doc.RootElement.GetProperty("Records").EnumerateArray().Select(r => r.GetProperty("Data").GetBytesFromBase64()).ToList();
            Assert.HasCount(3, data);
            for (int i = 0; i < records.Length; i++)
                CollectionAssert.AreEqual(records[i].ToArray(), data[i]);
        }

        [TestMethod]
        public void ParseResponse_AllAccepted_EntriesWithRecordIds()
        {
            var response = FirehoseProtocol.ParsePutRecordBatchResponse(U("{\"FailedPutCount\":0,\"Encrypted\":true,\"RequestResponses\":[{\"RecordId\":\"a\"},{\"RecordId\":\"b\"}]}"), 2);
            Assert.AreEqual(0, response.FailedPutCount);
            Assert.IsTrue(response.Encrypted);
            Assert.IsTrue(response.RequestResponses.All(e => e.HasRecordId), "each entry carried a RecordId");
            Assert.IsTrue(response.RequestResponses.All(e => ReferenceEquals(e, PutRecordBatchResponseEntry.Accepted)), "accepted entries make no object or string of their own");
            Assert.IsFalse(response.RequestResponses.Any(e => e.Failed));
        }

        [TestMethod]
        public void ParseResponse_PartialFailure_FailedEntriesWithCodeAndMessage()
        {
            string body = "{\"FailedPutCount\":2,\"Encrypted\":false,\"RequestResponses\":[" +
                "{\"RecordId\":\"a\"}," +
                "{\"ErrorCode\":\"ServiceUnavailableException\",\"ErrorMessage\":\"Slow down.\"}," +
                "{\"RecordId\":\"c\",\"Unknown\":{\"nested\":[1,2]}}," +
                "{\"ErrorCode\":\"InternalFailure\",\"ErrorMessage\":\"oops\"}]," +
                "\"SomethingNew\":42}";
            var response = FirehoseProtocol.ParsePutRecordBatchResponse(U(body), 4);
            Assert.AreEqual(2, response.FailedPutCount);
            Assert.IsFalse(response.Encrypted);
            CollectionAssert.AreEqual(new[] { false, true, false, true }, response.RequestResponses.Select(e => e.Failed).ToArray());
            Assert.AreEqual("ServiceUnavailableException", response.RequestResponses[1].ErrorCode);
            Assert.AreEqual("Slow down.", response.RequestResponses[1].ErrorMessage);
            Assert.AreEqual("InternalFailure", response.RequestResponses[3].ErrorCode);
            Assert.IsTrue(response.RequestResponses[2].HasRecordId);
            Assert.IsFalse(response.RequestResponses[1].HasRecordId);
        }

        [TestMethod]
        public void ParseResponse_FailedPutCountDisagreesWithEntries_EntriesWin()
        {
            var response = FirehoseProtocol.ParsePutRecordBatchResponse(U("{\"FailedPutCount\":0,\"RequestResponses\":[{\"ErrorCode\":\"InternalFailure\"}]}"), 1);
            Assert.AreEqual(1, response.FailedPutCount);
        }

        [TestMethod]
        public void ParseResponse_WrongEntryCount_InvalidData()
            => Assert.ThrowsExactly<InvalidDataException>(() => FirehoseProtocol.ParsePutRecordBatchResponse(U("{\"FailedPutCount\":0,\"RequestResponses\":[{\"RecordId\":\"a\"}]}"), 2));

        [TestMethod]
        public void ParseResponse_NoRequestResponses_InvalidData()
            => Assert.ThrowsExactly<InvalidDataException>(() => FirehoseProtocol.ParsePutRecordBatchResponse(U("{\"FailedPutCount\":0}"), 1));

        [TestMethod]
        public void ParseResponse_NotJson_InvalidData()
            => Assert.ThrowsExactly<InvalidDataException>(() => FirehoseProtocol.ParsePutRecordBatchResponse(U("<html>gateway</html>"), 1));

        [TestMethod]
        public void ParseResponse_Truncated_InvalidData()
            => Assert.ThrowsExactly<InvalidDataException>(() => FirehoseProtocol.ParsePutRecordBatchResponse(U("{\"FailedPutCount\":0,\"RequestResponses\":[{\"RecordId\":"), 1));

        [TestMethod]
        public void ParseError_TypeWithNamespace_Sanitised()
        {
            var ex = FirehoseProtocol.ParseError(400, null, "req-1", U("{\"__type\":\"com.amazonaws.firehose#ResourceNotFoundException\",\"message\":\"Firehose logs not found under account 123.\"}"));
            Assert.AreEqual("ResourceNotFoundException", ex.ErrorCode);
            Assert.AreEqual("Firehose logs not found under account 123.", ex.ServiceMessage);
            Assert.AreEqual(400, ex.StatusCode);
            Assert.AreEqual("req-1", ex.RequestId);
            StringAssert.Contains(ex.Message, "ResourceNotFoundException");
            StringAssert.Contains(ex.Message, "req-1");
        }

        [TestMethod]
        public void ParseError_HeaderWithUri_HeaderWinsAndSanitised()
        {
            var ex = FirehoseProtocol.ParseError(400, "AccessDeniedException:http://internal.amazon.com/coral/com.amazon.coral.service/", null, U("{\"__type\":\"Other\",\"Message\":\"User is not authorized\"}"));
            Assert.AreEqual("AccessDeniedException", ex.ErrorCode);
            Assert.AreEqual("User is not authorized", ex.ServiceMessage);
        }

        [TestMethod]
        public void ParseError_CodeField_Used()
            => Assert.AreEqual("InvalidKMSResourceException", FirehoseProtocol.ParseError(400, null, null, U("{\"code\":\"InvalidKMSResourceException\",\"message\":\"m\"}")).ErrorCode);

        [TestMethod]
        public void ParseError_503WithoutType_ServiceUnavailable()
            => Assert.AreEqual("ServiceUnavailableException", FirehoseProtocol.ParseError(503, null, null, Array.Empty<byte>()).ErrorCode);

        [TestMethod]
        public void ParseError_NonJsonBody_StatusAndExcerpt()
        {
            var ex = FirehoseProtocol.ParseError(502, null, null, U("<html>Bad Gateway\r\n</html>"));
            Assert.AreEqual("HttpStatus502", ex.ErrorCode);
            StringAssert.Contains(ex.ServiceMessage, "Bad Gateway");
            Assert.IsFalse(ex.ServiceMessage.Contains('\n'));
        }

        [TestMethod]
        public void SanitizeErrorType_Forms_BareShapeName()
        {
            Assert.AreEqual("ResourceNotFoundException", FirehoseProtocol.SanitizeErrorType("ResourceNotFoundException:http://x#y"));
            Assert.AreEqual("ValidationException", FirehoseProtocol.SanitizeErrorType("aws.protocoltests#ValidationException"));
            Assert.IsNull(FirehoseProtocol.SanitizeErrorType("  "));
        }
    }
}
