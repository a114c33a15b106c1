using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Text.Json;
using Flows.Runs;
using Flows.Telemetry;
using Flows.Testing;
using Flows.Tests.Fixtures;

namespace Flows.Tests.Telemetry;

public sealed class TelemetryTests
{
    private static readonly ActivitySource TestSource = new("Flows.Tests");

    [Test]
    public async Task EveryRun_IsASpan_NestedAsItsRunsAre_UnderTheCallersActivity()
    {
        using var spans = new SpanCollector();
        using var harness = new FlowTestHarness();
        using var caller = TestSource.StartActivity("caller")!;

        var result = await new Traced().Run(5);

        Assert.That(Activity.Current, Is.SameAs(caller), "the caller's activity is current again");
        Assert.That(result, Is.EqualTo(11));
        var flowRun = harness.Runs.Single(r => r.Name == "traced-flow");
        var mine = spans.InTrace(caller.TraceId);
        var flow = mine.Single(s => s.DisplayName == "flow traced-flow");
        Assert.Multiple(() =>
        {
            Assert.That(mine.Select(s => s.DisplayName), Is.EquivalentTo(new[] { "flow traced-flow", "task traced-double", "task traced-fails-once", "flow traced-subflow" }));
            Assert.That(flow.ParentSpanId, Is.EqualTo(caller.SpanId));
            Assert.That(mine.Where(s => s != flow).Select(s => s.ParentSpanId), Is.All.EqualTo(flow.SpanId));
            Assert.That(flow.GetTagItem(FlowsTelemetry.RunIdTag), Is.EqualTo(flowRun.Id.ToString()));
            Assert.That(flow.GetTagItem(FlowsTelemetry.KindTag), Is.EqualTo("flow"));
            Assert.That(flow.GetTagItem(FlowsTelemetry.StateTag), Is.EqualTo("completed"));
            Assert.That(mine.Where(s => s != flow).Select(s => s.GetTagItem(FlowsTelemetry.ParentRunIdTag)), Is.All.EqualTo(flowRun.Id.ToString()));
            Assert.That(mine.Select(s => s.Status), Is.All.EqualTo(ActivityStatusCode.Ok));
        });
    }

    [Test]
    public async Task ARetry_IsAnEventOnTheSpan_AndAFailure_IsAnErrorStatusWithTheMessage()
    {
        using var spans = new SpanCollector();
        using var harness = new FlowTestHarness();
        using var caller = TestSource.StartActivity("caller")!;
        var traced = new Traced();

        await traced.Run(1);
        Assert.Throws<InvalidOperationException>(() => traced.Fails("no rows for 2030-01-01"));

        var mine = spans.InTrace(caller.TraceId);
        var flaky = mine.Single(s => s.DisplayName == "task traced-fails-once");
        var retry = flaky.Events.Single(e => e.Name == "flows.retry");
        var failed = mine.Single(s => s.DisplayName == "task traced-fails");
        Assert.Multiple(() =>
        {
            Assert.That(flaky.GetTagItem(FlowsTelemetry.AttemptsTag), Is.EqualTo(2));
            Assert.That(retry.Tags, Does.Contain(new KeyValuePair<string, object?>("flows.retry.error", "IOException: the first attempt fails")));
            Assert.That(retry.Tags, Does.Contain(new KeyValuePair<string, object?>("flows.retry.delay_seconds", 3.0)));
            Assert.That(failed.Status, Is.EqualTo(ActivityStatusCode.Error));
            Assert.That(failed.StatusDescription, Is.EqualTo("InvalidOperationException: no rows for 2030-01-01"));
            Assert.That(failed.GetTagItem(FlowsTelemetry.StateTag), Is.EqualTo("failed"));
            Assert.That(failed.ParentSpanId, Is.EqualTo(caller.SpanId), "a standalone task run is a child of the caller");
        });
    }

    [Test]
    public async Task ASecretLeakedEveryWay_AppearsInNoSpanTagEventOrStatus()
    {
        const string key = "span-Secret-51c0";
        using var spans = new SpanCollector();
        using var harness = new FlowTestHarness(o => o.Secrets["secret-leak-key"] = key);
        using var caller = TestSource.StartActivity("caller")!;

        await SecretUsers.Leaky("note");

        var mine = spans.InTrace(caller.TraceId);
        var texts = mine.SelectMany(s => s.TagObjects.Select(t => $"{t.Value}")
            .Concat(s.Events.SelectMany(e => e.Tags.Select(t => $"{t.Value}")))
            .Append(s.StatusDescription ?? string.Empty)
            .Append(s.DisplayName)).ToList();
        Assert.That(mine, Has.Count.EqualTo(3), "the flow, the failed task and the subflow");
        Assert.That(texts, Has.Some.Contains("VAN rejected key ***"), "the error is on the span, masked");
        Assert.That(texts.Where(t => t.Contains(key, StringComparison.Ordinal)), Is.Empty);
    }

    [Test]
    public async Task ARunSkippedByItsOverlapPolicy_IsNotRecorded_AndHasNoSpan()
    {
        using var spans = new SpanCollector();
        using var harness = new FlowTestHarness();
        using var caller = TestSource.StartActivity("caller")!;
        var flows = new Overlapping();

        var first = flows.Skip(1);
        Assert.ThrowsAsync<FlowRunRejectedException>(async () => await flows.Skip(2));
        flows.Release.SetResult();
        await Eventually.Within(first);

        Assert.That(harness.Runs, Has.Count.EqualTo(1));
        Assert.That(spans.InTrace(caller.TraceId).Select(s => s.GetTagItem(FlowsTelemetry.RunIdTag)), Is.EqualTo(new[] { harness.Runs[0].Id.ToString() }));
    }

