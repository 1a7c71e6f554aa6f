using System;
using System.Collections.Generic;
using System.Reflection;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using Amazon.Runtime;
using NLog.Common;
using NLog.Config;
using NLog.Layouts;
using NLog.Targets.Firehose.Batching;
using NLog.Targets.Firehose.Buffering;
using NLog.Targets.Firehose.Client;
using NLog.Targets.Firehose.Delivery;
using NLog.Targets.Firehose.Diagnostics;
using NLog.Targets.Firehose.Layouts;

namespace NLog.Targets
{
    /// <summary>
    /// Sends log events, rendered as JSON (one record per event), to an Amazon Kinesis Data Firehose delivery stream
    /// with signed PutRecordBatch calls, within the service's limits.
    /// </summary>
    /// <remarks>
    /// Register with <c>&lt;extensions&gt;&lt;add assembly="NLog.Targets.Firehose"/&gt;&lt;/extensions&gt;</c> or
    /// <c>LogManager.Setup().SetupExtensions(s =&gt; s.RegisterTarget&lt;FirehoseTarget&gt;())</c>, then use
    /// <c>&lt;target xsi:type="Firehose" deliveryStreamName="…"/&gt;</c>.
    /// </remarks>
    [Target("Firehose")]
    public partial class FirehoseTarget : AsyncTaskTarget
    {
        private readonly Func<FirehoseClientSettings, IFirehoseClient> _clientFactory;
        private readonly BatchPlanner _planner = new BatchPlanner();
        private readonly StringBuilder _render = new StringBuilder(1024);
        // The calls of the write in progress: free slots, and the calls in flight with their slots (MaxRequestsInFlight in all).
        // A new pool per initialisation: a write still finishing after a close returns its slots to its own pool.
        private Stack<CallSlot> _freeSlots = new Stack<CallSlot>();
        private Stack<CallSlot> _writeSlots = new Stack<CallSlot>();   // the pool of the write in progress
        private readonly List<(Task<int> Task, CallSlot Slot)> _inFlight = new List<(Task<int>, CallSlot)>();
        // Events of the last write that failed which Firehose did accept: when NLog retries that write (RetryCount),
        // they are not sent again. Per target and per failed write, so another target, or a later write of a reused
        // LogEventInfo, is never affected.
        private readonly HashSet<LogEventInfo> _acceptedInFailedWrite = new HashSet<LogEventInfo>(ReferenceEqualityComparer.Instance);
        private readonly List<LogEventInfo> _acceptedThisWrite = new List<LogEventInfo>();
        private readonly StreamStates _streams;
        private readonly Dictionary<string, List<LogEventInfo>> _byStream = new Dictionary<string, List<LogEventInfo>>(StringComparer.Ordinal);
        private readonly LogRateLimiter _logLimiter = new LogRateLimiter(TimeSpan.FromMinutes(1));
        // NLog runs one write at a time, but may start the next one when a timed-out write is slow to unwind:
        // the gate keeps the reused buffers above to one write.
        private readonly SemaphoreSlim _writeGate = new SemaphoreSlim(1, 1);
        private readonly string _defaultServiceName;
        private IFirehoseClient? _client;
        private volatile bool _failedThisWrite;
        private DiskBuffer? _buffer;
        private CancellationTokenSource? _replayStop;
        private Task? _replayTask;
        private Layout? _secretKey;
        private Layout? _sessionToken;
        private string? _fixedStreamName;
        private byte[] _delimiter = { (byte)'\n' };
        private NLogQueueProbe? _queueProbe;
        private QueueBudget _budget = new QueueBudget(10000, 64L * 1024 * 1024);
        private int _configuredQueueLimit = -1;
        private long _overflowUnreported;
        // Events NLog's Discard overflow drops, on their way to the disk buffer (only with a BufferDirectory), and how many
        // of them went there since the last Warn about it.
        private BackgroundQueue<AsyncLogEventInfo>? _spill;
        private long _spilledUnreported;
        // The close's write of what was still queued (it holds the write gate): its events as they settle.
        private CloseLedger? _closeLedger;
        // The stall pump (see CheckStall): a timer, the writes NLog started (to tell a stalled writer), and whether it runs.
        private Timer? _stallTimer;
        private int _writesStarted;
        private int _stallSeenAt = -1;
        private int _pumping;
        private volatile bool _pumpStopping;
        private Wrappers.AsyncTargetWrapperOverflowAction? _configuredOverflowAction;
        // OverflowAction Discard carried out by the target (NLog's queue set to Grow and trimmed by the probe), so that the
        // events it drops fail their writes.
        private volatile bool _trimming;
        // The failed writes of the events the target's Discard dropped, completed off the logging thread; the failure they
        // get (one per limit); and whether a nudge of NLog's writer is on its way (see OnQueueTrimmed).
        private BackgroundQueue<(AsyncContinuation Continuation, Exception Failure)>? _outbox;
        private (int Limit, FirehoseDeliveryException Failure)? _overflowFailure;
        private int _writerNudgePending;
        private AsyncContinuation? _nudgeDone;
        private CancellationTokenSource? _pumpStop;
        // The pump's batch in progress (taken from the queue, not yet written): a Flush waits for it.
        private Task _pumpBatch = Task.CompletedTask;
        private readonly Func<bool> _queueUnderPressure;

        /// <summary>
        /// Creates the target with defaults fitted to Firehose: <see cref="AsyncTaskTarget.BatchSize"/> 2000 (4 calls of 500 in flight),
        /// <see cref="AsyncTaskTarget.TaskDelayMilliseconds"/> 20, and the default JSON layout.
        /// </summary>
        /// <remarks>Default: see each property.</remarks>
        public FirehoseTarget()
            : this((Func<FirehoseClientSettings, IFirehoseClient>?)null)
        {
        }

        /// <summary>Creates the target with a name.</summary>
        /// <param name="name">The target's name.</param>
        /// <remarks>Default: as <see cref="FirehoseTarget()"/>.</remarks>
        public FirehoseTarget(string name)
            : this()
        {
            Name = name;
        }

        /// <summary>Creates the target with its Firehose client made by <paramref name="clientFactory"/> (tests).</summary>
        internal FirehoseTarget(Func<FirehoseClientSettings, IFirehoseClient>? clientFactory)
        {
            _clientFactory = clientFactory ?? (settings => new FirehoseHttpClient(settings.Endpoint, settings.Region, settings.Credentials, settings.RequestTimeout, owner: this));
            _queueUnderPressure = QueueUnderPressure;
            _defaultServiceName = Assembly.GetEntryAssembly()?.GetName().Name ?? "unknown_service";
            _streams = new StreamStates(name => new StreamState(name, TimeSpan.FromMilliseconds(RetryMaxDelayMilliseconds), BreakerFirstProbe, BreakerMaxProbe));
            Layout = FirehoseJsonLayout.Create(Layout.FromMethod(RenderServiceName, LayoutRenderOptions.ThreadAgnostic));

            // Inherited AsyncTaskTarget defaults, fitted to Firehose (documented in the README's parameter table).
            BatchSize = FirehoseLimits.MaxRecordsPerBatch * 4;   // one NLog batch fills MaxRequestsInFlight (4) calls
            // Gather events for 20 ms before a write. Under 50 ms, NLog does not pause after a write that was less than half
            // full, which at high rates would make the queue fill and wait.
            TaskDelayMilliseconds = 20;
            RetryDelayMilliseconds = 500;
            QueueLimit = 10000;
            // OverflowAction stays Discard (Block is the user's choice; inside a blocking AsyncWrapper the target blocks too).
        }

        /// <summary>
        /// The Firehose delivery stream to send to. Required. May vary per event (for example
        /// <c>${event-properties:stream}</c>): events that render different names go to different streams.
        /// A name is 1–64 characters of <c>[a-zA-Z0-9_.-]</c>.
        /// </summary>
        /// <remarks>Default: empty (must be set).</remarks>
        public Layout DeliveryStreamName { get; set; } = Layout.Empty;

        /// <summary>
        /// The AWS region, such as <c>eu-west-1</c>. When empty: the profile's region, then the region in
        /// <see cref="ServiceUrl"/>'s host, then AWSSDK.Core's default (<c>AWS_REGION</c>, <c>AWS_DEFAULT_REGION</c>,
        /// the shared config file, EC2 instance metadata).
        /// </summary>
        /// <remarks>Default: empty (resolved as described).</remarks>
        public Layout? Region { get; set; }

        /// <summary>
        /// An endpoint to use instead of <c>https://firehose.{region}.amazonaws.com</c>: a VPC endpoint, a FIPS
        /// endpoint, or a local Firehose-compatible endpoint (<c>http://</c> allowed).
        /// </summary>
        /// <remarks>Default: empty (the region's public endpoint).</remarks>
        public Layout? ServiceUrl { get; set; }

        /// <summary>A named profile in the shared AWS config/credentials files to take credentials (and region) from.</summary>
        /// <remarks>Default: empty (AWSSDK.Core's default credential chain).</remarks>
        public Layout? Profile { get; set; }

        /// <summary>The shared credentials file to read <see cref="Profile"/> from, when not the default location.</summary>
        /// <remarks>Default: empty (<c>~/.aws/credentials</c> and <c>~/.aws/config</c>, or the AWS_* environment variables that move them).</remarks>
        public Layout? ProfilesLocation { get; set; }

        /// <summary>An AWS access key id. Set with <see cref="SecretKey"/>; for example <c>${environment:MY_KEY_ID}</c>.</summary>
        /// <remarks>Default: empty (credentials from <see cref="Profile"/> or the default chain).</remarks>
        public Layout? AccessKey { get; set; }

        /// <summary>The AWS secret access key that goes with <see cref="AccessKey"/>. Never logged.</summary>
        /// <remarks>Default: empty.</remarks>
        public Layout? SecretKey { get => _secretKey; set => _secretKey = SecretLayout.Wrap(value); }

        /// <summary>A session token for temporary credentials given by <see cref="AccessKey"/>/<see cref="SecretKey"/>. Never logged.</summary>
        /// <remarks>Default: empty.</remarks>
        public Layout? SessionToken { get => _sessionToken; set => _sessionToken = SecretLayout.Wrap(value); }

        /// <summary>
        /// Bytes appended to every record, so that S3 objects hold one JSON document per line. The escapes
        /// <c>\n</c>, <c>\r</c>, <c>\t</c> and <c>\\</c> are understood (XML may also use <c>&amp;#10;</c>). Empty for none.
        /// </summary>
        /// <remarks>Default: <c>\n</c>.</remarks>
        public string RecordDelimiter { get; set; } = "\n";

        /// <summary>
        /// The <c>service.name</c> field of the default layout, so that many instances of one app can be told apart
        /// from other apps.
        /// </summary>
        /// <remarks>Default: the entry assembly's name.</remarks>
        public Layout? ServiceName { get; set; }

        /// <summary>
        /// What to do with an event whose record is larger than Firehose accepts (1,024,000 bytes, delimiter included):
        /// <see cref="FirehoseOversizeAction.Truncate"/> shrinks it (a JSON record stays valid JSON: its longest strings
        /// are cut and <c>event.truncated</c> is added; other layouts are cut at a UTF-8 character boundary);
        /// <see cref="FirehoseOversizeAction.Drop"/> drops it. Either way it is counted and reported.
        /// </summary>
        /// <remarks>Default: <see cref="FirehoseOversizeAction.Truncate"/>.</remarks>
        public FirehoseOversizeAction OversizeAction { get; set; } = FirehoseOversizeAction.Truncate;

