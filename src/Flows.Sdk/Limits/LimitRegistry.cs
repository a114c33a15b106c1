using System.Collections.Frozen;
using Flows.CompilerServices;
using Flows.Runs;
using Microsoft.Extensions.Configuration;

namespace Flows.Limits;

/// <summary>
/// One engine's limits: a concurrency limiter and a rate limiter per configured tag, shared by every task with that
/// tag, and the <see cref="RunLimiter"/> each task gets when it is bound. Created with the engine, which is when the
/// settings are validated; rate limiters stop their timers when the engine shuts down.
/// </summary>
internal sealed class LimitRegistry
{
    private readonly FrozenDictionary<string, LimitGate> _slots;
    private readonly FrozenDictionary<string, LimitGate> _rates;

    public LimitRegistry(FlowEngineOptions options, IConfiguration? configuration, TimeProvider timeProvider, CancellationToken shutdown)
    {
        var settings = LimitSettings.Read(options, configuration);
        _slots = settings.Limits.ToFrozenDictionary(
            s => s.Key,
            s => new LimitGate(LimitGate.Slots(s.Value), $"a slot of tag '{s.Key}' ({s.Value} at a time)"),
            StringComparer.OrdinalIgnoreCase);
        _rates = settings.RateLimits.ToFrozenDictionary(
            s => s.Key,
            s => new LimitGate(new WindowRateLimiter(s.Value, timeProvider), $"a permit of tag '{s.Key}' ({s.Value})"),
            StringComparer.OrdinalIgnoreCase);
        if (_rates.Count > 0)
        {
            shutdown.Register(static rates =>
            {
                foreach (var gate in ((FrozenDictionary<string, LimitGate>)rates!).Values)
                {
                    gate.Limiter.Dispose();
                }
            }, _rates);
        }
    }

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

    /// <summary>The concurrency limiter of a tag, or null when the tag has no limit.</summary>
    public LimitGate? TagSlots(string tag) => _slots.GetValueOrDefault(tag);

    /// <summary>The rate limiter of a tag, or null when the tag has no rate limit.</summary>
    public LimitGate? TagRate(string tag) => _rates.GetValueOrDefault(tag);

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
