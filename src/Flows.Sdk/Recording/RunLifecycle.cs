using Flows.Caching;
using Flows.Engine;
using Flows.Logging;
using Flows.Runs;
using Flows.Secrets.Masking;
using Flows.Stores;
using Flows.Telemetry;
using Microsoft.Extensions.Logging;

namespace Flows.Recording;

/// <summary>
/// Every state change of a run, in one place: each method changes the run's record (on the run itself, see
/// RunContext.Record.cs), hands the changed run to the <see cref="RunRecorder"/>, and says so in the run's span,
/// metrics and the runtime log. The life it records: Created (Pending), Attempt (Running), Waiting (Pending, for a slot
/// or permit), Retry (Retrying), then Completed, Cached or Failed (or Abandoned when the process exits under it); and,
/// beside the states, the run's log lines, artifacts and failed hooks.
/// </summary>
/// <remarks>
/// A flow run's start and end are written through: the methods that record them complete once the store has them, so
/// a crash leaves evidence of every flow that started and the end of every flow that finished. A task run's writes
/// stay in the recorder's queue. Text bound for the store passes the engine's masker first.
/// </remarks>
internal sealed class RunLifecycle
{
    private readonly RunRecorder _recorder;
    private readonly TaskCache _cache;
    private readonly TimeProvider _time;
    private readonly SecretMasker _masker;
    private readonly RunTelemetry _telemetry;
    private readonly ILogger _log;
    private readonly bool _taskLinesWanted;

    /// <param name="recorder">Where changed runs and what runs record go.</param>
    /// <param name="cache">Keeps the results of completed caching runs.</param>
    /// <param name="time">The engine's clock: every transition's time.</param>
    /// <param name="masker">Masks the secret values the engine resolved, in every text recorded.</param>
    /// <param name="telemetry">The runs' spans and metrics.</param>
    /// <param name="log">The runtime's own log lines (a flow's start and end; failures).</param>
    /// <param name="taskLinesWanted">Whether task runs' own start and end lines (Debug) are read by anyone.</param>
    public RunLifecycle(RunRecorder recorder, TaskCache cache, TimeProvider time, SecretMasker masker, RunTelemetry telemetry, ILogger log, bool taskLinesWanted)
    {
        _recorder = recorder;
        _cache = cache;
        _time = time;
        _masker = masker;
        _telemetry = telemetry;
        _log = log;
        _taskLinesWanted = taskLinesWanted;
    }

    /// <summary>
    /// Records a new run: Pending. For a flow run, completes once its start is in the store (write-through); for a
    /// task run, at once unless the store has fallen far behind (see <see cref="RunRecorder.WaitForRoomAsync"/>).
    /// </summary>
    public ValueTask Created(RunContext run)
    {
        run.SetPending();
        _recorder.Created(run);
        if (run.Descriptor.Kind == RunKind.Flow)
        {
            RuntimeLog.FlowRunStarted(_log, run.Binding.Label, run.Id);
            return _recorder.FlushAsync(run.Id);
        }

        if (_taskLinesWanted)
        {
            RuntimeLog.TaskRunStarted(_log, run.Binding.Label, run.Id);
        }

        return _recorder.WaitForRoomAsync();
    }

    /// <summary>An attempt starts: Running; the first at the run's creation instant when <paramref name="atCreation"/> says nothing stood between them.</summary>
    public void Attempt(RunContext run, bool atCreation = false)
    {
        run.StartAttempt(atCreation && run.Attempt == 0 ? run.CreatedAt : _time.GetUtcNow());
        _recorder.Changed(run);
    }

    /// <summary>The run waits for a slot or permit before its next attempt; the Running transition that follows ends the wait.</summary>
    public void Waiting(RunContext run, string message)
    {
        run.AddTransition(RunState.Pending, _time.GetUtcNow(), message);
        _recorder.Changed(run);
        RunTelemetry.Waiting(run, message);
    }

    /// <summary>An attempt failed and the retry pipeline will try again after <paramref name="delay"/>: Retrying, with the error.</summary>
    public void Retry(RunContext run, TimeSpan delay, Exception? error)
    {
        var message = Describe(error);
        run.AddTransition(RunState.Retrying, _time.GetUtcNow(), $"{message} Retrying in {delay.TotalSeconds:0.###} s.", message);
        _recorder.Changed(run);
        _telemetry.Retried(run, delay, message);
        RuntimeLog.AttemptFailed(run.Binding.Logger, run.Binding.Label, run.Attempt, message, delay.TotalSeconds);
    }

