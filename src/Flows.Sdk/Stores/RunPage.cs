using Flows.Runs;

namespace Flows.Stores;

/// <summary>One page of runs from <see cref="IRunStore.QueryRunPageAsync"/>, newest first.</summary>
/// <param name="Runs">The runs of this page.</param>
/// <param name="NextPageToken">
/// Give it as <see cref="RunQuery.PageToken"/> (with the same filters) for the next page; null when there are no more runs.
/// </param>
public sealed record RunPage(IReadOnlyList<RunRecord> Runs, string? NextPageToken);
