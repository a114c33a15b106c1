namespace Flows.Tests.Fixtures;

/// <summary>Counts the bodies running now, the most that ever ran at once and how many ever started.</summary>
public sealed class InFlight
{
    private int _now;
    private int _max;
    private int _started;

    /// <summary>The most bodies that were running at the same time.</summary>
    public int Max => Volatile.Read(ref _max);

    /// <summary>How many bodies started.</summary>
    public int Started => Volatile.Read(ref _started);

    public void Enter()
    {
        Interlocked.Increment(ref _started);
        var now = Interlocked.Increment(ref _now);
        for (var max = Max; now > max; max = Max)
        {
            Interlocked.CompareExchange(ref _max, now, max);
        }
    }

    public void Leave() => Interlocked.Decrement(ref _now);
}
