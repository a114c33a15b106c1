using System.Diagnostics;
using Flows.Concurrency;
using Flows.Runtime;

namespace Flows;

/// <summary>
/// The live state of one run while it executes; the ambient <see cref="Current"/> links child runs to it. It is also the
/// run's record: see RunContext.Record.cs.
/// </summary>
internal sealed partial class RunContext
{
    private static readonly AsyncLocal<RunContext?> CurrentSlot = new();

    private SharedSlots? _heldSlots;

    public RunContext(DescriptorBinding binding, RunContext? parent, Guid id, CancellationToken token, DateTimeOffset createdAt)
    {
        Binding = binding;
        Parent = parent;
        Id = id;
        Token = token;
        _created = createdAt.UtcTicks;
    }

    /// <summary>The run whose code is executing on this logical call path, if any.</summary>
    public static RunContext? Current
    {
        get => CurrentSlot.Value;
        set => CurrentSlot.Value = value;
    }

    public FlowEngine Engine => Binding.Engine;

    public DescriptorBinding Binding { get; }

    public RunDescriptor Descriptor => Binding.Descriptor;

    public RunContext? Parent { get; }

    public Guid Id { get; }

    /// <summary>The flow run this run belongs to (its own id for a flow run); null for a task run outside any flow.</summary>
    public Guid? FlowRunId => Descriptor.Kind == RunKind.Flow ? Id : Parent?.FlowRunId;

    public CancellationToken Token { get; }

    public DateTimeOffset CreatedAt => Utc(_created);

    public string? Parameters { get; set; }

    /// <summary>The cache key, for task runs of tasks that cache.</summary>
    public string? CacheKey { get; set; }

    /// <summary>The run's span, while someone listens to <see cref="Telemetry.FlowsTelemetry.ActivitySourceName"/>.</summary>
    public Activity? Activity { get; set; }

    /// <summary>
    /// The concurrency slots the run's attempt in progress holds (its own or an ancestor's), which the runs it starts
    /// share; null between attempts and for runs without limits.
    /// </summary>
    public SharedSlots? HeldSlots
    {
        get => Volatile.Read(ref _heldSlots);
        set => Volatile.Write(ref _heldSlots, value);
    }

    /// <summary>The nearest enclosing flow run (itself for a flow run).</summary>
    public RunContext? Flow => Descriptor.Kind == RunKind.Flow ? this : Parent?.Flow;
}
