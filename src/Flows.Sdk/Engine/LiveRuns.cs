using System.Collections.Concurrent;

namespace Flows.Engine;

/// <summary>
/// The runs of an engine that are in progress, from just before they are recorded until their hooks have run, kept
/// only by engines that must wait for their runs when the process is told to stop (the zero-configuration engine, see
/// <see cref="ScriptLifetime"/>); other engines pay nothing for it.
/// </summary>
internal sealed class LiveRuns
{
    private readonly ConcurrentDictionary<RunContext, byte> _runs = new(ReferenceEqualityComparer.Instance);
    private TaskCompletionSource? _none;

    /// <summary>Counts <paramref name="run"/> as in progress until the result is disposed, when its engine keeps its live runs.</summary>
    public static Registration Track(RunContext run)
    {
        if (run.Engine.LiveRuns is not { } live)
        {
            return default;
        }

        live._runs.TryAdd(run, 0);
        return new Registration(live, run);
    }

    /// <summary>The runs in progress now.</summary>
    public IReadOnlyCollection<RunContext> Snapshot() => [.. _runs.Keys];

    /// <summary>Completes once no run is in progress (at once when none is).</summary>
    public Task WhenNoneAsync()
    {
        Interlocked.CompareExchange(ref _none, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously), null);
        var none = Volatile.Read(ref _none)!;

        // Read after _none is published: a run ending now either sees _none or has already left the set.
        if (_runs.IsEmpty)
        {
            none.TrySetResult();
        }

        return none.Task;
    }

    private void Remove(RunContext run)
    {
        _runs.TryRemove(run, out _);
        if (Volatile.Read(ref _none) is { } none && _runs.IsEmpty)
        {
            none.TrySetResult();
        }
    }

    /// <summary>Ends a run's stay in <see cref="LiveRuns"/>; the default value does nothing.</summary>
    internal readonly struct Registration(LiveRuns? owner, RunContext? run) : IDisposable
    {
        public void Dispose() => owner?.Remove(run!);
    }
}
