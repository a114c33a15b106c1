namespace Flows;

/// <summary>
/// Makes a method a flow: a call to it is recorded as a flow run (a child run when called from another flow),
/// and the method can be run by name with JSON parameters (<see cref="FlowEngine.RunAsync(string, IReadOnlyDictionary{string, System.Text.Json.JsonElement}, CancellationToken)"/>).
/// </summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = false)]
public sealed class FlowAttribute : RunAttribute
{
    /// <summary>A flow named after its method.</summary>
    public FlowAttribute() : base(null) { }

    /// <summary>A flow with a stable name.</summary>
    public FlowAttribute(string name) : base(name) { }

    /// <summary>
    /// A cron expression (five or six fields) on which the flow is meant to start. It is kept in the flow's options
    /// (<see cref="CompilerServices.RunOptions.Schedule"/>) for a scheduling host to read; the engine and <c>AddFlows</c> do not start
    /// runs from it by themselves.
    /// </summary>
    public string? Schedule { get; set; }

    /// <summary>The IANA or Windows time zone <see cref="Schedule"/> is read in. Defaults to UTC.</summary>
    public string? TimeZone { get; set; }

    /// <summary>
    /// How many runs of this flow may be in progress at once (0: unlimited). A run holds its slot from start to end,
    /// retries included; what a run started beyond the limit does is set by <see cref="Overlap"/>.
    /// </summary>
    public int MaxConcurrentRuns { get; set; }

    /// <summary>What a run started while <see cref="MaxConcurrentRuns"/> runs are in progress does: wait (the default), skip, or end cancelled.</summary>
    public OverlapPolicy Overlap { get; set; }
}
