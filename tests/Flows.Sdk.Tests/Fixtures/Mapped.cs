namespace Flows.Tests.Fixtures;

/// <summary>Tasks mapped over items with Flow.Map.</summary>
public sealed class Mapped
{
    private int _inFlight;
    private int _maxInFlight;

    private readonly TaskCompletionSource _threeAfterFiveWait = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _startedAfterFive;

    public int MaxInFlight => Volatile.Read(ref _maxInFlight);

    [Task("mapped-square")]
    public async Task<int> Square(int item)
    {
        var now = Interlocked.Increment(ref _inFlight);
        for (var max = MaxInFlight; now > max; max = MaxInFlight)
        {
            Interlocked.CompareExchange(ref _maxInFlight, now, max);
        }

        // Later items finish sooner, so completion order is not input order.
        for (var i = 0; i < 50 - item; i++)
        {
            await Task.Yield();
        }

        Interlocked.Decrement(ref _inFlight);
        return item * item;
    }

    [Task("mapped-fails-at-five")]
    public static async Task<int> FailsAtFive(int item)
    {
        for (var i = 0; i < 20; i++)
        {
            await Task.Yield();
        }

        return item == 5 ? throw new InvalidOperationException($"item {item} is bad") : item;
    }

    /// <summary>Item 3 fails the moment it starts; the others wait for <paramref name="gate"/>, then finish.</summary>
    [Task("mapped-fails-at-three")]
    public static async Task<int> FailsAtThree(int item, Task gate)
    {
        ArgumentNullException.ThrowIfNull(gate);
        if (item == 3)
        {
            throw new InvalidOperationException($"item {item} is bad");
        }

        await gate;
        return item;
    }

    /// <summary>Item 5 fails; the items after it only end when cancelled.</summary>
    [Task("mapped-fails-at-five-hangs-after")]
    public static async Task<int> FailsAtFiveHangsAfter(int item, CancellationToken cancellationToken)
    {
        await Task.Yield();
        if (item == 5)
        {
            throw new InvalidOperationException($"item {item} is bad");
        }

        if (item > 5)
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
        }

        return item;
    }

    /// <summary>
    /// Item 5 fails once three items after it are in flight; those only end when cancelled. With four workers the
    /// failure so always meets exactly items 6 to 8 running, whatever the thread pool does.
    /// </summary>
    [Task("mapped-fails-at-five-while-others-wait")]
    public async Task<int> FailsAtFiveWhileOthersWait(int item, CancellationToken cancellationToken)
    {
        await Task.Yield();
        if (item == 5)
        {
            await _threeAfterFiveWait.Task;
            throw new InvalidOperationException($"item {item} is bad");
        }

        if (item > 5)
        {
            if (Interlocked.Increment(ref _startedAfterFive) == 3)
            {
                _threeAfterFiveWait.SetResult();
            }

            await Task.Delay(Timeout.Infinite, cancellationToken);
        }

        return item;
    }

    [Flow("mapped-flow")]
    public async Task<int[]> Run(int count) => await Flow.Map(Enumerable.Range(0, count), item => Square(item), 3);
}
