namespace Flows.Tests.Fixtures;

/// <summary>Tasks that call tasks sharing their limits: directly, recursively, through Flow.Map and through a subflow.</summary>
public sealed class Nested
{
    /// <summary>Counts the bodies of <see cref="Held"/> and <see cref="Mapped"/>.</summary>
    public InFlight InFlight { get; } = new();

    /// <summary>Completed by the test to let <see cref="Held"/> and <see cref="Mapped"/> finish.</summary>
    public TaskCompletionSource Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completed when <see cref="Held"/> starts its body, holding (or sharing) a slot of 'nested-db'.</summary>
    public TaskCompletionSource HeldStarted { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>The call <see cref="Forgets"/> started and did not wait for.</summary>
    public Task? Forgotten { get; private set; }

    [Task("nested-outer", Tags = ["nested-db"])]
    public async Task<int> Outer(int item) => await Inner(item) + 1;

    [Task("nested-inner", Tags = ["nested-db"])]
    public async Task<int> Inner(int item)
    {
        await Task.Yield();
        return item * 10;
    }

    [Task("nested-outer-sync", Tags = ["nested-db"])]
    public int OuterSync(int item) => InnerSync(item) + 1;

    [Task("nested-inner-sync", Tags = ["nested-db"])]
    public int InnerSync(int item) => item * 10;

    [Task("nested-countdown", MaxConcurrency = 1)]
    public async Task<int> Countdown(int depth) => depth == 0 ? 0 : await Countdown(depth - 1) + 1;

    [Task("nested-countdown-sync", MaxConcurrency = 1)]
    public int CountdownSync(int depth) => depth == 0 ? 0 : CountdownSync(depth - 1) + 1;

    /// <summary>Holds the slot of 'nested-db' while <see cref="Held"/> waits for <see cref="Release"/>.</summary>
    [Task("nested-holder", Tags = ["nested-db"])]
    public async Task Holder() => await Held();

    [Task("nested-held", Tags = ["nested-db"])]
    public async Task Held()
    {
        InFlight.Enter();
        HeldStarted.TrySetResult();
        await Release.Task;
        InFlight.Leave();
    }

    [Task("nested-sibling", Tags = ["nested-db"])]
    public async Task Sibling() => await Task.Yield();

    /// <summary>A holder and, beside it in the same flow (not inside it), a sibling with the same tag.</summary>
    [Flow("nested-siblings")]
    public async Task Siblings() => await Task.WhenAll(Holder(), Sibling());

    /// <summary>Maps <see cref="Mapped"/>, four at a time, inside its own slot of 'nested-db'.</summary>
    [Task("nested-mapper", Tags = ["nested-db"])]
    public async Task<int[]> Mapper(int count) => await Flow.Map(Enumerable.Range(0, count), i => Mapped(i), 4);

    [Task("nested-mapped", Tags = ["nested-db"])]
    public async Task<int> Mapped(int item)
    {
        InFlight.Enter();
        await Release.Task;
        InFlight.Leave();
        return item;
    }

    [Task("nested-starts-flow", Tags = ["nested-db"])]
    public async Task<int> StartsFlow(int item) => await Subflow(item);

    [Flow("nested-subflow")]
    public async Task<int> Subflow(int item) => await Inner(item);

    /// <summary>Starts <see cref="Held"/> and returns without waiting for it: its attempt ends first.</summary>
    [Task("nested-forgets", Tags = ["nested-db"])]
    public Task Forgets()
    {
        Forgotten = Held();
        return Task.CompletedTask;
    }

    /// <summary>Fans out calls of <see cref="Waits"/> that share its slot of 'nested-db' and each need a slot of 'nested-z' too.</summary>
    [Task("nested-fans-out", Tags = ["nested-db"])]
    public async Task FansOut(int count, CancellationToken cancellationToken) =>
        await Task.WhenAll(Enumerable.Range(0, count).Select(_ => Waits(cancellationToken)));

    [Task("nested-waits", Tags = ["nested-db", "nested-z"])]
    public async Task Waits(CancellationToken cancellationToken)
    {
        InFlight.Enter();
        await Task.Delay(Timeout.Infinite, cancellationToken);
    }

    [Task("nested-rated-outer", Tags = ["nested-api"])]
    public async Task RatedOuter() => await RatedInner();

    [Task("nested-rated-inner", Tags = ["nested-api"])]
    public async Task RatedInner() => await Task.Yield();
}
