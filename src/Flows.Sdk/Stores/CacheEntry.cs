namespace Flows.Stores;

/// <summary>A task result kept for reuse by later runs with the same cache key.</summary>
/// <param name="Key">The cache key: a hash of the task name, its source hash and its inputs (or of its custom key).</param>
/// <param name="TaskName">The task that produced it.</param>
/// <param name="Result">The result as JSON.</param>
/// <param name="RunId">The task run that produced it.</param>
/// <param name="CreatedAt">When it was stored.</param>
/// <param name="ExpiresAt">When it stops being valid; null for never.</param>
public sealed record CacheEntry(
    string Key,
    string TaskName,
    string Result,
    Guid RunId,
    DateTimeOffset CreatedAt,
    DateTimeOffset? ExpiresAt)
{
    /// <summary>True when the entry may still be used at <paramref name="now"/>.</summary>
    public bool IsValidAt(DateTimeOffset now) => ExpiresAt is not { } expires || now < expires;
}
