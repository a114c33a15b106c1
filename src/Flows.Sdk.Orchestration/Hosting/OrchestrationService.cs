using Flows.Orchestration.Cluster;
using Flows.Orchestration.Deployments;
using Flows.Orchestration.Logging;
using Flows.Orchestration.Reconciling;
using Flows.Orchestration.Running;
using Flows.Stores;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Quartz;

namespace Flows.Orchestration.Hosting;

/// <summary>
/// Starts orchestration after the Flows engine: checks every deployment (one <see cref="DeploymentException"/> stops the
/// host before anything is scheduled), reconciles them with the job store, then starts firing. On stop: no more slots
/// fire, runs in progress get <see cref="OrchestrationOptions.ShutdownGrace"/> to finish and are then cancelled (they
/// end Cancelled), and the scheduler shuts down before the engine writes out what the runs recorded.
/// </summary>
/// <remarks>
/// A hosted service of its own rather than Quartz's: validation and reconcile must finish before the first trigger
/// fires, and stopping needs the grace-then-cancel sequence on the flow runs, which Quartz's service does not know.
/// </remarks>
internal sealed class OrchestrationService(OrchestrationScheduler holder, RunningDeployments running, ClusterSignals signals, ILoggerFactory? loggerFactory = null) : IHostedService
{
    private readonly ILogger _logger = (loggerFactory ?? Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance).CreateLogger(OrchestrationLog.Category);
    private IScheduler? _scheduler;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var options = holder.Options;
        var deployments = DeploymentValidation.Validate(options);
        var scheduler = await holder.GetAsync(cancellationToken).ConfigureAwait(false);
        if (holder.Engine.Store is IRunStoreNodes nodes)
        {
            // What this node serves, beside its heartbeat, for whoever lists the store's nodes (the dashboard's workers).
            await nodes.DescribeNodeAsync(Describe(options, holder.Application), cancellationToken).ConfigureAwait(false);
        }

        if (options.Schedules)
        {
            // A worker of another build, a command line or a dashboard (Schedules false) reads and controls what the
            // application stored; it writes none of its own declarations over it.
            var reconciler = new Reconciler(scheduler, _logger, CodeVersion.Current, holder.Engine.TimeProvider, holder.Application);
            await reconciler.ReconcileAsync(deployments, cancellationToken).ConfigureAwait(false);
        }

        if (!options.Works)
        {
            // Runs nothing: a scheduler-only replica keeps the deployments current, a client only queues and steers.
            return;
        }

        signals.CancelRequested += CancelHere;
        await scheduler.Start(cancellationToken).ConfigureAwait(false);
        _scheduler = scheduler;
        await signals.StartListeningAsync(scheduler, cancellationToken).ConfigureAwait(false);
        var queues = options.Queues.Count > 0 ? "queues " + string.Join(", ", options.Queues)
            : options.RefusedQueues.Count > 0 ? "every queue but " + string.Join(", ", options.RefusedQueues)
            : "every queue";
        _logger.Serving(queues, options.MaxConcurrentRuns);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        // Once: a host stopped twice (StopAsync, then disposal) has nothing left to stop the second time.
        if (Interlocked.Exchange(ref _scheduler, null) is not { } scheduler)
        {
            return;
        }

        signals.CancelRequested -= CancelHere;

        await scheduler.Standby(cancellationToken).ConfigureAwait(false);
        // From here no run starts (a firing already on its way is refused before it claims its slot), so the runs
        // registered now are all there will be: the grace and the cancellation reach every one of them.
        running.StopAccepting();
        var grace = holder.Options.ShutdownGrace;
        if (running.Count > 0)
        {
            _logger.ShutdownWait(grace, running.Count);
            var ended = running.WhenAllEnded();
            using var graceOver = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var delay = Task.Delay(grace, holder.Engine.TimeProvider, graceOver.Token);
            await Task.WhenAny(ended, delay).ConfigureAwait(false);
            await graceOver.CancelAsync().ConfigureAwait(false);
            if (!ended.IsCompleted)
            {
                _logger.ShutdownCancel(grace, running.Count);
                running.CancelAll();
                await ended.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
        }

        await holder.ShutdownAsync(waitForJobsToComplete: true, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>This node as the run store lists it: whether it runs and schedules, its queues and concurrency, its application and code version.</summary>
    internal static NodeDescription Describe(OrchestrationOptions options, string application) => new()
    {
        Works = options.Works,
        Schedules = options.Schedules,
        Queues = options.Works ? [.. options.Queues] : [],
        RefusedQueues = options.Works ? [.. options.RefusedQueues] : [],
        MaxConcurrentRuns = options.Works ? options.MaxConcurrentRuns : null,
        Application = application,
        Version = CodeVersion.Current,
    };

    /// <summary>A cancel request for a run, from any replica: cancels it if this process runs it.</summary>
    private void CancelHere(Guid runId)
    {
        if (running.CancelRun(runId))
        {
            _logger.CancelledHere(runId);
        }
    }
}