        /// <summary>
        /// How many PutRecordBatch calls one write may have in flight at once (to one stream or several), 1 to 16. Against a
        /// real region each call takes tens of milliseconds, so one call at a time caps throughput. A write of
        /// <see cref="AsyncTaskTarget.BatchSize"/> events fills about BatchSize / 500 calls of unpacked small events (more
        /// when events are large and the 4 MiB limit cuts calls first; far fewer with <see cref="PackRecords"/>, which puts up
        /// to 500 events in one record), so keep BatchSize at about 500 × this. Each call in flight holds its records
        /// (up to about 5 MiB). Calls finish in any order, so records of one stream may arrive out of order (Firehose keeps
        /// no order across calls anyway).
        /// </summary>
        /// <remarks>Default: <c>4</c>.</remarks>
        public int MaxRequestsInFlight { get; set; } = 4;

        /// <summary>
        /// Packs several events into one Firehose record, separated by <see cref="RecordDelimiter"/>, up to
        /// <see cref="MaxPackedRecordBytes"/> and 500 events per record (never splitting an event). Firehose bills each
        /// record rounded up to 5 KB, so small events packed cost about their bytes instead of 5 KB each. Suited to S3
        /// destinations (and to Firehose's JSON/delimited deaggregation); not to an OpenSearch destination, which takes one
        /// document per record.
        /// </summary>
        /// <remarks>Default: <c>false</c>.</remarks>
        public bool PackRecords { get; set; }

        /// <summary>The largest record <see cref="PackRecords"/> makes, delimiters included (an event larger than this gets a record of its own).</summary>
        /// <remarks>Default: <c>1024000</c> (Firehose's record limit).</remarks>
        public int MaxPackedRecordBytes { get; set; } = FirehoseLimits.MaxRecordBytes;

        /// <summary>How long one PutRecordBatch call may take, connecting included, before it counts as failed.</summary>
        /// <remarks>Default: <c>30000</c>.</remarks>
        public int RequestTimeoutMilliseconds { get; set; } = 30000;

        /// <summary>
        /// The first retry's delay ceiling. Retries back off exponentially with full jitter: the delay before retry n
        /// is random in [0, min(<see cref="RetryMaxDelayMilliseconds"/>, this × 2^(n-1))].
        /// </summary>
        /// <remarks>Default: <c>100</c>.</remarks>
        public int RetryBaseDelayMilliseconds { get; set; } = 100;

        /// <summary>
        /// The longest delay between retries, and the longest gap the adaptive send rate puts between calls to a
        /// throttled stream.
        /// </summary>
        /// <remarks>Default: <c>10000</c>.</remarks>
        public int RetryMaxDelayMilliseconds { get; set; } = 10000;

        /// <summary>
        /// How long the target keeps trying to deliver an event (retries, throttling, an open circuit breaker) before it
        /// counts as undeliverable: then NLog is told the write failed, so a <c>FallbackGroup</c> can take it.
        /// <see cref="AsyncTaskTarget.TaskTimeoutSeconds"/> must be longer than this plus <see cref="RequestTimeoutMilliseconds"/>.
        /// </summary>
        /// <remarks>Default: <c>60000</c>.</remarks>
        public int DeliveryTimeoutMilliseconds { get; set; } = 60000;

        /// <summary>
        /// A directory for a durable buffer on disk (opt-in). What cannot be delivered now — the delivery timeout passes
        /// during an outage or an open circuit breaker, NLog's queue fills up while a call is retried, NLog's full queue
        /// drops events (OverflowAction Discard), or the target closes while retrying or with events still queued — is
        /// written there instead of being given up, and replayed, oldest first, when the stream answers again and at the
        /// next start. Several processes may share one directory. Data is flushed to the device on every write to the buffer.
        /// </summary>
        /// <remarks>Default: empty (no disk buffer).</remarks>
        public Layout? BufferDirectory { get; set; }

        /// <summary>
        /// The most bytes the disk buffer may hold. When it is full, the oldest data goes first; what goes is counted
        /// and reported in the internal log.
        /// </summary>
        /// <remarks>Default: <c>268435456</c> (256 MiB).</remarks>
        public long MaxBufferBytes { get; set; } = 256L * 1024 * 1024;

        /// <summary>
        /// The most bytes the events waiting in NLog's queue for this target may take, next to
        /// <see cref="AsyncTaskTarget.QueueLimit"/>'s count of events. An event's size is known once it is rendered, so the
        /// target estimates the rendered bytes per event from what it renders (a moving average over about the last 256
        /// events, starting at 1 KiB) and lowers the queue's limit to MaxQueueBytes / that estimate while it is below
        /// QueueLimit (<see cref="AsyncTaskTarget.QueueLimit"/> then reads the lowered limit). What happens when the queue
        /// is full is <see cref="AsyncTaskTarget.OverflowAction"/>'s: Discard drops the oldest events, counted and reported
        /// at Error level; Block makes the logging threads wait; Grow ignores both limits and lets memory grow without
        /// bound. With a <see cref="BufferDirectory"/>, once the queue is half full a call that fails stops retrying in
        /// memory and its records go to disk; and the events Discard drops go to disk instead of being lost, through a
        /// spill queue of up to QueueLimit events and MaxQueueBytes bytes more (by the estimate), written by one background
        /// task (what does not fit there either is dropped, counted and reported).
        /// </summary>
        /// <remarks>Default: <c>67108864</c> (64 MiB).</remarks>
        public long MaxQueueBytes { get; set; } = 64L * 1024 * 1024;

        /// <summary>The most events the overflow spill holds (0: the configured QueueLimit; tests lower it).</summary>
        internal int SpillLimit { get; set; }

        /// <summary>Events waiting in the overflow spill for the disk buffer (tests).</summary>
        internal int SpillCount => _spill?.Count ?? 0;

        /// <summary>The most failed writes of dropped events the outbox holds before a logging thread completes one itself (0: QueueLimit, at least 1024; tests lower it).</summary>
        internal int OutboxLimit { get; set; }

        /// <summary>Failed writes of dropped events waiting in the outbox, not the one being completed (tests).</summary>
        internal int OutboxCount => _outbox?.Count ?? 0;

        /// <summary>Items waiting in NLog's queue, flush requests included (tests; -1 without a view into the queue).</summary>
        internal int QueuedCount => _queueProbe?.Count ?? -1;

        /// <summary>The circuit breaker's first wait before probing a stream that refused a call retrying cannot fix (tests shorten it).</summary>
        internal TimeSpan BreakerFirstProbe { get; set; } = TimeSpan.FromSeconds(5);

        /// <summary>The circuit breaker's longest wait between probes.</summary>
        internal TimeSpan BreakerMaxProbe { get; set; } = TimeSpan.FromMinutes(5);

        /// <summary>The randomness of the backoff jitter (tests seed it).</summary>
        internal Random? JitterRandom { get; set; }

        /// <summary>Counts of what the target received, sent, dropped and failed.</summary>
        internal FirehoseStatistics Statistics { get; } = new FirehoseStatistics();

        /// <summary>The disk buffer, when <see cref="BufferDirectory"/> is set and the target is initialised (tests).</summary>
        internal DiskBuffer? Buffer => _buffer;

        /// <summary>Where the region comes from when no option gives one; AWSSDK.Core's fallback by default (tests replace it).</summary>
        internal Func<string?> RegionFallback { get; set; } = () => FallbackRegionFactory.GetRegionEndpoint()?.SystemName;

        /// <summary>The endpoint calls go to, once initialised.</summary>
        internal Uri? ResolvedEndpoint { get; private set; }

        /// <summary>The signing region, once initialised.</summary>
        internal string? ResolvedRegion { get; private set; }

        /// <inheritdoc/>
        protected override void InitializeTarget()
        {
            base.InitializeTarget();

            var nullEvent = LogEventInfo.CreateNullEvent();
            ValidateDeliveryStreamName(nullEvent);
            _delimiter = Encoding.UTF8.GetBytes(UnescapeDelimiter(RecordDelimiter ?? string.Empty));
            if (PackRecords && _delimiter.Length == 0)
                throw Config("PackRecords needs a RecordDelimiter (such as \\n) to separate the events packed into one record");
            if (_delimiter.Length >= FirehoseLimits.MaxRecordBytes)
                throw Config("RecordDelimiter is longer than a Firehose record may be");
            if (RequestTimeoutMilliseconds <= 0)
                throw Config($"RequestTimeoutMilliseconds must be a positive number of milliseconds, not {RequestTimeoutMilliseconds}");
            if (RetryBaseDelayMilliseconds < 1 || RetryMaxDelayMilliseconds < RetryBaseDelayMilliseconds)
                throw Config($"RetryBaseDelayMilliseconds ({RetryBaseDelayMilliseconds}) must be at least 1 and at most RetryMaxDelayMilliseconds ({RetryMaxDelayMilliseconds})");
            if (DeliveryTimeoutMilliseconds < 0)
                throw Config($"DeliveryTimeoutMilliseconds must not be negative, not {DeliveryTimeoutMilliseconds}");
            if (TaskTimeoutSeconds > 0 && TaskTimeoutSeconds * 1000L <= (long)DeliveryTimeoutMilliseconds + RequestTimeoutMilliseconds)
                throw Config($"TaskTimeoutSeconds ({TaskTimeoutSeconds}) must be longer than DeliveryTimeoutMilliseconds + RequestTimeoutMilliseconds ({DeliveryTimeoutMilliseconds} + {RequestTimeoutMilliseconds} ms), or NLog cancels writes that are still retrying: raise TaskTimeoutSeconds or lower the others");
            if (MaxRequestsInFlight < 1 || MaxRequestsInFlight > 16)
                throw Config($"MaxRequestsInFlight must be between 1 and 16, not {MaxRequestsInFlight}");
            if (PackRecords && (MaxPackedRecordBytes < 1 || MaxPackedRecordBytes > FirehoseLimits.MaxRecordBytes))
                throw Config($"MaxPackedRecordBytes must be between 1 and {FirehoseLimits.MaxRecordBytes} (Firehose's record limit), not {MaxPackedRecordBytes}");
            if (MaxQueueBytes < FirehoseLimits.MaxBatchBytes)
                throw Config($"MaxQueueBytes must be at least {FirehoseLimits.MaxBatchBytes} (4 MiB, one PutRecordBatch call), not {MaxQueueBytes}");

            Uri? serviceUrl = ParseServiceUrl(RenderOption(ServiceUrl, nullEvent));
            string? profile = RenderOption(Profile, nullEvent);
            string? profilesLocation = RenderOption(ProfilesLocation, nullEvent);
            string region = ResolveRegion(RenderOption(Region, nullEvent), profile, profilesLocation, serviceUrl);

            Uri endpoint;
            if (serviceUrl != null)
            {
                endpoint = serviceUrl;
            }
            else if (!FirehoseEndpointResolver.TryResolve(region, false, false, out Uri? resolved, out string? endpointError) || resolved is null)
            {
                throw Config($"No Firehose endpoint for region '{region}': {endpointError}. Set Region to a valid AWS region such as us-east-1, or set ServiceUrl");
            }
            else
            {
                endpoint = resolved;
            }

            AWSCredentials? credentials = AwsCredentialsFactory.Create(
                RenderOption(AccessKey, nullEvent), RenderOption(SecretKey, nullEvent), RenderOption(SessionToken, nullEvent),
                profile, profilesLocation, out string? credentialsError, out string credentialsSource);
            if (credentials is null)
                throw Config(credentialsError ?? "no AWS credentials source could be set up");

            ResolvedEndpoint = endpoint;
            ResolvedRegion = region;
            _client = _clientFactory(new FirehoseClientSettings(endpoint, region, credentials, TimeSpan.FromMilliseconds(RequestTimeoutMilliseconds)));
            var backoff = new Backoff(TimeSpan.FromMilliseconds(RetryBaseDelayMilliseconds), TimeSpan.FromMilliseconds(RetryMaxDelayMilliseconds), JitterRandom);
            // One slot more than calls in flight: the call being filled (it hands its last record to the next one).
            var slots = new Stack<CallSlot>();
            for (int i = 0; i <= MaxRequestsInFlight; i++)
                slots.Push(new CallSlot(new RecordSender(_client, backoff, Statistics, _logLimiter, this, eventsInRecord: EventsInRecord)));
            _freeSlots = slots;
            _streams.Clear();   // options may have changed since a previous initialisation
            StartBuffer(RenderOption(BufferDirectory, nullEvent), backoff);
            StartQueueProbe();
            StartSpill();
            StartObservability();
            InternalLogger.Info("{0}: sending to {1} (region {2}, stream {3}), credentials from {4}",
                this, endpoint, region, _fixedStreamName ?? DeliveryStreamName.ToString(), credentialsSource);
        }

