using System.Threading.RateLimiting;
using Flows.Engine;

namespace Flows.Limits;

/// <summary>
/// The concurrency slots one attempt took, shared with the runs started inside it, as a re-entrant lock is shared
/// with the code it calls: a run whose ancestor's attempt holds a slot of a limit does not take a second one (which,
/// under a limit of 1, it would wait for forever). The slots are given back when the attempt and every run sharing
/// them have ended, so a call that outlives the attempt that started it still counts against the limit.
/// </summary>
/// <remarks>
/// Each instance links to the slots of the nearest enclosing attempt and keeps them likewise, so the chain from an
/// attempt outwards holds everything its run tree holds. A link is added only by an attempt that takes a slot none
/// of its ancestors holds, so a chain is no longer than the number of distinct limits taken in the tree.
/// </remarks>
internal sealed class SharedSlots
{
    private readonly LimitGate[] _gates;
    private readonly RateLimitLease?[] _leases;

    /// <summary>The attempt itself and every run sharing the slots; 0 once they are given back.</summary>
    private int _users = 1;

    public SharedSlots(LimitGate[] gates, SharedSlots? outer)
    {
        _gates = gates;
        _leases = new RateLimitLease?[gates.Length];
        Outer = outer;
    }

    /// <summary>The slots of the nearest enclosing attempt, joined for as long as these are held.</summary>
    public SharedSlots? Outer { get; }

    /// <summary>
    /// Joins the slots of the nearest ancestor of <paramref name="run"/> whose attempt holds some: the caller must
    /// <see cref="Leave"/> them. Null when no ancestor holds any.
    /// </summary>
    public static SharedSlots? JoinEnclosing(RunContext run)
    {
        for (var ancestor = run.Parent; ancestor is not null; ancestor = ancestor.Parent)
        {
            // An attempt that just ended may still be published; it cannot be joined once given back.
            if (ancestor.HeldSlots is { } held && held.TryJoin())
            {
                return held;
            }
        }

        return null;
    }

    /// <summary>Keeps the lease of the gate at <paramref name="index"/> until the last user leaves.</summary>
    public void Add(int index, RateLimitLease lease) => _leases[index] = lease;

    /// <summary>True when these slots or an enclosing attempt's include one of <paramref name="gate"/>.</summary>
    public bool Covers(LimitGate gate)
    {
        for (var slots = this; slots is not null; slots = slots.Outer)
        {
            for (var i = 0; i < slots._gates.Length; i++)
            {
                if (slots._leases[i] is not null && ReferenceEquals(slots._gates[i], gate))
                {
                    return true;
                }
            }
        }

        return false;
    }

    /// <summary>One user is done; the last one gives the slots back and leaves the enclosing ones in turn.</summary>
    public void Leave()
    {
        for (var slots = this; slots is not null && Interlocked.Decrement(ref slots._users) == 0; slots = slots.Outer)
        {
            foreach (var lease in slots._leases)
            {
                lease?.Dispose();
            }
        }
    }

    private bool TryJoin()
    {
        var users = Volatile.Read(ref _users);
        while (users > 0)
        {
            var seen = Interlocked.CompareExchange(ref _users, users + 1, users);
            if (seen == users)
            {
                return true;
            }

            users = seen;
        }

        return false;
    }
}
