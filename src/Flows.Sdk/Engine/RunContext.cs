using System.Diagnostics;
using Flows.CompilerServices;
using Flows.Limits;
using Flows.Runs;

namespace Flows.Engine;

/// <summary>
/// The live state of one run while it executes; the ambient <see cref="Current"/> links child runs to it. It is also the
/// run's record: see RunContext.Record.cs.
/// </summary>
internal sealed partial class RunContext
{
    /// <summary>
    /// What is ambient on this logical call path: the current run, or an engine in scope (<see cref="EngineScope.Entry"/>,
    /// which carries the run current when it was entered). One slot for both, so a run made current adds no entry
    /// to the async-local map beside a scope's.
    /// </summary>
    internal static readonly AsyncLocal<object?> Ambient = new();

    /// <summary>
    /// What only some runs need (parameters, a cache key, a span, held slots, a result or error, transitions off the
    /// usual path), created the first time one is set: a bare task run, which the in-memory store keeps, then costs
    /// one pointer for all of them instead of one each.
    /// </summary>
    private RunExtras? _extras;

    /// <summary>The random part of a new run's id (see <see cref="Id"/>).</summary>
    private readonly ulong _idRest;
    private readonly ushort _idVersion;

    /// <summary>
    /// A new run; <paramref name="origin"/> null gives it a new id (see <see cref="RunIds"/>) of its creation time. A run
    /// that continues a stored one keeps that run's creation time and records Pending at <paramref name="now"/>.
    /// </summary>
    public RunContext(DescriptorBinding binding, RunContext? parent, RunOrigin? origin, CancellationToken token, DateTimeOffset now)
    {
        Binding = binding;
        Parent = parent;
        _created = now.UtcTicks;
        if (origin is not null)
        {
            Extras.Origin = origin;
            if (origin.Continues)
            {
                _created = origin.CreatedAt.UtcTicks;

                // A retried crash's Pending is its claim's, recorded already; its attempts go on from those it made.
                Extras.Transitions = origin.ClaimedAttempt > 0 ? [] : [new StateTransition(origin.Id, RunState.Pending, now, 0)];
                _attempt = origin.AttemptsBefore;
                if (origin.StartedAt is { } started)
                {
                    SetStarted(started.UtcTicks);
                }
            }
        }
        else
        {
            (_idVersion, _idRest) = RunIds.NextRandom();
        }

        if (token != Inherited)
        {
            Extras.Token = token;
        }
    }

    /// <summary>The run whose code is executing on this logical call path, if any.</summary>
    public static RunContext? Current
    {
        get => Ambient.Value switch
        {
            RunContext run => run,
            EngineScope.Entry entry => entry.Run,
            _ => null,
        };
        set => Ambient.Value = value;
    }

    public FlowEngine Engine => Binding.Engine;

    public DescriptorBinding Binding { get; }

    public RunDescriptor Descriptor => Binding.Descriptor;

    public RunContext? Parent { get; }

    /// <summary>
    /// The run's id: a given one is kept among the extras; a new one is kept as its random part only, and put together
    /// with the creation time when read (10 bytes per run instead of 16).
    /// </summary>
    public Guid Id => _extras?.Origin?.Id ?? RunIds.Compose(CreatedAt.ToUnixTimeMilliseconds(), _idVersion, _idRest);

    /// <summary>The flow run this run belongs to (its own id for a flow run); null for a task run outside any flow.</summary>
    public Guid? FlowRunId => Descriptor.Kind == RunKind.Flow ? Id : Parent?.FlowRunId;

    /// <summary>
    /// The run's token: its parent's (or, for a run outside any run, its engine's shutdown token) unless the caller
    /// passed one of its own, which is kept among the extras: most runs then store no token at all.
    /// </summary>
    public CancellationToken Token => _extras?.Token ?? Inherited;

    /// <summary>The token a run gets when its caller passes none of its own.</summary>
    private CancellationToken Inherited => Parent?.Token ?? Engine.ShutdownToken;

    public DateTimeOffset CreatedAt => Utc(_created);

    /// <summary>Where a run started by name came from (its id, deployment and slot), or null.</summary>
    public RunOrigin? Origin => _extras?.Origin;

    public string? Parameters
    {
        get => _extras?.Parameters;
        set => SetExtra(value, static (extras, v) => extras.Parameters = v);
    }

    /// <summary>The cache key, for task runs of tasks that cache.</summary>
    public string? CacheKey
    {
        get => _extras?.CacheKey;
        set => SetExtra(value, static (extras, v) => extras.CacheKey = v);
    }

    /// <summary>The run's span, while someone listens to <see cref="Telemetry.FlowsTelemetry.ActivitySourceName"/>.</summary>
    public Activity? Activity
    {
        get => _extras?.Activity;
        set => SetExtra(value, static (extras, v) => extras.Activity = v);
    }

    /// <summary>
    /// The concurrency slots the run's attempt in progress holds (its own or an ancestor's), which the runs it starts
    /// share; null between attempts and for runs without limits.
    /// </summary>
    public SharedSlots? HeldSlots
    {
        get => Volatile.Read(ref _extras)?.HeldSlots;
        set => SetExtra(value, static (extras, v) => Volatile.Write(ref extras.HeldSlots, v));
    }

    /// <summary>The nearest enclosing flow run (itself for a flow run).</summary>
    public RunContext? Flow => Descriptor.Kind == RunKind.Flow ? this : Parent?.Flow;

    /// <summary>The extras, created on first use; safe against another thread creating them at the same time.</summary>
    private RunExtras Extras
    {
        get
        {
            var extras = Volatile.Read(ref _extras);
            if (extras is not null)
            {
                return extras;
            }

            Interlocked.CompareExchange(ref _extras, new RunExtras(), null);
            return _extras!;
        }
    }

    /// <summary>Sets an extra; clearing one that was never set creates nothing.</summary>
    private void SetExtra<T>(T? value, Action<RunExtras, T?> set)
        where T : class
    {
        if (value is not null || Volatile.Read(ref _extras) is not null)
        {
            set(Extras, value);
        }
    }

    /// <summary>The fields only some runs need; see <see cref="_extras"/>.</summary>
    private sealed class RunExtras
    {
        public string? Parameters;
        public string? CacheKey;
        public Activity? Activity;
        public SharedSlots? HeldSlots;
        public string? Result;
        public string? Error;
        public List<StateTransition>? Transitions;
        public CancellationToken? Token;
        public RunOrigin? Origin;
        public long StartedTicks;
        public long EndedTicks;

        /// <summary>How many of <see cref="Transitions"/> the recorder has handed to its store.</summary>
        public int Taken;
    }
}
