using System.Text.Json;
using Flows.Runs;

namespace Flows.Orchestration;

/// <summary>
/// A new run of an ended run's flow, ready to start (<see cref="RunControl.PrepareRetryAsync"/>): its flow, its
/// parameters (the recorded ones, [Secret] ones left out to be resolved again, changes applied) and how to start it.
/// </summary>
/// <param name="Original">The run retried.</param>
/// <param name="Flow">The flow's name.</param>
/// <param name="Parameters">The new run's parameters, checked against the flow.</param>
/// <param name="Start">The new run's id, deployment and tags (the original's).</param>
public sealed record RunRetry(RunRecord Original, string Flow, IReadOnlyDictionary<string, JsonElement> Parameters, RunStart Start);
