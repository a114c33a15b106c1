namespace Flows.Runs;

/// <summary>
/// Reads the time a run spent waiting for concurrency slots and rate-limit permits from its state transitions.
/// A run that has to wait records a <see cref="RunState.Pending"/> transition whose message says what it waits for
/// ("Waiting for a slot of tag 'van-api' (4 at a time)"); the next other transition (normally
/// <see cref="RunState.Running"/>) ends the wait.
/// </summary>
public static class RunWaits
{
    internal const string MessagePrefix = "Waiting for ";

    /// <summary>True for a transition that starts or continues a wait for a slot or permit.</summary>
    public static bool IsWait(StateTransition transition)
    {
        ArgumentNullException.ThrowIfNull(transition);
        return transition.State == RunState.Pending && transition.Message?.StartsWith(MessagePrefix, StringComparison.Ordinal) == true;
    }

    /// <summary>
    /// The total time spent waiting, over every attempt. A wait still going at the last transition counts up to it.
    /// </summary>
    /// <param name="transitions">One run's transitions in the order they were recorded.</param>
    public static TimeSpan TotalWait(IEnumerable<StateTransition> transitions)
    {
        ArgumentNullException.ThrowIfNull(transitions);
        var total = TimeSpan.Zero;
        DateTimeOffset? since = null;
        DateTimeOffset last = default;
        foreach (var transition in transitions)
        {
            last = transition.Timestamp;
            if (IsWait(transition))
            {
                since ??= transition.Timestamp;
            }
            else if (since is { } start)
            {
                total += transition.Timestamp - start;
                since = null;
            }
        }

        return since is { } open ? total + (last - open) : total;
    }

    internal static string Message(string what) => MessagePrefix + what;
}
