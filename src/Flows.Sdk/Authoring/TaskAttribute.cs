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
}
