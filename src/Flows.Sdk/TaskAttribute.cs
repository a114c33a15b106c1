namespace Flows;

/// <summary>
/// Makes a method a task: every call to it, inside a flow or not, runs through the Flows runtime and is recorded
/// as a task run with retries, timeout and logging as configured here.
/// </summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = false)]
public sealed class TaskAttribute : RunAttribute
{
    /// <summary>A task named after its method.</summary>
    public TaskAttribute() : base(null) { }

    /// <summary>A task with a stable name.</summary>
    public TaskAttribute(string name) : base(name) { }

    /// <summary>How long a cached result stays valid, in seconds (0: results are not cached).</summary>
    public int CacheExpirationSeconds { get; set; }

    /// <summary>
    /// Name of a method on the same type that returns the cache key for a call: it takes the task's parameters
    /// (without its <see cref="CancellationToken"/>) in the same order and returns a <see cref="string"/>. It replaces
    /// the default key (the inputs as JSON and the method's source hash), so edits of the body keep the cache.
    /// Setting it turns caching on; without <see cref="CacheExpirationSeconds"/> entries never expire. Checked at
    /// compile time (FLOWS1010).
    /// </summary>
    public string? CacheKey { get; set; }

    /// <summary>
    /// Run the task even when a cached result exists, and replace that result. Configuration:
    /// <c>Flows:Tasks:&lt;name&gt;:RefreshCache</c>.
    /// </summary>
    public bool RefreshCache { get; set; }
}
