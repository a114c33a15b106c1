using System.Collections.Frozen;
using Flows.CompilerServices;
using Flows.Overlap;
using Flows.Runs;
using Flows.Stores;
using Microsoft.Extensions.Configuration;

namespace Flows.Limits;

/// <summary>
/// One engine's limits: a concurrency limiter and a rate limiter per configured tag, shared by every task with that
/// tag, and the <see cref="RunLimiter"/> each task gets when it is bound. Created with the engine, which is when the
/// settings are validated; rate limiters stop their timers when the engine shuts down. When the engine's store shares
/// limits across processes (<see cref="ISharedLimits"/>) and <see cref="FlowEngineOptions.LimitScope"/> allows it,
/// tag limits, rate limits and flows' <c>MaxConcurrentRuns</c> are counted there; a task's own <c>MaxConcurrency</c>
/// stays per process.
/// </summary>
internal sealed class LimitRegistry
{
    private readonly FrozenDictionary<string, LimitGate> _slots;
    private readonly FrozenDictionary<string, LimitGate> _rates;
    private readonly TimeProvider _timeProvider;
    private readonly CancellationToken _shutdown;

    public LimitRegistry(FlowEngineOptions options, IConfiguration? configuration, TimeProvider timeProvider, CancellationToken shutdown)
    {
        var settings = LimitSettings.Read(options, configuration);
        _timeProvider = timeProvider;
        _shutdown = shutdown;
        Shared = settings.Scope == LimitScope.Store ? options.Store as ISharedLimits : null;
        _slots = settings.Limits.ToFrozenDictionary(
            s => s.Key,
            s => SlotGate(s.Value, "tag:" + s.Key.ToLowerInvariant(), $"a slot of tag '{s.Key}' ({s.Value} at a time)"),
            StringComparer.OrdinalIgnoreCase);
        _rates = settings.RateLimits.ToFrozenDictionary(
            s => s.Key,
            s => RateGate(s.Value, $"rate:{s.Key.ToLowerInvariant()}:{s.Value}", $"a permit of tag '{s.Key}' ({s.Value})"),
            StringComparer.OrdinalIgnoreCase);
        if (_rates.Count > 0 || (Shared is not null && _slots.Count > 0))
        {
            shutdown.Register(static registry => ((LimitRegistry)registry!).DisposeLimiters(), this);
        }
    }

    /// <summary>The store that counts limits across processes, or null when they are counted in this process.</summary>
    public ISharedLimits? Shared { get; }

    /// <summary>
    /// The limits a run's attempts pass through, or null when there are none. Flows get none: a flow holding a tag
    /// slot while its own tasks wait for that slot would never finish; flows are limited by <c>MaxConcurrentRuns</c>.
    /// </summary>
    public RunLimiter? For(RunKind kind, RunOptions options)
    {
        if (kind == RunKind.Flow)
        {
            return null;
        }

        var gates = new List<LimitGate>();
        if (options.MaxConcurrency > 0)
        {
            gates.Add(new LimitGate(LimitGate.Slots(options.MaxConcurrency), $"a slot of task '{options.Name}' (MaxConcurrency {options.MaxConcurrency})"));
        }

        var tags = options.Tags.Order(StringComparer.OrdinalIgnoreCase).ToList();
        AddTagGates(gates, tags, _slots);
        AddTagGates(gates, tags, _rates);
        return gates.Count == 0 ? null : new RunLimiter([.. gates]);
    }

    /// <summary>
    /// The run slots of a flow with <c>MaxConcurrentRuns</c> (shared through the store when limits are), or null for a
    /// task or a flow without the option.
    /// </summary>
    public FlowRunGate? RunGate(RunKind kind, RunOptions options) =>
        kind == RunKind.Flow && options.MaxConcurrentRuns > 0
            ? new FlowRunGate(options, SlotGate(options.MaxConcurrentRuns, "flow:" + options.Name, $"a run slot of flow '{options.Name}' (MaxConcurrentRuns {options.MaxConcurrentRuns})"))
            : null;

    /// <summary>The concurrency limiter of a tag, or null when the tag has no limit.</summary>
    public LimitGate? TagSlots(string tag) => _slots.GetValueOrDefault(tag);

    /// <summary>The rate limiter of a tag, or null when the tag has no rate limit.</summary>
    public LimitGate? TagRate(string tag) => _rates.GetValueOrDefault(tag);

    /// <summary>"a slot of tag 'api' (3 at a time) across the processes on the run store", so a waiting run says where the limit is counted.</summary>
    private static string SharedDescription(string description) => description + " across the processes on the run store";

    /// <summary>Slots counted by the store when limits are shared, else by a local limiter.</summary>
    private LimitGate SlotGate(int permits, string key, string description) =>
        Shared is { } store
            ? new LimitGate(new SharedSlotLimiter(store, key, permits, _timeProvider, SharedDescription(description), _shutdown), SharedDescription(description))
            : new LimitGate(LimitGate.Slots(permits), description);

    /// <summary>A window rate limit counted by the store when limits are shared, else by a local limiter on the engine's clock.</summary>
    private LimitGate RateGate(RateLimit rate, string key, string description) =>
        Shared is { } store
            ? new LimitGate(new SharedWindowLimiter(store, key, rate, _timeProvider, SharedDescription(description)), SharedDescription(description))
            : new LimitGate(new WindowRateLimiter(rate, _timeProvider), description);

    private void DisposeLimiters()
    {
        foreach (var gate in _rates.Values.Concat(Shared is null ? [] : _slots.Values))
        {
            gate.Limiter.Dispose();
        }
    }

    private static void AddTagGates(List<LimitGate> gates, List<string> tags, FrozenDictionary<string, LimitGate> limits)
    {
        foreach (var tag in tags)
        {
            // The same tag twice (or in two casings) is one limit, taken once.
            if (limits.TryGetValue(tag, out var gate) && !gates.Contains(gate))
            {
                gates.Add(gate);
            }
        }
    }
}
