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
    /// A crontab expression (five fields, or six with a leading seconds field) on which the flow starts. With
    /// Flows.Sdk.Orchestration (<c>AddFlows().AddOrchestration()</c>) the flow is then a deployment named after it, run
    /// with no parameters; the engine and <c>AddFlows</c> alone do not start runs from it. A literal that is not valid
    /// crontab fails the build (FLOWS1012).
    /// </summary>
    public string? Schedule { get; set; }

    /// <summary>The IANA or Windows time zone <see cref="Schedule"/> is read in (checked at build time, FLOWS1012). Defaults to UTC.</summary>
    public string? TimeZone { get; set; }

    /// <summary>
    /// How many runs of this flow may be in progress at once (0: unlimited). A run holds its slot from start to end,
    /// retries included; what a run started beyond the limit does is set by <see cref="Overlap"/>.
    /// </summary>
    public int MaxConcurrentRuns { get; set; }

    /// <summary>What a run started while <see cref="MaxConcurrentRuns"/> runs are in progress does: wait (the default), skip, or end cancelled.</summary>
    public OverlapPolicy Overlap { get; set; }
}
