using System;
using System.IO;
using NLog.Common;

namespace NLog.Targets.Firehose.Tests.Infrastructure
{
    /// <summary>Captures NLog's InternalLogger output for the duration of a test (tests run one at a time).</summary>
    internal sealed class InternalLogCapture : IDisposable
    {
        private readonly StringWriter _writer = new StringWriter();
        private readonly LogLevel _previousLevel;
        private readonly TextWriter? _previousWriter;

        public InternalLogCapture(LogLevel? level = null)
        {
            _previousLevel = InternalLogger.LogLevel;
            _previousWriter = InternalLogger.LogWriter;
            InternalLogger.LogWriter = _writer;
            InternalLogger.LogLevel = level ?? LogLevel.Debug;
        }

        public string Text
        {
            get
            {
                lock (_writer)
                    return _writer.ToString();
            }
        }

        public void Dispose()
        {
            InternalLogger.LogLevel = _previousLevel;
            InternalLogger.LogWriter = _previousWriter;
        }
    }
}