        /// <inheritdoc/>
        protected override void CloseTarget()
        {
            // NLog's close clears its queue unseen: take what still waits there first. NLog has marked the target closed, so
            // no new event is queued; threads its Block overflow holds are woken by the draining and queue theirs, which
            // the drain waits a moment for.
            // The stall pump stops first: a batch it has taken gets the time queued events get at close, then is cancelled.
            _stallTimer?.Dispose();
            _stallTimer = null;
            _pumpStopping = true;
            Task pumpBatch = Volatile.Read(ref _pumpBatch);
            if (!pumpBatch.IsCompleted)
                ((IAsyncResult)pumpBatch).AsyncWaitHandle.WaitOne(CloseDeliveryTime + TimeSpan.FromSeconds(1));
            _pumpStop?.Cancel();
            _pumpStop?.Dispose();
            _pumpStop = null;
            NLogQueueProbe? probe = _queueProbe;
            List<AsyncLogEventInfo>? queued = probe?.Drain(OverflowActionInEffect == Wrappers.AsyncTargetWrapperOverflowAction.Block ? TimeSpan.FromMilliseconds(50) : TimeSpan.Zero);
            base.CloseTarget();   // cancels a write still retrying: what it holds goes to the disk buffer, if any
            _replayStop?.Cancel();
            if (probe != null && queued?.Count > 0)
                WriteQueuedAtClose(probe, queued);
            CloseSpill();   // what NLog's full queue dropped goes to disk before the buffer closes
            CloseOutbox();   // the dropped events' failed writes, to their fallback
            ReportOverflow(closing: true);
            _queueProbe = null;
            probe?.Dispose();
            if (_configuredQueueLimit >= 0)
                QueueLimit = _configuredQueueLimit;   // undo the lowering by MaxQueueBytes, for a later initialisation
            if (_configuredOverflowAction is { } configured)
                OverflowAction = configured;          // undo the Block taken on inside a blocking AsyncWrapper, or the Grow of trimming
            _configuredOverflowAction = null;
            _trimming = false;
            // Let a write still unwinding (NLog's, the pump's) finish with the client and the buffer before they go
            // (none of them needs the target's lock).
            if (_writeGate.Wait(TimeSpan.FromSeconds(10)))
                _writeGate.Release();
            if (_buffer != null)
            {
                _replayTask?.Wait(TimeSpan.FromSeconds(10));
                _buffer.Dispose();
                _buffer = null;
            }
            _replayStop?.Dispose();
            _replayStop = null;
            _replayTask = null;
            var client = Interlocked.Exchange(ref _client, null);
            client?.Dispose();
            StopObservability();
        }

        /// <summary>
        /// Called when NLog's writer starts a write, still under the target's lock and before NLog records the write as in
        /// progress (tests widen that window with it).
        /// </summary>
        internal Action? NLogWriteStarting { get; set; }

        /// <summary>Where the target looks for NLog's queue (tests name a field that does not exist, as a later NLog might).</summary>
        internal string QueueProbeField { get; set; } = NLogQueueProbe.QueueField;

        /// <summary>How long events still waiting in NLog's queue when the target closes get to be delivered.</summary>
        internal TimeSpan CloseDeliveryTime { get; set; } = TimeSpan.FromSeconds(5);

        private void StartQueueProbe()
        {
            _configuredQueueLimit = QueueLimit;
            Interlocked.Exchange(ref _overflowUnreported, 0);
            _queueProbe?.Dispose();
            bool behindBlockingWrapper = BlockLikeAnEnclosingAsyncWrapper();
            _budget = new QueueBudget(behindBlockingWrapper ? WrappedQueueLimit(QueueLimit, BatchSize) : QueueLimit, MaxQueueBytes);
            _queueProbe = NLogQueueProbe.TryCreate(this, OnQueueDropped, QueueProbeField, out string? whyNot);
            _trimming = false;
            if (_queueProbe != null && OverflowAction == Wrappers.AsyncTargetWrapperOverflowAction.Discard && _queueProbe.CanTrim)
            {
                // NLog's Discard drops the oldest event without a word to its continuation, so a FallbackGroup never hears
                // of it. The target carries out the Discard itself instead: NLog's queue grows, and the probe trims it back to
                // the limit at once, handing the events it takes to OnQueueTrimmed with their continuations.
                _configuredOverflowAction = OverflowAction;
                _outbox = new BackgroundQueue<(AsyncContinuation, Exception)>(this, OutboxLimit > 0 ? OutboxLimit : Math.Max(_budget.ConfiguredLimit, 1024), long.MaxValue, 64, CompleteAllDropped);
                _queueProbe.StartTrimming(this, () => _budget.Limit, limit => QueueLimit = limit, OnQueueTrimmed);
                OverflowAction = Wrappers.AsyncTargetWrapperOverflowAction.Grow;
                _trimming = true;
            }
            if (_queueProbe != null && OverflowAction == Wrappers.AsyncTargetWrapperOverflowAction.Block)
            {
                _pumpStopping = false;
                _pumpStop = new CancellationTokenSource();
                _stallTimer = new Timer(CheckStall, null, StallCheckInterval, StallCheckInterval);
            }
            if (_queueProbe != null && OverflowActionInEffect != Wrappers.AsyncTargetWrapperOverflowAction.Grow)
                QueueLimit = _budget.Limit;
            if (_queueProbe is null)
            {
                InternalLogger.Warn("{0}: cannot see into NLog's queue with this NLog version ({1}): events its Discard overflow drops are not counted, MaxQueueBytes does not apply, and events still queued at close are not written",
                    this, whyNot);
            }
        }

        /// <summary>How often the stall pump looks at NLog's queue (Block only).</summary>
        internal static readonly TimeSpan StallCheckInterval = TimeSpan.FromMilliseconds(50);

        /// <summary>How long the pump waits between looks while the queue is empty or NLog's writer is busy, and how many empty looks end it.</summary>
        private static readonly TimeSpan PumpIdleWait = TimeSpan.FromMilliseconds(5);
        private const int PumpIdleRounds = 200;

        /// <summary>
        /// Inside an AsyncWrapper whose OverflowAction is Block, a target that discards would lose what the blocking wrapper
        /// hands it as fast as it can: the target blocks too (Grow is left as configured).
        /// </summary>
        /// <returns>Whether every way to the target passes a blocking AsyncWrapper and the target now blocks too.</returns>
        private bool BlockLikeAnEnclosingAsyncWrapper()
        {
            LoggingConfiguration? configuration = LoggingConfiguration;
            if (OverflowAction == Wrappers.AsyncTargetWrapperOverflowAction.Grow || configuration is null)
                return false;
            // A target that rules write to directly is written to by the application's threads: it keeps its Discard.
            foreach (LoggingRule rule in configuration.LoggingRules)
            {
                if (rule.Targets.Contains(this))
                    return false;
            }
            var parents = new Dictionary<Target, List<Target>>();
            foreach (Target target in configuration.AllTargets)
            {
                IEnumerable<Target> children = target switch
                {
                    Wrappers.WrapperTargetBase wrapper when wrapper.WrappedTarget != null => new[] { wrapper.WrappedTarget },
                    Wrappers.CompoundTargetBase compound => compound.Targets,
                    _ => Array.Empty<Target>(),
                };
                foreach (Target child in children)
                {
                    if (!parents.TryGetValue(child, out var list))
                        parents[child] = list = new List<Target>();
                    if (!list.Contains(target))
                        list.Add(target);
                }
            }
            // Every way up from this target must pass a blocking AsyncWrapper first (then no application thread writes to
            // the target's queue; the wrapper's writer does).
            if (!AllPathsBlockAt(this, parents, new HashSet<Target>(), out Wrappers.AsyncTargetWrapper? wrapperFound) || wrapperFound is null)
                return false;
            if (OverflowAction == Wrappers.AsyncTargetWrapperOverflowAction.Discard)
            {
                _configuredOverflowAction = OverflowAction;
                OverflowAction = Wrappers.AsyncTargetWrapperOverflowAction.Block;
                InternalLogger.Info("{0}: inside {1} with OverflowAction Block, so the target blocks too instead of discarding what the wrapper hands it", this, wrapperFound);
            }
            return true;
        }

        /// <summary>
        /// The target's own queue limit behind a blocking AsyncWrapper: the wrapper's queue already holds what waits (and
        /// blocks the logging threads when full, losing nothing), so the target keeps only what its writes need next, two
        /// batches (at least 1000 events), instead of a second full queue. Every event waiting in either queue is alive for
        /// the garbage collector to trace and copy, and with two full queues that cost as much as the wrapper itself.
        /// </summary>
        internal static int WrappedQueueLimit(int configured, int batchSize)
            => (int)Math.Min(configured, Math.Max(2L * batchSize, 1000));

        private static bool AllPathsBlockAt(Target target, Dictionary<Target, List<Target>> parents, HashSet<Target> seen, out Wrappers.AsyncTargetWrapper? wrapper)
        {
            wrapper = null;
            if (!parents.TryGetValue(target, out var list) || list.Count == 0 || !seen.Add(target))
                return false;   // reached from rules (or a cycle): an application thread may write here
            foreach (Target parent in list)
            {
                if (parent is Wrappers.AsyncTargetWrapper async)
                {
                    if (async.OverflowAction != Wrappers.AsyncTargetWrapperOverflowAction.Block)
                        return false;
                    wrapper = async;
                    continue;
                }
                if (!AllPathsBlockAt(parent, parents, seen, out var above))
                    return false;
                wrapper ??= above;
            }
            return true;
        }

        /// <summary>
        /// The stall pump, for OverflowAction Block. A thread that writes to a full queue waits for room while it may hold the
        /// target's lock (an AsyncWrapper writes its batches under it), and NLog's writer needs that lock to take events:
        /// with NLog 6.2 that deadlocks. When the queue has held events for a tick with no write started and none running,
        /// the target takes events from the queue itself (without the lock), writes them and completes their continuations,
        /// and goes on doing so, next to NLog's writer and one write at a time, until the queue has been empty for about a
        /// second.
        /// </summary>
        private void CheckStall(object? state)
        {
            NLogQueueProbe? probe = _queueProbe;
            if (probe is null || Volatile.Read(ref _pumping) == 1)
                return;
            int writes = Volatile.Read(ref _writesStarted);
            if (probe.Count == 0 || _writeGate.CurrentCount == 0)
            {
                _stallSeenAt = -1;
                return;
            }
            if (_stallSeenAt != writes)
            {
                _stallSeenAt = writes;   // first sighting: NLog's writer gets one more tick
                return;
            }
            _stallSeenAt = -1;
            StartPump();
        }

