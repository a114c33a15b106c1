using System.Diagnostics;
using System.Diagnostics.Metrics;
using Flows.Engine;
using Flows.Runs;

namespace Flows.Telemetry;

/// <summary>
/// One engine's spans and metrics (see <see cref="FlowsTelemetry"/> for the names). Every method first asks whether
/// anyone listens, so a run nobody observes pays a few field reads and nothing else.
/// </summary>
internal sealed class RunTelemetry
{
    // Static fields initialise in the order written: Shared, which uses the others, comes last.
    private static readonly string Version = typeof(RunTelemetry).Assembly.GetName().Version?.ToString() ?? "0.0.0";

    // Bucket boundaries for run durations, in seconds: a task call takes microseconds, an ETL flow hours.
    private static readonly double[] DurationBuckets = [0.001, 0.01, 0.1, 0.5, 1, 5, 10, 30, 60, 300, 900, 1800, 3600, 7200, 21600];

    /// <summary>Lower-case state names by value, so tagging a measurement allocates no string.</summary>
    private static readonly string[] StateNames = StateNamesByValue();

    internal static readonly ActivitySource Source = new(FlowsTelemetry.ActivitySourceName, Version);

    /// <summary>The instruments of engines created without an <see cref="IMeterFactory"/>, on one process-wide meter.</summary>
    internal static readonly RunTelemetry Shared = new(new Meter(FlowsTelemetry.MeterName, Version));

    private readonly Histogram<double> _duration;
    private readonly UpDownCounter<long> _active;
    private readonly Counter<long> _retries;
    private readonly Counter<long> _droppedWrites;

    private RunTelemetry(Meter meter)
    {
        _duration = meter.CreateHistogram(
            FlowsTelemetry.RunDuration,
            unit: "s",
            description: "Time from a run's creation to its end, slot waits and retry delays included.",
            tags: null,
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = DurationBuckets });
        _active = meter.CreateUpDownCounter<long>(FlowsTelemetry.ActiveRuns, unit: "{run}", description: "Runs in progress.");
        _retries = meter.CreateCounter<long>(FlowsTelemetry.Retries, unit: "{retry}", description: "Retries scheduled after a failed attempt.");
        _droppedWrites = meter.CreateCounter<long>(FlowsTelemetry.DroppedWrites, unit: "{write}", description: "Writes the run store refused on their own, dropped.");
    }

    /// <summary>The instruments for an engine: on a meter of <paramref name="factory"/> (a host's), else the shared ones.</summary>
    public static RunTelemetry For(IMeterFactory? factory) =>
        factory is null ? Shared : new RunTelemetry(factory.Create(new MeterOptions(FlowsTelemetry.MeterName) { Version = Version }));

    /// <summary>
    /// Starts the run's span (a child of the current activity: the enclosing run's, or the caller's) and counts the
    /// run as active, until the scope is disposed. Call before anything about the run is recorded.
    /// </summary>
    public Scope Begin(RunContext run)
    {
        if (Source.HasListeners())
        {
            run.Activity = StartActivity(run);
        }

        var counted = _active.Enabled;
        if (counted)
        {
            _active.Add(1, KindAndName(run));
        }

        return new Scope(this, run, counted);
    }

    /// <summary>The run store refused <paramref name="count"/> writes, which were dropped.</summary>
    public void WritesDropped(int count) => _droppedWrites.Add(count);

    /// <summary>The run reached its final state: its duration is measured and its span gets the state and status.</summary>
    public void Ended(RunContext run, RunState state, string? error)
    {
        if (_duration.Enabled && run.EndedAt is { } ended)
        {
            var tags = KindAndName(run);
            tags.Add(FlowsTelemetry.StateTag, StateNames[(int)state]);
            // A scheduled run (created ahead, or backfilled) counts from when it was taken up, not from its creation:
            // the wait for its slot is not the run's time.
            var from = run.Origin is { Continues: true } origin ? origin.ContinuedAt : run.CreatedAt;
            _duration.Record((ended - from).TotalSeconds, tags);
        }

        if (run.Activity is { IsAllDataRequested: true } activity)
        {
            activity.SetTag(FlowsTelemetry.StateTag, StateNames[(int)state]);
            activity.SetTag(FlowsTelemetry.AttemptsTag, run.Attempt);
            if (state is RunState.Completed or RunState.Cached)
            {
                activity.SetStatus(ActivityStatusCode.Ok);
            }
            else if (state is not RunState.Cancelled)
            {
                // The error text passed the engine's masking before it got here, as it did for the store.
                activity.SetStatus(ActivityStatusCode.Error, error);
            }
        }
    }

    /// <summary>An attempt failed and another follows after <paramref name="delay"/>.</summary>
    public void Retried(RunContext run, TimeSpan delay, string error)
    {
        if (_retries.Enabled)
        {
            _retries.Add(1, KindAndName(run));
        }

        if (run.Activity is { IsAllDataRequested: true } activity)
        {
            activity.AddEvent(new ActivityEvent("flows.retry", tags: new ActivityTagsCollection
            {
                [FlowsTelemetry.AttemptsTag] = run.Attempt,
                ["flows.retry.delay_seconds"] = delay.TotalSeconds,
                ["flows.retry.error"] = error,
            }));
        }
    }

    /// <summary>The run waits for a slot or a rate permit; <paramref name="reason"/> says which.</summary>
    public static void Waiting(RunContext run, string reason)
    {
        if (run.Activity is { IsAllDataRequested: true } activity)
        {
            activity.AddEvent(new ActivityEvent("flows.wait", tags: new ActivityTagsCollection { ["flows.wait.reason"] = reason }));
        }
    }

    private static Activity? StartActivity(RunContext run)
    {
        var activity = Source.StartActivity(run.Binding.SpanName, ActivityKind.Internal);
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag(FlowsTelemetry.KindTag, KindName(run.Descriptor.Kind));
            activity.SetTag(FlowsTelemetry.NameTag, run.Binding.Options.Name);
            activity.SetTag(FlowsTelemetry.RunIdTag, run.Id.ToString());
            if (run.FlowRunId is { } flowRunId && flowRunId != run.Id)
            {
                activity.SetTag(FlowsTelemetry.FlowRunIdTag, flowRunId.ToString());
            }

            if (run.Parent is { } parent)
            {
                activity.SetTag(FlowsTelemetry.ParentRunIdTag, parent.Id.ToString());
            }
        }

        return activity;
    }

    private static string[] StateNamesByValue()
    {
        var states = Enum.GetValues<RunState>();
        var names = new string[states.Max(s => (int)s) + 1];
        foreach (var state in states)
        {
            names[(int)state] = System.Text.Json.JsonNamingPolicy.SnakeCaseLower.ConvertName(state.ToString());
        }

        return names;
    }

    private static TagList KindAndName(RunContext run) => new()
    {
        { FlowsTelemetry.KindTag, KindName(run.Descriptor.Kind) },
        { FlowsTelemetry.NameTag, run.Binding.Options.Name },
    };

    private static string KindName(RunKind kind) => kind == RunKind.Flow ? "flow" : "task";

    /// <summary>Ends what <see cref="Begin"/> started: the span stops (the caller's activity is current again) and the run no longer counts as active.</summary>
    public readonly struct Scope(RunTelemetry telemetry, RunContext run, bool counted) : IDisposable
    {
        public void Dispose()
        {
            if (counted)
            {
                telemetry._active.Add(-1, KindAndName(run));
            }

            run.Activity?.Dispose();
        }
    }
}
