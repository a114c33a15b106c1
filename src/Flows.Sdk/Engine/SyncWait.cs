namespace Flows.Engine;

/// <summary>
/// How synchronous runs wait for work the runtime does asynchronously (hooks, cache lookups, slots, secrets, a
/// flow's write-through): at no cost when it already finished, otherwise by blocking the run's thread until it does.
/// </summary>
internal static class SyncWait
{
    public static void For(ValueTask pending)
    {
        if (!pending.IsCompletedSuccessfully)
        {
            pending.AsTask().GetAwaiter().GetResult();
        }
    }

    public static T For<T>(ValueTask<T> pending) =>
        pending.IsCompletedSuccessfully ? pending.Result : pending.AsTask().GetAwaiter().GetResult();
}
