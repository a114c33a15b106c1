using System.Text.Json;
using Flows.CompilerServices;
using Flows.Orchestration.Cluster;
using Flows.Orchestration.Control;
using Flows.Orchestration.Deployments;
using Flows.Orchestration.Hosting;
using Flows.Orchestration.Logging;
using Flows.Orchestration.Running;
using Flows.Runs;
using Microsoft.Extensions.Logging;
using Quartz;

namespace Flows.Orchestration.Queueing;

/// <summary>
/// <see cref="IFlowClient"/> on the host's engine and Quartz scheduler: a queued run is a <c>Scheduled</c> run in the run
/// store plus a one-shot job in the job store, whose trigger's execution group is the queue.
/// </summary>
internal sealed class FlowClient(OrchestrationScheduler holder, RunningDeployments running, ClusterSignals signals, ILoggerFactory? loggerFactory = null) : IFlowClient
{
    /// <summary>The longest pause between two reads of a run <see cref="WaitAsync"/> waits for.</summary>
    private static readonly TimeSpan MaxPoll = TimeSpan.FromSeconds(1);

    private readonly ILogger _logger = (loggerFactory ?? Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance).CreateLogger(OrchestrationLog.Category);

    private FlowEngine Engine => holder.Engine;

    public async Task<Guid> EnqueueAsync(string flow, object? parameters = null, string? queue = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(flow);
        queue = QueueNames.Check(queue ?? OrchestrationOptions.DefaultQueue, $"Queueing a run of flow '{flow}'", nameof(queue));
        var values = parameters is null ? [] : JsonParameters.From(parameters, out var error)
            ?? throw new ArgumentException($"Queueing a run of flow '{flow}': {error}.", nameof(parameters));
        CheckFlow(flow, values, $"Queueing a run of flow '{flow}'");
        return await EnqueueCheckedAsync(flow, values, queue, deployment: null, tags: [], cancellationToken).ConfigureAwait(false);
    }

    public async Task<Guid> RunDeploymentAsync(string deployment, IReadOnlyDictionary<string, JsonElement>? parameters = null, CancellationToken cancellationToken = default)
    {
        var (_, job) = await DeploymentControl.FindAsync(holder, deployment, cancellationToken).ConfigureAwait(false);
        var definition = DeploymentDefinition.Read(job.JobDataMap.GetString(JobData.Definition)!);
        var values = definition.Parameters.ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);
        foreach (var (name, value) in parameters ?? new Dictionary<string, JsonElement>())
        {
            values[name] = value;
        }

