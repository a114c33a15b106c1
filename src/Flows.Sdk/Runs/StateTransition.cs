namespace Flows.Runs;

/// <summary>One recorded change of a run's state.</summary>
/// <param name="RunId">The run.</param>
/// <param name="State">The state entered.</param>
/// <param name="Timestamp">When it was entered.</param>
/// <param name="Attempt">The attempt it belongs to, from 1 (0 before the first attempt).</param>
/// <param name="Message">Why, for retries, failures and cancellations.</param>
public sealed record StateTransition(Guid RunId, RunState State, DateTimeOffset Timestamp, int Attempt, string? Message = null);
