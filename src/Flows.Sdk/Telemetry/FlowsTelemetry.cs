namespace Flows.Telemetry;

/// <summary>
/// The names under which Flows reports runs to OpenTelemetry: a span per flow run and task run from the
/// <see cref="System.Diagnostics.ActivitySource"/> <see cref="ActivitySourceName"/>, and run metrics from the
/// <see cref="System.Diagnostics.Metrics.Meter"/> <see cref="MeterName"/>. Nothing is measured until a listener
/// subscribes (<c>AddSource("Flows")</c> / <c>AddMeter("Flows")</c> in the OpenTelemetry SDK).
/// </summary>
public static class FlowsTelemetry
{
    /// <summary>The name of the activity source that starts a span per run.</summary>
    public const string ActivitySourceName = "Flows";

    /// <summary>The name of the meter whose instruments are listed in the constants below.</summary>
    public const string MeterName = "Flows";

    /// <summary>Histogram, seconds, per run from its creation to its end (slot waits and retry delays included). Tags: kind, name, state.</summary>
    public const string RunDuration = "flows.run.duration";

    /// <summary>Up-down counter of runs in progress. Tags: kind, name.</summary>
    public const string ActiveRuns = "flows.run.active";

    /// <summary>Counter of retries scheduled after a failed attempt. Tags: kind, name.</summary>
    public const string Retries = "flows.run.retries";

    /// <summary>Counter of writes (run records, transitions, log lines, artifacts, cache entries) the run store refused on their own and that were dropped. No tags.</summary>
    public const string DroppedWrites = "flows.store.dropped_writes";

    /// <summary>Tag: <c>flow</c> or <c>task</c>.</summary>
    public const string KindTag = "flows.run.kind";

    /// <summary>Tag: the flow's or task's name.</summary>
    public const string NameTag = "flows.run.name";

    /// <summary>Tag: the final state in lower case (<c>completed</c>, <c>failed</c>, <c>timed_out</c>…).</summary>
    public const string StateTag = "flows.run.state";

    /// <summary>Span tag: the run's id, as the store and the run tree show it.</summary>
    public const string RunIdTag = "flows.run.id";

    /// <summary>Span tag: the id of the flow run a task run belongs to.</summary>
    public const string FlowRunIdTag = "flows.flow_run.id";

    /// <summary>Span tag: the id of the run that started this one (a subflow's or task's parent).</summary>
    public const string ParentRunIdTag = "flows.parent_run.id";

    /// <summary>Span tag, set at the end: how many attempts the run made.</summary>
    public const string AttemptsTag = "flows.run.attempts";
}