    [Test]
    public async Task Metrics_CountActiveRuns_RetriesAndDurationsByState_OnTheEnginesMeter()
    {
        using var meters = new TestMeterFactory();
        using var measurements = new MeasurementCollector(meters);
        using var harness = new FlowTestHarness(o => o.MeterFactory = meters);
        var traced = new Traced();

        await traced.Run(5);
        Assert.Throws<InvalidOperationException>(() => traced.Fails("boom"));

        var durations = measurements.Of(FlowsTelemetry.RunDuration);
        Assert.Multiple(() =>
        {
            Assert.That(
                durations.Select(m => $"{m.Tag(FlowsTelemetry.KindTag)} {m.Tag(FlowsTelemetry.NameTag)} {m.Tag(FlowsTelemetry.StateTag)}"),
                Is.EquivalentTo(new[]
                {
                    "flow traced-flow completed", "task traced-double completed", "task traced-fails-once completed",
                    "flow traced-subflow completed", "task traced-fails failed",
                }));
            Assert.That(durations.Single(m => m.Tag(FlowsTelemetry.NameTag) == "traced-fails-once").Value, Is.EqualTo(3.0), "the retry delay, on the engine's clock");
            Assert.That(measurements.Of(FlowsTelemetry.Retries).Select(m => (m.Tag(FlowsTelemetry.NameTag), m.Value)), Is.EqualTo(new[] { ("traced-fails-once", 1.0) }));
            var active = measurements.Of(FlowsTelemetry.ActiveRuns);
            Assert.That(active.Count(m => m.Value == 1), Is.EqualTo(5), "each run counted in");
            Assert.That(active.Sum(m => m.Value), Is.Zero, "and out again");
        });
    }

    [Test]
    public async Task RunDuration_OfAScheduledRun_CountsFromItsStart_NotFromItsCreationAheadOfItsSlot()
    {
        using var meters = new TestMeterFactory();
        using var measurements = new MeasurementCollector(meters);
        using var harness = new FlowTestHarness(o =>
        {
            o.MeterFactory = meters;
            o.Secrets["unused-token"] = "t0k3n";
        });
        var parameters = new Dictionary<string, JsonElement> { ["a"] = JsonSerializer.SerializeToElement(1) };
        var start = new RunStart { RunId = Guid.CreateVersion7(), Deployment = "sum-daily", ScheduledFor = harness.Time.GetUtcNow().AddHours(2) };
        await harness.Engine.TryScheduleRunAsync("by-name-sum", parameters, start);
        harness.Time.Advance(TimeSpan.FromHours(2));

        var run = await harness.Engine.RunAsync("by-name-sum", parameters, start);

        Assert.That(run.State, Is.EqualTo(RunState.Completed));
        Assert.That(measurements.Of(FlowsTelemetry.RunDuration).Single(m => m.Tag(FlowsTelemetry.NameTag) == "by-name-sum").Value, Is.Zero, "the two hours it waited for its slot are not its duration");
    }

    /// <summary>Collects the spans of the Flows source (and this test source) that stop while it lives.</summary>
    private sealed class SpanCollector : IDisposable
    {
        private readonly ConcurrentQueue<Activity> _stopped = new();
        private readonly ActivityListener _listener;

        public SpanCollector()
        {
            _listener = new ActivityListener
            {
                ShouldListenTo = source => source.Name is FlowsTelemetry.ActivitySourceName or "Flows.Tests",
                Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
                ActivityStopped = _stopped.Enqueue,
            };
            ActivitySource.AddActivityListener(_listener);
        }

        /// <summary>The Flows spans of one trace: tests running in parallel each start their own.</summary>
        public List<Activity> InTrace(ActivityTraceId trace) =>
            [.. _stopped.Where(a => a.TraceId == trace && a.Source.Name == FlowsTelemetry.ActivitySourceName)];

        public void Dispose() => _listener.Dispose();
    }

    private sealed class TestMeterFactory : IMeterFactory
    {
        private readonly List<Meter> _meters = [];

        public Meter Create(MeterOptions options)
        {
            var meter = new Meter(options.Name, options.Version, options.Tags, scope: this);
            _meters.Add(meter);
            return meter;
        }

        public void Dispose() => _meters.ForEach(m => m.Dispose());
    }

    private sealed record Measurement(string Instrument, double Value, KeyValuePair<string, object?>[] Tags)
    {
        public string? Tag(string name) => Tags.SingleOrDefault(t => t.Key == name).Value as string;
    }

    /// <summary>Collects what the instruments of one meter factory record, and nothing from other engines.</summary>
    private sealed class MeasurementCollector : IDisposable
    {
        private readonly ConcurrentQueue<Measurement> _measurements = new();
        private readonly MeterListener _listener = new();

        public MeasurementCollector(IMeterFactory factory)
        {
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (ReferenceEquals(instrument.Meter.Scope, factory))
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            };
            _listener.SetMeasurementEventCallback<long>((i, value, tags, _) => _measurements.Enqueue(new(i.Name, value, tags.ToArray())));
            _listener.SetMeasurementEventCallback<double>((i, value, tags, _) => _measurements.Enqueue(new(i.Name, value, tags.ToArray())));
            _listener.Start();
        }

        public List<Measurement> Of(string instrument) => [.. _measurements.Where(m => m.Instrument == instrument)];

        public void Dispose() => _listener.Dispose();
    }
}