        CheckFlow(definition.Flow, values, $"Running deployment '{deployment}' now");
        return await EnqueueCheckedAsync(definition.Flow, values, definition.Queue ?? OrchestrationOptions.DefaultQueue, deployment, definition.Tags, cancellationToken).ConfigureAwait(false);
    }

    public async Task<bool> CancelAsync(Guid runId, CancellationToken cancellationToken = default)
    {
        if (await Engine.Store.GetRunAsync(runId, cancellationToken).ConfigureAwait(false) is not { Kind: RunKind.Flow } run || run.State.IsFinal())
        {
            return false;
        }

        var scheduler = await holder.GetAsync(cancellationToken).ConfigureAwait(false);
        if (run.State is RunState.Scheduled or RunState.Late
            && await Engine.TryCancelScheduledRunAsync(runId, "Cancelled on request before it started.", cancellationToken).ConfigureAwait(false))
        {
            // Recorded Cancelled first: a firing that comes meanwhile finds the run ended and runs nothing.
            await scheduler.DeleteJob(QueuedRuns.JobKey(runId), cancellationToken).ConfigureAwait(false);
            _logger.CancelRequested(runId, run.Name, run.State, "cancelled before it started");
            return true;
        }

        // In progress (or started while this ran): its firing, on whichever node, is interrupted through the job store;
        // the signal reaches the node at once, where Quartz's own request waits for that node's next check-in.
        var here = running.CancelRun(runId);
        var interrupted = 0;
        foreach (var firing in await FiringsOfAsync(scheduler, run, cancellationToken).ConfigureAwait(false))
        {
            interrupted += await scheduler.InterruptFireInstance(firing.FireInstanceId, cancellationToken).ConfigureAwait(false) ? 1 : 0;
        }

        await signals.NotifyCancelAsync(runId, cancellationToken).ConfigureAwait(false);
        var reached = here || interrupted > 0;
        _logger.CancelRequested(runId, run.Name, run.State, reached ? $"its firing is interrupted ({(here ? "in this process" : "on another replica")})" : "no firing of it was found (a run orchestration did not start is not reachable)");
        return reached;
    }

    public Task<RunRecord?> GetRunAsync(Guid runId, CancellationToken cancellationToken = default) => Engine.Store.GetRunAsync(runId, cancellationToken).AsTask();

    public async Task<RunRecord> WaitAsync(Guid runId, CancellationToken cancellationToken = default)
    {
        // Real time, not the engine's clock: this waits on another process's progress, which a test's fake clock does not drive.
        var pause = TimeSpan.FromMilliseconds(20);
        while (true)
        {
            var run = await Engine.Store.GetRunAsync(runId, cancellationToken).ConfigureAwait(false)
                ?? throw new ArgumentException($"No run has the id {runId}.", nameof(runId));
            if (run.State.IsFinal())
            {
                return run;
            }

            await Task.Delay(pause, TimeProvider.System, cancellationToken).ConfigureAwait(false);
            pause = pause * 2 > MaxPoll ? MaxPoll : pause * 2;
        }
    }

    /// <summary>The firings running the run: its queued job's, or its deployment's firing for its slot.</summary>
    private static async Task<IReadOnlyList<FireInstance>> FiringsOfAsync(IScheduler scheduler, RunRecord run, CancellationToken cancellationToken)
    {
        var queued = await scheduler.QueryFireInstances(new FireInstanceQuery { Job = QueuedRuns.JobKey(run.Id) }, cancellationToken).ConfigureAwait(false);
        if (queued.Items.Count > 0 || run.Deployment is null)
        {
            return queued.Items;
        }

        var slots = await scheduler.QueryFireInstances(new FireInstanceQuery { Job = JobData.JobKey(run.Deployment) }, cancellationToken).ConfigureAwait(false);
        return [.. slots.Items.Where(f => run.ScheduledFor is { } slot && (f.ScheduledFireTimeUtc ?? f.FireTimeUtc) == slot)];
    }

    private static void CheckFlow(string flow, IReadOnlyDictionary<string, JsonElement> values, string what)
    {
        if (!FlowCatalog.Exists(flow))
        {
            var known = string.Join(", ", RunCatalog.Flows.Select(f => f.Name));
            throw new ArgumentException($"{what}: no flow named '{flow}' is loaded in this process (known flows: {(known.Length == 0 ? "none" : known)}); queue runs from a process that has the flow's code.", nameof(flow));
        }

        FlowCatalog.CheckParameters(flow, values);
    }

    internal async Task<Guid> EnqueueCheckedAsync(string flow, Dictionary<string, JsonElement> values, string queue, string? deployment, IReadOnlyList<string> tags, CancellationToken cancellationToken)
    {
        var time = Engine.TimeProvider;
        var runId = Guid.CreateVersion7(time.GetUtcNow());
        var start = new RunStart { RunId = runId, Deployment = deployment, Tags = [.. tags, QueuedRuns.Tag(queue)] };
        var scheduler = await holder.GetAsync(cancellationToken).ConfigureAwait(false);
        _ = await Engine.TryScheduleRunAsync(flow, values, start, cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidOperationException($"Run {runId} exists already: a new run id was taken.");

        var job = JobBuilder.Create<QueuedRunJob>()
            .WithIdentity(QueuedRuns.JobKey(runId))
            .WithDescription($"flow {flow}")
            .RequestRecovery()
            .UsingJobData(QueuedRuns.Flow, flow)
            .UsingJobData(QueuedRuns.Parameters, JsonSerializer.Serialize(values))
            .UsingJobData(QueuedRuns.Queue, queue);
        if (deployment is not null)
        {
            job = job.UsingJobData(QueuedRuns.Deployment, deployment);
        }

        try
        {
            await scheduler.ScheduleJob(job.Build(), QueuedRuns.Trigger(runId, queue, time), new ScheduleJobOptions(), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is SchedulerException or OperationCanceledException)
        {
            // Not queued: the run would wait Scheduled for ever. It ends Cancelled, saying why, and the caller gets the error.
            await Engine.TryCancelScheduledRunAsync(runId, $"Not queued: the job store refused it ({ex.GetType().Name}).", CancellationToken.None).ConfigureAwait(false);
            throw;
        }

        _logger.Queued(runId, flow, queue);
        await signals.NotifyWorkAsync(queue, cancellationToken).ConfigureAwait(false);
        return runId;
    }
}
