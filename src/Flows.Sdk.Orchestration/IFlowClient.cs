using System.Text.Json;
using Flows.Runs;

namespace Flows.Orchestration;

/// <summary>
/// Starts, watches and cancels flow runs through the job store, from any process that reaches it (a replica serving
/// queues, an API, a command line), serving or not; registered by
/// <see cref="Microsoft.Extensions.DependencyInjection.OrchestrationServiceCollectionExtensions.AddOrchestration"/>.
/// A queued run is recorded <c>Scheduled</c> at once and run by one replica serving its queue.
/// </summary>
public interface IFlowClient
{
    /// <summary>
    /// Queues a run of <paramref name="flow"/>: records it <c>Scheduled</c> at once (visible before any worker takes it,
    /// tagged <c>queue:&lt;name&gt;</c>), and stores a durable one-shot job in the queue that one replica serving the
    /// queue runs (a replica that dies mid-run leaves it to another, as the flow's retry policy says). Returns the run's id.
    /// </summary>
    /// <param name="flow">A flow this process's code declares: the flow and its parameters are checked here.</param>
    /// <param name="parameters">An anonymous object, a dictionary or a JSON object of the flow's parameters, as for
    /// <see cref="DeploymentBuilder.Parameters"/>; never secrets (<c>[Secret]</c> parameters are resolved where the run runs).</param>
    /// <param name="queue">The queue (<see cref="OrchestrationOptions.DefaultQueue"/> when null).</param>
    /// <param name="cancellationToken">Cancels the request, not the run.</param>
    /// <exception cref="ArgumentException">No flow of that name is loaded, the parameters are not an object, or the queue's name is not valid; nothing is stored.</exception>
    /// <exception cref="FlowParameterException">A parameter is missing, unknown, secret or of the wrong type; nothing is stored.</exception>
    Task<Guid> EnqueueAsync(string flow, object? parameters = null, string? queue = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// "Run this deployment now": a queued run of the deployment's flow with its parameters and tags, in its queue,
    /// recorded with the deployment's name (and no slot). Each of <paramref name="parameters"/> is given over the
    /// deployment's own (the others keep the deployment's value, or the flow's default), and the result is checked as
    /// <see cref="EnqueueAsync"/> checks parameters, before anything is stored. Returns the run's id.
    /// </summary>
    /// <param name="deployment">The deployment's name.</param>
    /// <param name="parameters">Parameters by name as JSON values, over the deployment's own; null or empty runs it with its own.</param>
    /// <param name="cancellationToken">Cancels the request, not the run.</param>
    /// <exception cref="ArgumentException">No deployment of that name is in the job store (the message lists them), or its flow is not loaded here.</exception>
    /// <exception cref="FlowParameterException">A parameter is unknown, secret or of the wrong type, or a required one is missing; nothing is stored.</exception>
    Task<Guid> RunDeploymentAsync(string deployment, IReadOnlyDictionary<string, JsonElement>? parameters = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Cancels a run wherever it is: a run not started yet ends <c>Cancelled</c> without running (its queued job is
    /// deleted); a run in progress on any replica has its token cancelled and ends <c>Cancelled</c> (a flow that ignores
    /// its token runs on). True when the run was cancelled or the request reached the process running it; false when
    /// the run is unknown, has ended, or is not a run orchestration started.
    /// </summary>
    Task<bool> CancelAsync(Guid runId, CancellationToken cancellationToken = default);

    /// <summary>The run's record as stored now, or null when there is no such run.</summary>
    Task<RunRecord?> GetRunAsync(Guid runId, CancellationToken cancellationToken = default);

    /// <summary>Waits until the run has ended and returns its final record; bounded by <paramref name="cancellationToken"/>.</summary>
    /// <exception cref="ArgumentException">There is no such run.</exception>
    Task<RunRecord> WaitAsync(Guid runId, CancellationToken cancellationToken = default);
}