    /// <summary>Completed, with the result masked; a caching task's result is kept too. A flow run's end is written through.</summary>
    public ValueTask Completed(RunContext run, string? result)
    {
        // The run record shows the result masked; the cache keeps it only when it shows no secret, since it must read back as the value.
        var masked = result is null ? null : Redact(result);
        var endedAt = End(run, RunState.Completed, masked, null);
        if (_cache.Keep(run, result, masked, endedAt) is { } entry)
        {
            _recorder.Cache(entry);
        }

        return WrittenThrough(run);
    }

    /// <summary>Cached: the task run took its result from the cache instead of running; the result is masked like any other.</summary>
    public ValueTask Cached(RunContext run, CacheEntry entry)
    {
        End(run, RunState.Cached, Redact(entry.Result), null, $"Result of run {entry.RunId}, cached at {entry.CreatedAt:O}.", startsNow: true);
        return WrittenThrough(run);
    }

    /// <summary>Failed, TimedOut, Cancelled or Crashed (see <see cref="RunOutcome"/>); a flow run's end is written through.</summary>
    public ValueTask Failed(RunContext run, Exception error)
    {
        var state = RunOutcome.StateOf(run, error);
        var message = RunOutcome.InterruptionOf(run, error) is { } signal ? $"Interrupted by {signal}: {Describe(error)}"
            : state == RunState.Cancelled && run.Engine.CancelRequests.ReasonFor(run.Id) is { } reason ? $"Cancel requested: {reason}"
            : Describe(error);
        End(run, state, null, message);
        if (state is not RunState.Cancelled)
        {
            RuntimeLog.RunFailed(run.Binding.Logger, run.Binding.Label, state, run.Attempt, message, error);
        }

        return WrittenThrough(run);
    }

    /// <summary>
    /// A run still in progress when the process must exit after a signal (its code ignored the cancellation) ends
    /// Cancelled with <paramref name="message"/> saying so. A run that ended meanwhile is left as it ended.
    /// </summary>
    public void Abandoned(RunContext run, string message)
    {
        if (run.EndedAt is null)
        {
            End(run, RunState.Cancelled, null, message);
        }
    }

    /// <summary>A hook failed: logged; the run's state is unchanged.</summary>
    public void HookFailed(RunContext run, string hook, Exception error) =>
        RuntimeLog.HookFailed(_log, run.Binding.Label, hook, error);

    /// <summary>A log line written during a run (already masked by the run log provider).</summary>
    public void Log(RunLogEntry entry) => _recorder.Log(entry);

    /// <summary>Attaches an artifact to a run; its text is masked first.</summary>
    public RunArtifact Artifact(RunContext run, ArtifactKind kind, string key, string content, string? description)
    {
        var now = _time.GetUtcNow();
        var artifact = new RunArtifact(
            RunIds.Next(now), run.Id, run.FlowRunId, key, kind, Redact(content), description is null ? null : Redact(description), now);
        _recorder.Artifact(artifact);
        return artifact;
    }

    private string Redact(string text) => _masker.Redact(text);

    private string Describe(Exception? error) =>
        error is null ? "no exception" : Redact($"{error.GetType().Name}: {error.Message}");

    /// <summary>Records the run's final state and returns when it was reached.</summary>
    private DateTimeOffset End(RunContext run, RunState state, string? result, string? error, string? message = null, bool startsNow = false)
    {
        var now = _time.GetUtcNow();
        run.End(state, now, result, error, message, startsNow);
        _recorder.Changed(run);
        _telemetry.Ended(run, state, error ?? message);
        if (run.Descriptor.Kind == RunKind.Flow)
        {
            RuntimeLog.FlowRunFinished(_log, run.Binding.Label, state, DurationMs(run));
        }
        else if (_taskLinesWanted)
        {
            RuntimeLog.TaskRunFinished(_log, run.Binding.Label, state, DurationMs(run));
        }

        return now;

        static double DurationMs(RunContext run) => run.StartedAt is { } s && run.EndedAt is { } e ? (e - s).TotalMilliseconds : 0;
    }

    private ValueTask WrittenThrough(RunContext run) =>
        run.Descriptor.Kind == RunKind.Flow ? _recorder.FlushAsync(run.Id) : default;
}