        /// <summary>Starts the stall pump unless it runs.</summary>
        private void StartPump()
        {
            if (Interlocked.CompareExchange(ref _pumping, 1, 0) != 0)
                return;
            _ = Task.Run(PumpAsync);
        }

        /// <summary>
        /// At the end of a write NLog started, with OverflowAction Block: when NLog's queue is full and another thread holds
        /// the target's lock, that thread is most likely the AsyncWrapper's writer, waiting under the lock for room that
        /// NLog's writer (which needs the lock to take events) cannot make. The pump starts at once instead of after the
        /// stall timer's two looks (50–100 ms with nothing written), and drains next to NLog's writer, one write at a time.
        /// </summary>
        private void StartPumpIfWriterBlocked()
        {
            NLogQueueProbe? probe = _queueProbe;
            if (probe is null || _stallTimer is null || _pumpStopping || Volatile.Read(ref _pumping) == 1 || probe.Count * 2L < QueueLimit)
                return;
            if (Monitor.TryEnter(SyncRoot))
            {
                Monitor.Exit(SyncRoot);   // nobody waits under the lock: NLog's writer takes the next batch itself
                return;
            }
            StartPump();
        }

        private async Task PumpAsync()
        {
            try
            {
                if (_logLimiter.ShouldLog("stall-pump", out int suppressed))
                {
                    InternalLogger.Warn("{0}: NLog's queue holds events and its writer is stalled (OverflowAction Block, with the target written to under its lock, as inside an AsyncWrapper): the target drains the queue itself{1}",
                        this, LogRateLimiter.Suppressed(suppressed));
                }
                CancellationToken stop = _pumpStop?.Token ?? new CancellationToken(true);
                int idle = 0;
                while (!stop.IsCancellationRequested && !_pumpStopping)
                {
                    // Once a stall was seen, the queue stays drained here (next to NLog's writer, one write at a time)
                    // until it has been empty for a while: the blocked writer fills it again at once otherwise.
                    NLogQueueProbe? probe = _queueProbe;
                    if (probe is null)
                        break;
                    if (probe.Count == 0)
                    {
                        if (++idle >= PumpIdleRounds)
                            break;
                        await Task.Delay(PumpIdleWait, stop).ConfigureAwait(false);
                        continue;
                    }
                    // Events wait: the pump queues for the gate behind a write in progress (NLog's writer may be busy, or
                    // about to block on the lock the wrapper's writer holds), and takes the next batch as soon as that
                    // write is done, instead of looking again a few milliseconds later.
                    idle = 0;
                    await _writeGate.WaitAsync(stop).ConfigureAwait(false);
                    await PumpBatchAsync(probe, stop).ConfigureAwait(false);   // releases the gate
                }
            }
            catch (OperationCanceledException)
            {
                // the target closes: CloseTarget takes what is left
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                InternalLogger.Error(ex, "{0}: draining the stalled queue failed", this);
            }
            finally
            {
                Volatile.Write(ref _pumping, 0);
            }
        }

        /// <summary>
        /// Takes one batch from NLog's queue and writes it (holding the write gate, which it releases), then completes the
        /// continuations. A Flush that comes while the batch is out of the queue waits for it (<see cref="FlushAsync"/>).
        /// </summary>
        private async Task PumpBatchAsync(NLogQueueProbe probe, CancellationToken stop)
        {
            var batchDone = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            Volatile.Write(ref _pumpBatch, batchDone.Task);   // before taking: a Flush from now on waits for it
            var items = new List<AsyncLogEventInfo>();
            Exception? failure = null;
            try
            {
                try
                {
                    items = probe.Take(Math.Max(1, BatchSize));
                    var events = new List<LogEventInfo>(items.Count);
                    foreach (var item in items)
                    {
                        if (!probe.IsFlushRequest(item))
                            events.Add(item.LogEvent);
                    }
                    if (events.Count > 0)
                    {
                        Statistics.Received(events.Count);
                        ReportOverflow(closing: false);
                        try
                        {
                            await WriteBatchAsync(events, MonotonicClock.UtcNow.AddMilliseconds(DeliveryTimeoutMilliseconds), stop, nlogWrite: false).ConfigureAwait(false);
                        }
                        catch (Exception ex) when (ex is not OutOfMemoryException)
                        {
                            failure = ex;
                        }
                    }
                }
                finally
                {
                    _writeGate.Release();
                }
                foreach (var item in items)
                {
                    try
                    {
                        // A flush request taken here may have events before it in a write NLog's writer has taken but
                        // not finished: it is handed back to NLog's flush, which waits for that write too.
                        if (probe.IsFlushRequest(item))
                            HandBackFlush(item.Continuation);
                        else
                            item.Continuation(failure);
                    }
                    catch (Exception ex) when (ex is not OutOfMemoryException)
                    {
                        InternalLogger.Debug(ex, "{0}: a continuation failed", this);
                    }
                }
            }
            finally
            {
                batchDone.SetResult();
            }
        }

