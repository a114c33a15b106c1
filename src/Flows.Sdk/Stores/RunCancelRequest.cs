namespace Flows.Stores;

/// <summary>A request, stored by <see cref="IRunStore.RequestCancelAsync"/>, that a run in progress be cancelled.</summary>
/// <param name="RunId">The run to cancel.</param>
/// <param name="Reason">Why, as the requester gave it (masked where the run's error is recorded).</param>
/// <param name="RequestedAt">When it was asked, on the store's clock.</param>
public sealed record RunCancelRequest(Guid RunId, string Reason, DateTimeOffset RequestedAt);
