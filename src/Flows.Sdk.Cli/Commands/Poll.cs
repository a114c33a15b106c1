using Flows.Runs;
using Flows.Stores;

namespace Flows.Cli.Commands;

/// <summary>
/// The pauses of verbs that watch another process's progress through the store (<c>logs --follow</c>,
/// <c>cancel --wait</c>): 100 ms at first, doubling to 1 s while nothing changes. Real time, not the command's clock:
/// a fake clock in a test does not drive another process.
/// </summary>
internal static class Poll
{
    public static readonly TimeSpan First = TimeSpan.FromMilliseconds(100);

    public static readonly TimeSpan Longest = TimeSpan.FromSeconds(1);

    public static TimeSpan Next(TimeSpan pause) => pause * 2 > Longest ? Longest : pause * 2;

    /// <summary>Reads the run until it is final and returns its final record; bounded by <paramref name="cancellationToken"/> (Ctrl+C).</summary>
    public static async Task<RunRecord> UntilEndedAsync(IRunStore store, Guid runId, CancellationToken cancellationToken)
    {
        var pause = First;
        while (true)
        {
            var run = await store.GetRunAsync(runId, cancellationToken).ConfigureAwait(false)
                ?? throw new CommandLineException($"Run {runId} is no longer in the store (pruned?).");
            if (run.State.IsFinal())
            {
                return run;
            }

            await Task.Delay(pause, TimeProvider.System, cancellationToken).ConfigureAwait(false);
            pause = Next(pause);
        }
    }
}