        /// <summary>
        /// Hands a flush request the pump (or the Discard's trimming) took from the queue back to NLog's flush, under the
        /// target's lock (SyncRoot), as NLog's own Flush calls it.
        /// </summary>
        /// <remarks>
        /// NLog's writer dequeues a batch and records its write as the task in progress (<c>_previousTask</c>) in one
        /// section under that lock. NLog's flush, called outside it, could come in between: the writer has just dequeued
        /// the events before the flush request (so the pump found only the request, or little else) but not yet recorded
        /// their write, so the flush sees an empty queue and a completed task and reports done while those events are
        /// still to be written (one whole batch). Under the lock the flush sees either the queue or the write in progress.
        /// The pump must not wait for the lock itself: the wrapper's writer may hold it while it waits for room in the
        /// queue that only the pump empties. So when the lock is not free at once, a thread of its own (not a pool
        /// thread, which blocked threads in NLog's queues may already be short of) waits for it.
        /// </remarks>
        private void HandBackFlush(AsyncContinuation continuation)
        {
            if (Monitor.TryEnter(SyncRoot))
            {
                try
                {
                    FlushUnderLock(continuation);
                }
                finally
                {
                    Monitor.Exit(SyncRoot);
                }
                return;
            }
            Task.Factory.StartNew(() =>
            {
                lock (SyncRoot)
                    FlushUnderLock(continuation);
            }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        }

        private void FlushUnderLock(AsyncContinuation continuation)
        {
            try
            {
                if (IsInitialized)
                    base.FlushAsync(continuation);
                else
                    continuation(null);   // closed meanwhile: as NLog's Flush of a closed target
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                continuation(ex);
            }
        }

        /// <summary>
        /// Flushes like NLog's AsyncTaskTarget, and also waits for a batch the stall pump has taken from the queue but not
        /// yet written (NLog knows nothing of it), and for the events NLog's full queue dropped to be written to the disk buffer.
        /// </summary>
        /// <param name="asyncContinuation">Called when everything written before the flush is done.</param>
        /// <remarks>Default: not applicable.</remarks>
        protected override void FlushAsync(AsyncContinuation asyncContinuation)
        {
            // The pump's batch is read only once NLog's flush is done (at once when NLog finds its queue empty): the pump
            // sets it before it takes events, so a batch taken before NLog looked at the queue is always seen here. Read
            // before NLog's flush, a batch taken in between would be missed and Flush would return before its events
            // were written.
            base.FlushAsync(FlushDone);

            void FlushDone(Exception? ex)
            {
                Task pumpBatch = Volatile.Read(ref _pumpBatch);
                // Events the full queue dropped on the way are on disk, or their writes failed (to a fallback), when the flush ends.
                Task spill = _spill?.WhenIdle() ?? Task.CompletedTask;
                Task outbox = _outbox?.WhenIdle() ?? Task.CompletedTask;
                if (pumpBatch.IsCompleted && spill.IsCompleted && outbox.IsCompleted)
                    asyncContinuation(ex);
                else
                    Task.WhenAll(pumpBatch, spill, outbox).ContinueWith(_ => asyncContinuation(ex), CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
            }
        }

        /// <summary>
        /// Called on the logging thread for each item NLog's Discard overflow drops: with a disk buffer, hands the event to the
        /// spill (which writes it to disk); without one, or when the spill is full, counts it (reported by the writer).
        /// </summary>
        private void OnQueueDropped(LogEventInfo logEvent, bool flushRequest)
        {
            if (flushRequest)
            {
                // Not an event: the Flush caller waits out its timeout.
                if (_logLimiter.ShouldLog("overflow-flush", out int suppressed))
                    InternalLogger.Warn("{0}: NLog's full queue dropped a flush request; its caller waits until its timeout{1}", this, LogRateLimiter.Suppressed(suppressed));
                return;
            }
            if (_spill?.TryAdd(new AsyncLogEventInfo(logEvent, NoContinuation), (long)_budget.EventBytes) == true)
                return;
            CountOverflowDrop(1);
        }

        private static readonly AsyncContinuation NoContinuation = _ => { };

        /// <summary>
        /// What the Discard overflow is while the target runs: Discard when the target carries it out (NLog's queue then
        /// reads Grow), else NLog's OverflowAction as it is (Block inside a blocking AsyncWrapper).
        /// </summary>
        internal Wrappers.AsyncTargetWrapperOverflowAction OverflowActionInEffect
            => _trimming ? Wrappers.AsyncTargetWrapperOverflowAction.Discard : OverflowAction;

        /// <summary>
        /// Called on the logging thread, inside NLog's enqueue, with the oldest items the target's Discard took out of
        /// NLog's full queue: a flush request goes back to the end of the queue (everything before it has been written or
        /// is being written, and its caller must not wait out its timeout); with a disk buffer an event goes to the spill,
        /// which completes its continuation once it is on disk; else, or when the spill is full, the event is counted as
        /// dropped and its write fails, through the outbox, so that a FallbackGroup hands it to its next target.
        /// </summary>
        private void OnQueueTrimmed(List<AsyncLogEventInfo> items)
        {
            NLogQueueProbe? probe = _queueProbe;
            bool ranInline = false;
            foreach (AsyncLogEventInfo item in items)
            {
                if (probe?.IsFlushRequest(item) == true)
                {
                    RequeueFlush(item.Continuation);
                    continue;
                }
                if (_spill?.TryAdd(item, (long)_budget.EventBytes) == true)
                    continue;
                CountOverflowDrop(1);
                Exception failure = OverflowFailure();
                if (_outbox is { } outbox)
                {
                    // When the failures are handled more slowly than events are dropped, this thread handles the oldest.
                    while (!outbox.TryAdd((item.Continuation, failure)))
                    {
                        if (!outbox.TryTakeOldest(out var oldest))
                        {
                            CompleteDropped(item.Continuation, failure);   // refused while empty: closed meanwhile
                            break;
                        }
                        CompleteDropped(oldest.Continuation, oldest.Failure);
                        ranInline = true;
                    }
                }
                else
                {
                    CompleteDropped(item.Continuation, failure);
                }
            }
            if (ranInline)
                NudgeWriterSoon();
        }

        /// <summary>The outbox's task: completes the failed writes of dropped events, in order.</summary>
        private void CompleteAllDropped(List<(AsyncContinuation Continuation, Exception Failure)> items)
        {
            foreach (var (continuation, failure) in items)
                CompleteDropped(continuation, failure);
        }

        /// <summary>Waits a moment for the outbox's task, then completes what still waits on this thread.</summary>
        private void CloseOutbox()
        {
            var outbox = Interlocked.Exchange(ref _outbox, null);
            if (outbox is null)
                return;
            CompleteAllDropped(outbox.Close(TimeSpan.FromSeconds(5)));
        }

        /// <summary>The failure a dropped event's write gets: one instance while the limit stays the same.</summary>
        private Exception OverflowFailure()
        {
            int limit = _budget.Limit;
            if (_overflowFailure is { } cached && cached.Limit == limit)
                return cached.Failure;
            var failure = new FirehoseDeliveryException($"NLog's queue for the target was full (OverflowAction Discard, QueueLimit {limit}): the oldest waiting events were dropped", 1);
            _overflowFailure = (limit, failure);
            return failure;
        }

        /// <summary>
        /// After the logging thread ran a slow continuation inside NLog's enqueue, NLog's writer may have emptied the queue
        /// and stopped meanwhile; the event being added then does not start it again (NLog counted it before the queue was
        /// empty). A flush, shortly after (once the event is in the queue), does: at most one on its way at a time.
        /// </summary>
        private void NudgeWriterSoon()
        {
            // One nudge at a time, until its flush completes: the flush requests of nudges never pile up in the queue.
            if (Interlocked.Exchange(ref _writerNudgePending, 1) != 0)
                return;
            Task.Delay(WriterNudgeDelay).ContinueWith(_ =>
            {
                try
                {
                    Flush(_nudgeDone ??= _ => Volatile.Write(ref _writerNudgePending, 0));
                }
                catch (Exception ex) when (ex is not OutOfMemoryException)
                {
                    Volatile.Write(ref _writerNudgePending, 0);
                    InternalLogger.Debug(ex, "{0}: restarting NLog's writer after a slow failure handler failed", this);
                }
            }, CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
        }

        private static readonly TimeSpan WriterNudgeDelay = TimeSpan.FromMilliseconds(20);

        /// <summary>
        /// Completes the write of an event the full queue took out (fails it with <paramref name="failure"/>, or succeeds
        /// with null), on the calling thread; what the continuation throws (NLog's ThrowExceptions, a failing fallback) is
        /// logged, never passed to the application.
        /// </summary>
        private void CompleteDropped(AsyncContinuation continuation, Exception? failure)
        {
            try
            {
                continuation(failure);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                if (_logLimiter.ShouldLog("overflow-continuation", out int suppressed))
                    InternalLogger.Warn(ex, "{0}: the write of an event the full queue dropped failed, and its continuation threw{1}", this, LogRateLimiter.Suppressed(suppressed));
            }
        }

        /// <summary>Queues a flush request the full queue reached again, behind the newer events (from the thread pool: the logging thread may hold NLog's queue).</summary>
        private void RequeueFlush(AsyncContinuation continuation)
        {
            if (_logLimiter.ShouldLog("overflow-flush-requeued", out int suppressed))
                InternalLogger.Debug("{0}: NLog's full queue reached a flush request; it waits behind the newer events now{1}", this, LogRateLimiter.Suppressed(suppressed));
            // Handed back as the stall pump hands back a flush request it took (its continuation is already this target's
            // FlushAsync's), from the thread pool: this thread is inside NLog's enqueue, maybe holding NLog's queue lock,
            // and must not take the target's lock (NLog's writer takes the two the other way round).
            ThreadPool.UnsafeQueueUserWorkItem(state => HandBackFlush((AsyncContinuation)state!), continuation);
        }

        /// <summary>Counts <paramref name="events"/> events lost to NLog's full queue, for the statistics and the next overflow report.</summary>
        private void CountOverflowDrop(int events)
        {
            Statistics.DroppedOverflow(events);
            Interlocked.Add(ref _overflowUnreported, events);
        }

        /// <summary>With a disk buffer and a view into NLog's queue (and OverflowAction Discard), starts the overflow spill.</summary>
        private void StartSpill()
        {
            _spill = null;
            Interlocked.Exchange(ref _spilledUnreported, 0);
            DiskBuffer? buffer = _buffer;
            if (buffer is null || _queueProbe is null || OverflowActionInEffect != Wrappers.AsyncTargetWrapperOverflowAction.Discard)
                return;
            // The spill's task has its own render buffer and record buffers (the write path's are not thread-safe).
            var render = new StringBuilder(1024);
            var byStream = new Dictionary<string, RecordBuffer>(StringComparer.Ordinal);
            _spill = new BackgroundQueue<AsyncLogEventInfo>(this,
                SpillLimit > 0 ? SpillLimit : _budget.ConfiguredLimit,
                MaxQueueBytes,
                FirehoseLimits.MaxRecordsPerBatch,
                events =>
                {
                    try
                    {
                        WriteSpilled(events, buffer, render, byStream);
                    }
                    catch (Exception ex) when (ex is not OutOfMemoryException)
                    {
                        OnSpillFailed(events, ex);
                    }
                });
        }

        /// <summary>Stops the spill taking events and writes what it holds to disk; what is left after the wait is counted as dropped.</summary>
        private void CloseSpill()
        {
            BackgroundQueue<AsyncLogEventInfo>? spill = Interlocked.Exchange(ref _spill, null);
            if (spill is null)
                return;
            List<AsyncLogEventInfo> left = spill.Close(CloseDeliveryTime + TimeSpan.FromSeconds(5));
            if (left.Count > 0)
            {
                CountOverflowDrop(left.Count);
                var failure = new FirehoseDeliveryException($"{left.Count} events that NLog's full queue dropped were not written to the disk buffer before the target closed", left.Count);
                foreach (AsyncLogEventInfo item in left)
                    CompleteDropped(item.Continuation, failure);
            }
            ReportSpilled(closing: true);
        }

        private void OnSpillFailed(List<AsyncLogEventInfo> events, Exception ex)
        {
            CountOverflowDrop(events.Count);
            InternalLogger.Error(ex, "{0}: writing {1} events that NLog's full queue dropped to the disk buffer failed", this, events.Count);
            foreach (AsyncLogEventInfo item in events)
                CompleteDropped(item.Continuation, ex);
        }

        /// <summary>
        /// The spill's task: renders events NLog's full queue dropped (into its own <paramref name="render"/> buffer), groups
        /// them by stream, handles oversized records as the write does, and appends them to <paramref name="buffer"/> in
        /// frames of at most one call (500 records, 4 MiB), as the replayer sends them. What the disk refuses is dropped
        /// and counted as overflow, and fails the writes of the events of that stream in the batch (some of them may be on
        /// disk all the same); the other events' writes succeed (an event dropped as invalid or oversized is reported as
        /// the write reports it).
        /// </summary>
        private void WriteSpilled(List<AsyncLogEventInfo> events, DiskBuffer buffer, StringBuilder render, Dictionary<string, RecordBuffer> byStream)
        {
            Statistics.Received(events.Count);
            var streams = new string?[events.Count];
            HashSet<string>? refused = null;
            try
            {
                for (int e = 0; e < events.Count; e++)
                {
                    LogEventInfo logEvent = events[e].LogEvent;
                    string name = _fixedStreamName ?? DeliveryStreamName.Render(logEvent);
                    if (_fixedStreamName is null && !IsValidStreamName(name, logEvent, settle: false))
                        continue;
                    streams[e] = name;
                    if (!byStream.TryGetValue(name, out RecordBuffer? records))
                        byStream[name] = records = new RecordBuffer();
                    AddRecord(records, render, logEvent, settle: false);
                }
                var frame = new List<ReadOnlyMemory<byte>>();
                foreach (var (stream, records) in byStream)
                {
                    long frameBytes = 0;
                    bool stored = true;
                    for (int i = 0; i < records.Count; i++)
                    {
                        int recordSize = records.Sizes[i];
                        if (_planner.StartsNewCall(frame.Count, frameBytes, recordSize))
                        {
                            stored &= AppendSpilled(buffer, stream, frame);
                            frameBytes = 0;
                        }
                        frame.Add(records[i]);
                        frameBytes += recordSize;
                    }
                    stored &= AppendSpilled(buffer, stream, frame);
                    if (!stored)
                        (refused ??= new HashSet<string>(StringComparer.Ordinal)).Add(stream);
                }
            }
            finally
            {
                foreach (RecordBuffer records in byStream.Values)
                    records.Clear();
                if (byStream.Count > 64)
                    byStream.Clear();
                ShrinkRenderBuffer(render);
            }
            ReportSpilled(closing: false);
            FirehoseDeliveryException? failure = null;
            for (int e = 0; e < events.Count; e++)
            {
                if (refused != null && streams[e] is string stream && refused.Contains(stream))
                {
                    failure ??= new FirehoseDeliveryException($"the disk buffer refused events that NLog's full queue dropped (stream {stream})", 1);
                    CompleteDropped(events[e].Continuation, failure);
                }
                else
                {
                    CompleteDropped(events[e].Continuation, null);
                }
            }
        }

        /// <summary>
        /// Appends one frame of spilled records (and empties <paramref name="frame"/>), counting them as buffered for the
        /// overflow, or dropped; false when the disk refused them.
        /// </summary>
        private bool AppendSpilled(DiskBuffer buffer, string stream, List<ReadOnlyMemory<byte>> frame)
        {
            if (frame.Count == 0)
                return true;
            bool stored = buffer.Append(stream, frame);
            if (stored)
            {
                Statistics.Buffered(frame.Count, stream, overflow: true);
                Interlocked.Add(ref _spilledUnreported, frame.Count);
            }
            else
            {
                // The disk refused them (DiskBuffer logged why): lost like any other overflow drop.
                CountOverflowDrop(frame.Count);
            }
            frame.Clear();
            return stored;
        }

        /// <summary>Reports at Warn, at most once a minute (and at close), the events NLog's full queue dropped that went to disk since the last report.</summary>
        private void ReportSpilled(bool closing)
        {
            if (Interlocked.Read(ref _spilledUnreported) == 0 || (!closing && !_logLimiter.ShouldLog("overflow-spilled", out _)))
                return;
            long spilled = Interlocked.Exchange(ref _spilledUnreported, 0);
            if (spilled == 0)
                return;
            InternalLogger.Warn("{0}: NLog's queue for the target was full (OverflowAction Discard, QueueLimit {1}): {2} events it dropped went to the disk buffer instead, to be sent from there. Raise QueueLimit or MaxQueueBytes if this goes on",
                this, _budget.Limit, spilled);
        }

        /// <summary>Reports, at most once a minute (and at close), the events NLog's overflow dropped since the last report.</summary>
        private void ReportOverflow(bool closing)
        {
            if (Interlocked.Read(ref _overflowUnreported) == 0 || (!closing && !_logLimiter.ShouldLog("overflow", out _)))
                return;
            long dropped = Interlocked.Exchange(ref _overflowUnreported, 0);
            if (dropped == 0)
                return;
            string lowered = _budget.Limit < _budget.ConfiguredLimit
                ? $", lowered from {_budget.ConfiguredLimit} by MaxQueueBytes {MaxQueueBytes} for events of about {_budget.EventBytes:F0} bytes"
                : string.Empty;
            string advice = _buffer is null
                ? "Raise QueueLimit or MaxQueueBytes, set BufferDirectory so that slow delivery spills to disk, or log less"
                : "The disk buffer could not take them either (its spill queue was full, or the disk refused them). Raise QueueLimit or MaxQueueBytes, or log less";
            string failed = _trimming ? " Their writes failed, so a FallbackGroup around the target hands them to its next target." : string.Empty;
            InternalLogger.Error("{0}: dropped {1} events because NLog's queue for the target was full (OverflowAction Discard, QueueLimit {2}{3}); the oldest waiting events go first.{4} {5}",
                this, dropped, _budget.Limit, lowered, failed, advice);
        }

        /// <summary>
        /// Lowers NLog's queue limit to what <see cref="MaxQueueBytes"/> allows for events of the size just rendered
        /// (<paramref name="events"/> events, <paramref name="bytes"/> bytes), or raises it back towards QueueLimit.
        /// </summary>
        private void ApplyBudget(int events, long bytes)
        {
            if (_queueProbe is null)
                return;
            _budget.Observe(events, bytes);
            int limit = _budget.Limit;
            if (OverflowActionInEffect != Wrappers.AsyncTargetWrapperOverflowAction.Grow && QueueLimit != limit)
            {
                bool raised = limit > QueueLimit;
                QueueLimit = limit;
                // A raised limit does not wake threads NLog's Block overflow holds; a dequeue (even of nothing) does.
                if (raised && OverflowActionInEffect == Wrappers.AsyncTargetWrapperOverflowAction.Block)
                    _queueProbe?.Take(0);
            }
        }

        /// <summary>Whether NLog's queue is half full or more, so that a disk buffer should take what is not delivered at once.</summary>
        private bool QueueUnderPressure()
        {
            NLogQueueProbe? probe = _queueProbe;
            return probe != null && _budget.IsUnderPressure(probe.Count);
        }

        /// <summary>
        /// Delivers the events that still waited in NLog's queue when the target closed, within <see cref="CloseDeliveryTime"/>;
        /// what is not delivered goes to the disk buffer, or is reported at Error level and failed to NLog. Then completes
        /// their continuations and the flush requests among them.
        /// </summary>
        private void WriteQueuedAtClose(NLogQueueProbe probe, List<AsyncLogEventInfo> queued)
        {
            var events = new List<LogEventInfo>(queued.Count);
            foreach (var item in queued)
            {
                if (!probe.IsFlushRequest(item))
                    events.Add(item.LogEvent);
            }
            Exception? failure = null;
            if (events.Count > 0)
            {
                InternalLogger.Debug("{0}: closing with {1} events still queued: delivering them", this, events.Count);
                Statistics.Received(events.Count);
                var ledger = new CloseLedger(events.Count);
                Task write = Task.Run(() => WriteAtCloseAsync(events, ledger));
                TimeSpan wait = CloseDeliveryTime + CloseWriteGrace;
                if (!((IAsyncResult)write).AsyncWaitHandle.WaitOne(wait))
                {
                    // The write goes on in the background (a call that ignores its cancellation); what it has not settled
                    // yet is given up now, counted once here, and the write counts (and keeps on disk) nothing more.
                    int left = ledger.Abandon();
                    Statistics.Undeliverable(left);
                    failure = new FirehoseDeliveryException($"{left} of {events.Count} events queued at close were not written within {wait.TotalSeconds:0.#} s", left);
                }
                else if (write.Exception?.GetBaseException() is Exception ex)
                {
                    failure = ex;
                    int left = ledger.Abandon();   // an unexpected error: what the write had not counted
                    if (left > 0)
                        Statistics.Undeliverable(left);
                }
                if (failure != null)
                {
                    InternalLogger.Error("{0}: closed with {1} events that were still queued and could not be delivered{2}: {3}",
                        this, ledger.Failed, _buffer is null ? " (no BufferDirectory to keep them)" : string.Empty, failure.Message);
                }
            }
            foreach (var item in queued)
            {
                try
                {
                    item.Continuation(failure);   // a flush request too: NLog tells a flush the write's outcome
                }
                catch (Exception ex) when (ex is not OutOfMemoryException)
                {
                    InternalLogger.Debug(ex, "{0}: a continuation failed at close", this);
                }
            }
        }

        /// <summary>How long, past <see cref="CloseDeliveryTime"/>, the close waits for its write of the queued events (tests shorten it).</summary>
        internal TimeSpan CloseWriteGrace { get; set; } = TimeSpan.FromSeconds(15);

        private async Task WriteAtCloseAsync(List<LogEventInfo> events, CloseLedger ledger)
        {
            using var stop = new CancellationTokenSource(CloseDeliveryTime);
            if (!await _writeGate.WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false))
            {
                if (ledger.Settle(events.Count, failed: true))
                    Statistics.Undeliverable(events.Count);
                throw new FirehoseDeliveryException($"{events.Count} events queued at close were not written: an earlier write did not finish", events.Count);
            }
            Volatile.Write(ref _closeLedger, ledger);
            try
            {
                await WriteBatchAsync(events, MonotonicClock.UtcNow + CloseDeliveryTime, stop.Token, nlogWrite: false).ConfigureAwait(false);
            }
            finally
            {
                Volatile.Write(ref _closeLedger, null);
                _writeGate.Release();
            }
        }

        /// <summary>
        /// Whether <paramref name="events"/> events of the write settled now may be counted: always, except in the close's
        /// write once the close stopped waiting for it (then the close counted them).
        /// </summary>
        private bool Settle(int events, bool failed = false) => Volatile.Read(ref _closeLedger)?.Settle(events, failed) ?? true;

        /// <summary>The events in a packed record: its delimiters (an event's rendering rarely holds the delimiter itself).</summary>
        private int CountDelimiters(ReadOnlyMemory<byte> record)
        {
            ReadOnlySpan<byte> span = record.Span;
            ReadOnlySpan<byte> delimiter = _delimiter;
            int count = 0;
            for (int at = span.IndexOf(delimiter); at >= 0; at = span.IndexOf(delimiter))
            {
                count++;
                span = span.Slice(at + delimiter.Length);
            }
            return Math.Max(1, count);
        }

        private void StartBuffer(string? directory, Backoff backoff)
        {
            if (directory is null)
                return;
            if (MaxBufferBytes < 1024 * 1024)
                throw Config($"MaxBufferBytes must be at least 1048576 (1 MiB), not {MaxBufferBytes}");
            try
            {
                _buffer = new DiskBuffer(System.IO.Path.GetFullPath(directory), MaxBufferBytes);
            }
            catch (Exception ex) when (ex is System.IO.IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException or System.Security.SecurityException)
            {
                throw Config($"BufferDirectory '{directory}' cannot be used ({ex.GetType().Name}: {ex.Message}): give a directory this process may create and write, or leave BufferDirectory empty");
            }
            var replayer = new BufferReplayer(_buffer, new RecordSender(_client!, backoff, Statistics, _logLimiter, this, eventsInRecord: EventsInRecord), _streams, Statistics, _logLimiter, this,
                idle: TimeSpan.FromMilliseconds(Math.Min(1000, Math.Max(50, RetryBaseDelayMilliseconds * 4))),
                waitAfterFailure: TimeSpan.FromMilliseconds(Math.Max(RetryMaxDelayMilliseconds, 100)),
                attempt: TimeSpan.FromMilliseconds(Math.Min(Math.Max(DeliveryTimeoutMilliseconds, 1000), 30000)),
                eventsInRecord: PackRecords ? CountDelimiters : null);
            _replayStop = new CancellationTokenSource();
            var stop = _replayStop.Token;
            _replayTask = Task.Run(() => replayer.RunAsync(stop));
            var buffer = _buffer;
            InternalLogger.Info("{0}: disk buffer in {1} ({2} bytes now, at most {3})", this, buffer.DirectoryPath, buffer.SizeBytes, MaxBufferBytes);
        }


        /// <summary>Not used: the target always writes batches. Hands the event to the batch write.</summary>
        /// <param name="logEvent">The event.</param>
        /// <param name="cancellationToken">Cancelled when the write times out or the target closes.</param>
        /// <remarks>Default: not applicable.</remarks>
        protected sealed override Task WriteAsyncTask(LogEventInfo logEvent, CancellationToken cancellationToken)
            => WriteAsyncTask(new[] { logEvent }, cancellationToken);

        /// <summary>
        /// Renders the events, groups them by delivery stream, splits each group into calls within the service limits,
        /// and sends them. Throws when any record was not delivered, so NLog reports the failure.
        /// </summary>
        /// <param name="logEvents">The events NLog dequeued (up to <see cref="AsyncTaskTarget.BatchSize"/>).</param>
        /// <param name="cancellationToken">Cancelled when the write times out or the target closes.</param>
        /// <remarks>Default: not applicable.</remarks>
        protected override async Task WriteAsyncTask(IList<LogEventInfo> logEvents, CancellationToken cancellationToken)
        {
            NLogWriteStarting?.Invoke();
            Interlocked.Increment(ref _writesStarted);
            Statistics.Received(logEvents.Count);
            try
            {
                await _writeGate.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // Cancelled while an earlier, timed-out write still held the buffers: a cancelled task would tell NLog
                // "done", so report the events as not delivered instead.
                Statistics.Undeliverable(logEvents.Count);
                if (_logLimiter.ShouldLog("gate-cancelled", out int suppressed))
                {
                    InternalLogger.Error("{0}: gave up on {1} events: the write was cancelled (target closing or TaskTimeoutSeconds) while an earlier write was still running{2}",
                        this, logEvents.Count, LogRateLimiter.Suppressed(suppressed));
                }
                throw new FirehoseDeliveryException($"{logEvents.Count} events were not delivered to Firehose: the write was cancelled before it could start", logEvents.Count);
            }
            try
            {
                ReportOverflow(closing: false);
                await WriteBatchAsync(logEvents, MonotonicClock.UtcNow.AddMilliseconds(DeliveryTimeoutMilliseconds), cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                _writeGate.Release();
                StartPumpIfWriterBlocked();
            }
        }

        /// <summary>
        /// Writes <paramref name="logEvents"/>. <paramref name="nlogWrite"/>: a write NLog started (and may re-run with its
        /// RetryCount), which alone keeps the record of accepted events for that re-run; the stall pump's and the close's
        /// writes leave it alone.
        /// </summary>
        private async Task WriteBatchAsync(IList<LogEventInfo> logEvents, DateTime deadline, CancellationToken cancellationToken, bool nlogWrite = true)
        {
            if (_client is null || _freeSlots.Count == 0)
                throw new InvalidOperationException("the Firehose target is not initialised");
            _writeSlots = _freeSlots;
            var failures = new List<string>();
            int undelivered = 0;
            bool completed = false;
            _acceptedThisWrite.Clear();
            _failedThisWrite = false;

            try
            {
              try
              {
                if (_fixedStreamName != null)
                {
                    undelivered += await SendStreamAsync(_fixedStreamName, logEvents, deadline, failures, cancellationToken).ConfigureAwait(false);
                }
                else
                {
                    GroupByStream(logEvents);
                    try
                    {
                        foreach (var group in _byStream)
                        {
                            if (group.Value.Count > 0)
                                undelivered += await SendStreamAsync(group.Key, group.Value, deadline, failures, cancellationToken).ConfigureAwait(false);
                        }
                    }
                    finally
                    {
                        foreach (var list in _byStream.Values)
                            list.Clear();
                        if (_byStream.Count > 64)
                            _byStream.Clear();
                    }
                }
            }
              finally
              {
                // Every call of the write ends before the write does (its buffers are reused by the next write).
                undelivered += await AwaitAllCallsAsync().ConfigureAwait(false);
              }
              completed = true;
            }
            finally
            {
                // Remembered only for NLog's retry of this same failed write (also one that failed with an error): every
                // event of it that Firehose has accepted (now, or in an earlier attempt and skipped now). A write that
                // succeeds forgets it all.
                if (nlogWrite)
                {
                    _acceptedInFailedWrite.Clear();
                    if (undelivered > 0 || !completed)
                    {
                        foreach (LogEventInfo accepted in _acceptedThisWrite)
                            _acceptedInFailedWrite.Add(accepted);
                    }
                }
                _acceptedThisWrite.Clear();   // drop the references until the next write
            }

            if (undelivered > 0)
            {
                string reasons;
                lock (failures)
                    reasons = string.Join("; ", failures);
                throw new FirehoseDeliveryException($"{undelivered} of {logEvents.Count} events were not delivered to Firehose: {reasons}", undelivered);
            }
        }

        /// <summary>
        /// Renders and plans one stream's events into calls and starts each call as soon as it is full, up to
        /// <see cref="MaxRequestsInFlight"/> at once (waiting for one to end before filling another); returns how many
        /// events of the calls that ended meanwhile could not be delivered (the rest are counted when the write awaits them).
        /// </summary>
        private async Task<int> SendStreamAsync(string stream, IList<LogEventInfo> events, DateTime deadline, List<string> failures, CancellationToken cancellationToken)
        {
            // Each call's records are rendered into its slot's buffer; a write holds at most MaxRequestsInFlight calls'
            // worth (each at most 4 MiB and 500 records) plus one record.
            StreamState state = _streams.Get(stream);
            int undelivered = 0;
            CallSlot? slot = null;
            try
            {
                for (int i = 0; i < events.Count; i++)
                {
                    LogEventInfo logEvent = events[i];
                    if (_acceptedInFailedWrite.Count > 0 && _acceptedInFailedWrite.Contains(logEvent))
                    {
                        _acceptedThisWrite.Add(logEvent);
                        Settle(1);
                        continue;   // accepted in an earlier attempt of this write (NLog's RetryCount): never resend
                    }
                    if (slot is null)
                    {
                        (slot, int ended) = await TakeSlotAsync().ConfigureAwait(false);
                        undelivered += ended;
                    }
                    RecordBuffer records = slot.Records;
                    if (!AddRecord(records, _render, logEvent))
                        continue;
                    slot.AddRecordEvent(logEvent);
                    int last = records.Count - 1;
                    int recordSize = records.Sizes[last];
                    if (last > 0 && CanPack(slot, last, recordSize))
                    {
                        // Packing: the event joins the record before it.
                        records.MergeLastTwo();
                        slot.MergeLastTwoRecords();
                        slot.CallBytes += recordSize;
                        continue;
                    }
                    if (_planner.StartsNewCall(last, slot.CallBytes, recordSize))
                    {
                        // The new record opens the next call: it moves to a free slot, and the call before it starts.
                        (CallSlot next, int ended) = await TakeSlotAsync().ConfigureAwait(false);
                        undelivered += ended;
                        slot.MoveLastRecordTo(next);
                        CallSlot full = slot;
                        slot = next;
                        StartCall(full, state, deadline, failures, cancellationToken);
                    }
                    slot.CallBytes += recordSize;
                }
                if (slot != null && slot.Records.Count > 0)
                {
                    StartCall(slot, state, deadline, failures, cancellationToken);
                    slot = null;
                }
            }
            finally
            {
                if (slot != null)
                {
                    // Not started (nothing to send, or an error on the way): back to the pool.
                    slot.ClearCall();
                    _writeSlots.Push(slot);
                }
            }
            ShrinkRenderBuffer(_render);
            return undelivered;
        }

        /// <summary>
        /// Renders <paramref name="logEvent"/> into <paramref name="render"/> and adds its record to
        /// <paramref name="records"/>: truncated when it is larger than a record may be and <see cref="OversizeAction"/>
        /// says so, else dropped (counted and reported; <paramref name="settle"/>: an event of the write, not of the
        /// spill). False when dropped.
        /// </summary>
        private bool AddRecord(RecordBuffer records, StringBuilder render, LogEventInfo logEvent, bool settle = true)
        {
            render.Clear();
            Layout.Render(logEvent, render);
            long size = records.TryAdd(render, _delimiter, FirehoseLimits.MaxRecordBytes, out bool added);
            if (added)
                return true;
            byte[]? cut = Truncated(render, logEvent, size);
            if (cut is null)
            {
                DropOversize(logEvent, size, settle);
                return false;
            }
            records.AddBytes(cut, _delimiter);
            return true;
        }

        /// <summary>Gives back a render buffer grown by one huge event.</summary>
        private static void ShrinkRenderBuffer(StringBuilder render)
        {
            if (render.Capacity > 1024 * 1024)
            {
                render.Clear();
                render.Capacity = 1024;
            }
        }

        /// <summary>Whether record <paramref name="last"/> (just added) may join the record before it (packing is on and both fit).</summary>
        private bool CanPack(CallSlot slot, int last, int recordSize)
            => PackRecords
               && slot.Records.Sizes[last - 1] + (long)recordSize <= MaxPackedRecordBytes
               && slot.EventCount(last - 1) < FirehoseLimits.MaxEventsPerPackedRecord
               && slot.CallBytes + recordSize <= FirehoseLimits.MaxBatchBytes;

        /// <summary>
        /// A free call slot, after waiting for a call in flight to end while <see cref="MaxRequestsInFlight"/> are; with the
        /// undelivered count of the calls that ended.
        /// </summary>
        private async Task<(CallSlot Slot, int Undelivered)> TakeSlotAsync()
        {
            int undelivered = 0;
            while (_writeSlots.Count == 0 || _inFlight.Count >= MaxRequestsInFlight)
            {
                if (_inFlight.Count == 0)
                    throw new InvalidOperationException("no free call slot and no call in flight");
                undelivered += await AwaitOneCallAsync().ConfigureAwait(false);
            }
            return (_writeSlots.Pop(), undelivered);
        }

        private void StartCall(CallSlot slot, StreamState state, DateTime deadline, List<string> failures, CancellationToken cancellationToken)
        {
            ApplyBudget(slot.Events.Count, slot.CallBytes);
            _inFlight.Add((SendCallAsync(slot, state, deadline, failures, cancellationToken), slot));
        }

        /// <summary>Waits for one call in flight to end, frees its slot and returns how many of its events were not delivered.</summary>
        private async Task<int> AwaitOneCallAsync()
        {
            Task<int> ended;
            if (_inFlight.Count == 1)
            {
                ended = _inFlight[0].Task;
#if NET
                await ((Task)ended).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
#else
                try
                {
                    await ended.ConfigureAwait(false);
                }
                catch (Exception)
                {
                    // Observed, not thrown, as SuppressThrowing does: the outcome is read from the task below.
                }
#endif
            }
            else
            {
                var tasks = new Task<int>[_inFlight.Count];
                for (int i = 0; i < tasks.Length; i++)
                    tasks[i] = _inFlight[i].Task;
                ended = await Task.WhenAny(tasks).ConfigureAwait(false);
            }
            int index = _inFlight.FindIndex(call => ReferenceEquals(call.Task, ended));
            CallSlot slot = _inFlight[index].Slot;
            _inFlight.RemoveAt(index);
            _acceptedThisWrite.AddRange(slot.Handled);
            slot.Handled.Clear();
            slot.ClearCall();
            _writeSlots.Push(slot);
            return await ended.ConfigureAwait(false);
        }

        /// <summary>Waits for every call in flight; returns how many events were not delivered, or throws the first unexpected error.</summary>
        private async Task<int> AwaitAllCallsAsync()
        {
            int undelivered = 0;
            Exception? error = null;
            while (_inFlight.Count > 0)
            {
                try
                {
                    undelivered += await AwaitOneCallAsync().ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is not OutOfMemoryException)
                {
                    error ??= ex;
                }
            }
            if (error != null)
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(error).Throw();
            return undelivered;
        }

        /// <summary>Delivers the records of <paramref name="slot"/>; returns how many of their events could not be delivered.</summary>
        private async Task<int> SendCallAsync(CallSlot slot, StreamState state, DateTime deadline, List<string> failures, CancellationToken cancellationToken)
        {
            List<ReadOnlyMemory<byte>> callRecords = slot.CallRecords;
            callRecords.Clear();
            for (int r = 0; r < slot.Records.Count; r++)
                callRecords.Add(slot.Records[r]);

            // A stream that is failing (breaker open, or its last call given up) gets no new attempt from the write: with a
            // disk buffer the records go straight to disk, and the replay loop finds out when the stream answers again.
            if ((state.Degraded || state.Breaker.IsOpen)
                && KeepOnDisk(slot, state, callRecords, null, "the stream is failing (" + (state.Breaker.OpenCode ?? "its last call was given up") + "), so they go straight to disk until it answers again"))
            {
                return 0;
            }

            // Once a call of this write has failed past the deadline, later calls of the write start no new attempt after
            // it: they give up (or go to disk) at once, so a failing write lasts at most DeliveryTimeoutMilliseconds +
            // RequestTimeoutMilliseconds (checked at start-up). While all goes well, every call gets its attempt.
            // With a disk buffer, a call stops retrying once NLog's queue is half full: what is not delivered goes to disk,
            // so that the queue drains at disk speed instead of overflowing while the write retries in memory.
            SendResult result = await slot.Sender.SendAsync(state, callRecords, deadline, cancellationToken, firstAttemptMayBeLate: !_failedThisWrite,
                stopRetrying: _buffer != null ? _queueUnderPressure : null).ConfigureAwait(false);

            int next = 0;
            int delivered = 0;
            for (int i = 0; i < callRecords.Count; i++)
            {
                if (next < result.Undelivered.Count && result.Undelivered[next] == i)
                    next++;
                else
                {
                    slot.MarkHandled(i);
                    delivered += slot.EventCount(i);
                }
            }
            Settle(delivered);
            if (result.Undelivered.Count == 0)
                return 0;

            if (result.Reason == RecordSender.StoppedRetrying)
            {
                // Stopped early for the queue's sake, not because the stream failed: the stream is not marked failing.
                if (KeepOnDisk(slot, state, result.UndeliveredRecords(callRecords), result.Undelivered,
                        "NLog's queue for the target is half full or more, so what was not delivered is not retried in memory"))
                {
                    return 0;
                }
                // The disk refused them: retry in memory until the deadline after all, as without a buffer.
                result = await RetryInMemoryAsync(slot, state, result, deadline, cancellationToken).ConfigureAwait(false);
                if (result.Undelivered.Count == 0)
                    return 0;
            }

            _failedThisWrite = true;
            if (!cancellationToken.IsCancellationRequested)
                state.Degraded = true;
            if (KeepOnDisk(slot, state, result.UndeliveredRecords(callRecords), result.Undelivered,
                    $"they could not be delivered now: {result.Reason} (last error {result.LastError ?? "none"})"))
            {
                return 0;
            }

            int events = slot.EventsIn(result.Undelivered);
            lock (failures)
                failures.Add($"stream '{state.Name}': {events} events, {result.Reason} (last error {result.LastError ?? "none"})");
            if (!Settle(events, failed: true))
                return events;   // the close stopped waiting for this write and counted them
            Statistics.Undeliverable(events, state.Name);
            if (_logLimiter.ShouldLog("undeliverable|" + state.Name + "|" + result.Reason, out int suppressed))
            {
                InternalLogger.Error("{0}: gave up on {1} events for stream '{2}': {3} (last error {4}); NLog is told they failed{5}",
                    this, events, state.Name, result.Reason, result.LastError ?? "none", LogRateLimiter.Suppressed(suppressed));
            }
            return events;
        }

        /// <summary>
        /// Sends the records of <paramref name="stopped"/> (indexes into the call) again until the deadline, without stopping
        /// early; returns what is still undelivered, as indexes into the call.
        /// </summary>
        private async Task<SendResult> RetryInMemoryAsync(CallSlot slot, StreamState state, SendResult stopped, DateTime deadline, CancellationToken cancellationToken)
        {
            IReadOnlyList<int> first = stopped.Undelivered;
            SendResult again = await slot.Sender.SendAsync(state, stopped.UndeliveredRecords(slot.CallRecords), deadline, cancellationToken, firstAttemptMayBeLate: false).ConfigureAwait(false);
            var undelivered = new List<int>(again.Undelivered.Count);
            int next = 0;
            int delivered = 0;
            for (int j = 0; j < first.Count; j++)
            {
                if (next < again.Undelivered.Count && again.Undelivered[next] == j)
                {
                    undelivered.Add(first[j]);
                    next++;
                }
                else
                {
                    slot.MarkHandled(first[j]);
                    delivered += slot.EventCount(first[j]);
                }
            }
            Settle(delivered);
            return new SendResult(undelivered, again.LastError ?? stopped.LastError, again.Reason);
        }

        /// <summary>
        /// Appends <paramref name="records"/> to the disk buffer, if there is one and the append succeeds: then they are
        /// counted as buffered and their events (records <paramref name="recordIndexes"/> of the call, or the first
        /// records.Count when null) count as handled, so an NLog retry of this write does not send them again.
        /// </summary>
        private bool KeepOnDisk(CallSlot slot, StreamState state, IReadOnlyList<ReadOnlyMemory<byte>> records, IReadOnlyList<int>? recordIndexes, string why)
        {
            DiskBuffer? buffer = _buffer;
            // Once the close stopped waiting for its write, NLog has been told those events failed: nothing goes to disk.
            if (buffer is null || Volatile.Read(ref _closeLedger)?.IsAbandoned == true || !buffer.Append(state.Name, records))
                return false;
            int events = 0;
            for (int i = 0; i < records.Count; i++)
            {
                int record = recordIndexes is null ? i : recordIndexes[i];
                slot.MarkHandled(record);
                events += slot.EventCount(record);
            }
            if (!Settle(events))
                return true;   // abandoned between the check and the append: the close counted them (they are replayed later)
            Statistics.Buffered(events, state.Name);
            if (_logLimiter.ShouldLog("buffered|" + state.Name + "|" + why, out int held))
            {
                InternalLogger.Warn("{0}: kept {1} events for stream '{2}' in the disk buffer to send later: {3}{4}",
                    this, events, state.Name, why, LogRateLimiter.Suppressed(held));
            }
            return true;
        }

        /// <summary>The state of a stream the target has sent to, or null (tests).</summary>
        internal StreamState? StreamStateOf(string stream) => _streams.Find(stream);

        private void GroupByStream(IList<LogEventInfo> logEvents)
        {
            for (int i = 0; i < logEvents.Count; i++)
            {
                LogEventInfo logEvent = logEvents[i];
                string name = RenderLogEvent(DeliveryStreamName, logEvent);
                if (!IsValidStreamName(name, logEvent))
                    continue;
                if (!_byStream.TryGetValue(name, out var list))
                {
                    list = new List<LogEventInfo>();
                    _byStream[name] = list;
                }
                list.Add(logEvent);
            }
        }

        /// <summary>
        /// Whether <paramref name="name"/>, rendered for <paramref name="logEvent"/>, is a valid stream name; when not, the
        /// event is counted as dropped and reported. <paramref name="settle"/>: an event of the write (not of the spill).
        /// </summary>
        private bool IsValidStreamName(string name, LogEventInfo logEvent, bool settle = true)
        {
            if (FirehoseLimits.IsValidDeliveryStreamName(name))
                return true;
            if (settle && !Settle(1))
                return false;
            Statistics.DroppedInvalidStream();
            if (_logLimiter.ShouldLog("stream-name|" + name, out int suppressed))
            {
                InternalLogger.Warn("{0}: dropped an event from logger '{1}': DeliveryStreamName rendered '{2}', which is not a valid stream name (1-64 characters of a-z A-Z 0-9 _ . -){3}",
                    this, logEvent.LoggerName, name, LogRateLimiter.Suppressed(suppressed));
            }
            return false;
        }

        /// <summary>
        /// The truncated record (without delimiter) of an oversized event rendered into <paramref name="rendered"/>, counted
        /// and reported, when <see cref="OversizeAction"/> says so; null when it must be dropped. Thread-safe.
        /// </summary>
        private byte[]? Truncated(StringBuilder rendered, LogEventInfo logEvent, long size)
        {
            if (OversizeAction != FirehoseOversizeAction.Truncate)
                return null;
            byte[] full = Encoding.UTF8.GetBytes(rendered.ToString());
            byte[]? cut = RecordTruncator.Truncate(full, FirehoseLimits.MaxRecordBytes - _delimiter.Length, out bool wasJson);
            if (cut is null)
                return null;
            Statistics.Truncated();
            if (_logLimiter.ShouldLog("truncated|" + logEvent.LoggerName, out int suppressed))
            {
                InternalLogger.Warn("{0}: truncated an event from logger '{1}': its record was {2} bytes, more than the {3} bytes Firehose accepts in one record; {4}{5}",
                    this, logEvent.LoggerName, size, FirehoseLimits.MaxRecordBytes,
                    wasJson ? "its longest strings were shortened and event.truncated was added" : "it was cut at a character boundary", LogRateLimiter.Suppressed(suppressed));
            }
            return cut;
        }

        /// <summary>Counts and reports an oversized event dropped; <paramref name="settle"/>: an event of the write (not of the spill).</summary>
        private void DropOversize(LogEventInfo logEvent, long size, bool settle = true)
        {
            if (settle && !Settle(1))
                return;
            Statistics.DroppedOversize();
            if (_logLimiter.ShouldLog("oversize|" + logEvent.LoggerName, out int suppressed))
            {
                InternalLogger.Warn("{0}: dropped an event from logger '{1}': its record is {2} bytes, more than the {3} bytes Firehose accepts in one record{4}",
                    this, logEvent.LoggerName, size, FirehoseLimits.MaxRecordBytes, LogRateLimiter.Suppressed(suppressed));
            }
        }

        private object RenderServiceName(LogEventInfo logEvent)
        {
            if (ServiceName is null)
                return _defaultServiceName;
            string value = ServiceName.Render(logEvent);
            return value.Length == 0 ? _defaultServiceName : value;
        }

        private void ValidateDeliveryStreamName(LogEventInfo nullEvent)
        {
            _fixedStreamName = null;
            if (DeliveryStreamName is null || ReferenceEquals(DeliveryStreamName, Layout.Empty))
                throw Config("DeliveryStreamName is required: set it to the name of the Firehose delivery stream, for example deliveryStreamName=\"my-app-logs\"");

            if (DeliveryStreamName is SimpleLayout simple && simple.IsFixedText)
            {
                string name = simple.FixedText ?? string.Empty;
                if (name.Trim().Length == 0)
                    throw Config("DeliveryStreamName is required: set it to the name of the Firehose delivery stream, for example deliveryStreamName=\"my-app-logs\"");
                if (!FirehoseLimits.IsValidDeliveryStreamName(name))
                    throw Config($"DeliveryStreamName '{name}' is not a valid Firehose stream name: use 1-64 characters of a-z, A-Z, 0-9, underscore, period and hyphen");
                _fixedStreamName = name;
            }
        }

        private string ResolveRegion(string? region, string? profile, string? profilesLocation, Uri? serviceUrl)
        {
            string? resolved = region
                ?? AwsCredentialsFactory.ProfileRegion(profile, profilesLocation)
                ?? (serviceUrl != null ? RegionFromHost(serviceUrl.Host) : null);
            if (resolved is null)
            {
                try
                {
                    resolved = RegionFallback();
                }
                catch (Exception ex) when (ex is not OutOfMemoryException)
                {
                    InternalLogger.Debug(ex, "{0}: AWS region fallback failed", this);
                }
            }
            if (string.IsNullOrWhiteSpace(resolved))
                throw Config("No AWS region: set Region (for example region=\"us-east-1\"), or the AWS_REGION environment variable, or a region in the AWS profile");
            resolved = resolved!.Trim();
            if (!FirehoseEndpointResolver.IsLowerCaseHostLabel(resolved))
                throw Config($"Region '{resolved}' is not a valid AWS region name: use a lower-case name such as us-east-1");
            return resolved;
        }

        /// <summary>The region in a Firehose host name such as <c>firehose.eu-west-1.amazonaws.com</c> or a VPC endpoint's, or null.</summary>
        internal static string? RegionFromHost(string host)
        {
            string[] labels = host.Split('.');
            for (int i = 0; i + 1 < labels.Length; i++)
            {
                if ((labels[i] == "firehose" || labels[i] == "firehose-fips") && LooksLikeRegion(labels[i + 1]))
                    return labels[i + 1];
            }
            return null;
        }

        private static bool LooksLikeRegion(string label)
        {
            // xx-name-N, as in us-east-1, ap-southeast-2, us-gov-west-1.
            int dashes = 0;
            foreach (char c in label)
            {
                if (c == '-')
                    dashes++;
                else if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')))
                    return false;
            }
            return dashes >= 2 && char.IsDigit(label[label.Length - 1]);
        }


        private Uri? ParseServiceUrl(string? value)
        {
            if (value is null)
                return null;
            if (!Uri.TryCreate(value, UriKind.Absolute, out Uri? uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps) || string.IsNullOrEmpty(uri.Host))
                throw Config($"ServiceUrl '{SafeUrl(value)}' is not an absolute http:// or https:// URL: set it like https://firehose.us-east-1.amazonaws.com or http://127.0.0.1:4573, or leave it empty to use the region's endpoint");
            if (!string.IsNullOrEmpty(uri.UserInfo))
                throw Config($"ServiceUrl '{SafeUrl(value)}' must not carry user information: give credentials with AccessKey/SecretKey, Profile or the default chain");
            if (!string.IsNullOrEmpty(uri.Query) || !string.IsNullOrEmpty(uri.Fragment))
                throw Config($"ServiceUrl '{SafeUrl(value)}' must not have a query or fragment");
            return uri;
        }

        private static string SafeUrl(string value)
        {
            // Never echo user information (user:password@) from a URL into a message.
            int scheme = value.IndexOf("://", StringComparison.Ordinal);
            int at = value.IndexOf('@');
            if (scheme >= 0 && at > scheme)
                return value.Substring(0, scheme + 3) + "***@" + value.Substring(at + 1);
            return value;
        }

        private string? RenderOption(Layout? layout, LogEventInfo nullEvent)
        {
            if (layout is null)
                return null;
            string value = RenderLogEvent(layout, nullEvent).Trim();
            return value.Length == 0 ? null : value;
        }

        /// <summary>Turns the escapes <c>\n</c>, <c>\r</c>, <c>\t</c> and <c>\\</c> into the characters they name.</summary>
        internal static string UnescapeDelimiter(string value)
        {
            if (value.IndexOf('\\') < 0)
                return value;
            var sb = new StringBuilder(value.Length);
            for (int i = 0; i < value.Length; i++)
            {
                char c = value[i];
                if (c == '\\' && i + 1 < value.Length)
                {
                    char next = value[i + 1];
                    switch (next)
                    {
                        case 'n': sb.Append('\n'); i++; continue;
                        case 'r': sb.Append('\r'); i++; continue;
                        case 't': sb.Append('\t'); i++; continue;
                        case '\\': sb.Append('\\'); i++; continue;
                    }
                }
                sb.Append(c);
            }
            return sb.ToString();
        }

        private NLogConfigurationException Config(string message) => new NLogConfigurationException($"{this}: {message}");
    }
}
