using System.Globalization;
using Flows.Orchestration.Cluster;
using Flows.Orchestration.Running;
using Flows.Stores;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Quartz;

namespace Flows.Orchestration.Hosting;

/// <summary>
/// The replica's health for the platform's probes: unhealthy when its scheduler is not running (starting, stopping,
/// stopped) or the job store or run store does not answer; degraded when the cluster signals are not listening (queued
/// runs then start after the idle wait) or work in the job store is overdue (a queue no live replica serves, or every
/// replica saturated); healthy otherwise. A process that runs nothing (<see cref="OrchestrationOptions.Works"/> off: a
/// scheduler-only replica, a client) is healthy while its stores answer.
/// </summary>
/// <remarks>
/// Quartz's own health check reads the schedulers registered in the container by <c>AddQuartz</c>; the host's scheduler
/// is built by <see cref="OrchestrationScheduler"/>, so the same readings are taken here on it. Each probe costs one
/// indexed query on each store.
/// </remarks>
internal sealed class OrchestrationHealthCheck(OrchestrationScheduler holder, ClusterSignals signals, RunningDeployments running) : IHealthCheck
{
    /// <summary>How many overdue triggers are read to name their queues.</summary>
    private const int OverduePage = 100;

    /// <summary>How long each store may take to answer before it counts as not answering.</summary>
    private static readonly TimeSpan ProbeLimit = TimeSpan.FromSeconds(5);

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var options = holder.Options;
        var data = new Dictionary<string, object>
        {
            ["scheduler"] = holder.SchedulerName,
            ["runsInProgress"] = running.Count,
        };

        IScheduler scheduler;
        PagedResult<TriggerHeader> overdue;
        var overdueSince = holder.Engine.TimeProvider.GetUtcNow() - (2 * options.MisfireThreshold);
        using var probe = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        probe.CancelAfter(ProbeLimit);
        try
        {
            // WaitAsync as well as the token: a scheduler built on an unreachable database may retry past the token.
            scheduler = await holder.GetAsync(probe.Token).WaitAsync(probe.Token).ConfigureAwait(false);
            data["schedulerStatus"] = scheduler.Status.ToString();
            if (scheduler.Status is SchedulerStatus.Shutdown or SchedulerStatus.ShuttingDown)
            {
                return NotRunning(scheduler, data);
            }

            overdue = await scheduler.QueryTriggers(
                new TriggerQuery { State = TriggerState.Normal, NextFireTimeBefore = overdueSince, Take = OverduePage, IncludeTotalCount = true },
                probe.Token).AsTask().WaitAsync(probe.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            return HealthCheckResult.Unhealthy($"The job store does not answer: {Reason(e)}", e is OperationCanceledException ? null : e, data);
        }

        try
        {
            await holder.Engine.Store.QueryRunsAsync(new RunQuery { Limit = 1 }, probe.Token).AsTask().WaitAsync(probe.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            return HealthCheckResult.Unhealthy($"The run store does not answer: {Reason(e)}", e is OperationCanceledException ? null : e, data);
        }

        var serving = options.Works;
        if (serving && scheduler.Status != SchedulerStatus.Running)
        {
            return NotRunning(scheduler, data);
        }

        var problems = new List<string>();
        if (signals.IsStarted)
        {
            data["signalsListening"] = signals.IsListening;
            if (!signals.IsListening)
            {
                problems.Add("the cluster signals are not listening (reconnecting to PostgreSQL): queued runs start after the scheduler's idle wait, cancellations with the next check-in");
            }
        }

        var late = overdue.TotalCount ?? overdue.Items.Count;
        data["overdueTriggers"] = late;
        if (late > 0)
        {
            var queues = overdue.Items
                .GroupBy(t => t.ExecutionGroup ?? "(no queue)")
                .Select(g => string.Create(CultureInfo.InvariantCulture, $"{g.Key} ({g.Count()}, oldest due {g.Min(t => t.NextFireTimeUtc):O})"));
            problems.Add($"{late} trigger(s) are overdue by more than twice the misfire threshold ({options.MisfireThreshold}), in {string.Join(", ", queues)}: no live replica serves these queues, or every replica that does is saturated");
        }

        return problems.Count == 0
            ? HealthCheckResult.Healthy(serving ? $"The scheduler {holder.SchedulerName} is running; the job store and run store answer." : "Runs nothing here (Works is off); the job store and run store answer.", data)
            : HealthCheckResult.Degraded(string.Join("; ", problems), data: data);
    }

    private HealthCheckResult NotRunning(IScheduler scheduler, Dictionary<string, object> data) =>
        HealthCheckResult.Unhealthy($"The scheduler {holder.SchedulerName} is {scheduler.Status}, not running: this replica takes no work (starting, or stopping).", data: data);

    private static string Reason(Exception e) =>
        e is OperationCanceledException or TimeoutException ? $"no answer within {ProbeLimit.TotalSeconds:0} s" : e.Message;
}
