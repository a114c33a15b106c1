using System.CommandLine;
using Flows.Cli.Output;
using Flows.Runs;
using Flows.Stores;
using Spectre.Console;

namespace Flows.Cli.Commands;

/// <summary>
/// <c>flows prune --older-than 30d [--keep-failed] [--dry-run]</c>: deletes flow runs that ended more than the span
/// ago, with their task runs, subflows, transitions, log lines and artifacts, and expired cache entries; never a run in
/// progress, Scheduled or Late. <c>--dry-run</c> counts the flow runs it would delete and deletes nothing.
/// </summary>
internal static class PruneVerb
{
    /// <summary>Runs read per page while counting for <c>--dry-run</c>.</summary>
    private const int CountPage = 1000;

    public static Command Create(CommandLineHost cli)
    {
        var olderThan = new Option<string>("--older-than") { Description = "Delete flow runs that ended longer ago than this (90m, 12h, 30d, 8w)", Required = true };
        var keepFailed = new Option<bool>("--keep-failed") { Description = "Keep Failed, Crashed and TimedOut runs; delete only Completed and Cancelled" };
        var dryRun = new Option<bool>("--dry-run") { Description = "Count the flow runs that would be deleted; delete nothing" };
        var command = new Command("prune", "Delete old run history: flow runs that ended before a time, with everything of theirs") { olderThan, keepFailed, dryRun };
        cli.SetAction(command, async context =>
        {
            var cutoff = context.Time.GetUtcNow() - Spans.Parse(context.Value(olderThan)!, "--older-than");
            var keep = context.Value(keepFailed);
            var request = new PruneRequest { EndedBefore = cutoff, KeepFailed = keep };
            if (context.Value(dryRun))
            {
                var count = await CountAsync(context.Store, request, context.Cancellation).ConfigureAwait(false);
                if (context.Settings.Json)
                {
                    context.WriteJson(new { endedBefore = cutoff, keepFailed = keep, dryRun = true, flowRuns = count });
                }
                else
                {
                    context.Out.WriteLine(
                        $"Would delete {count} flow run{(count == 1 ? "" : "s")} that ended before {context.Formats.Time(cutoff)}{(keep ? " (failed ones kept)" : "")}, with their task runs, logs and artifacts. Nothing was deleted.",
                        Style.Plain);
                }

                return ExitCodes.Success;
            }

            PruneResult result;
            try
            {
                result = await context.Store.PruneAsync(request, context.Cancellation).ConfigureAwait(false);
            }
            catch (NotSupportedException ex)
            {
                throw new CommandLineException(ex.Message);
            }

            if (context.Settings.Json)
            {
                context.WriteJson(new
                {
                    endedBefore = cutoff,
                    keepFailed = keep,
                    dryRun = false,
                    flowRuns = result.FlowRuns,
                    runs = result.Runs,
                    transitions = result.Transitions,
                    logLines = result.LogLines,
                    artifacts = result.Artifacts,
                    cacheEntries = result.CacheEntries,
                });
                return ExitCodes.Success;
            }

            context.Out.WriteLine(
                $"Deleted {result.FlowRuns} flow run{(result.FlowRuns == 1 ? "" : "s")} that ended before {context.Formats.Time(cutoff)}{(keep ? " (failed ones kept)" : "")}: "
                + $"{result.Runs} runs in all, {result.Transitions} transitions, {result.LogLines} log lines, {result.Artifacts} artifacts; and {result.CacheEntries} expired cache entries.",
                Style.Plain);
            return ExitCodes.Success;
        });
        return command;
    }

    /// <summary>
    /// The top-level flow runs <see cref="IRunStore.PruneAsync"/> would delete for <paramref name="request"/>: those
    /// created before the cutoff (a run ends after it is created) that ended before it, in a state it deletes.
    /// </summary>
    private static async Task<int> CountAsync(IRunStore store, PruneRequest request, CancellationToken cancellationToken)
    {
        var count = 0;
        string? token = null;
        do
        {
            var page = await store.QueryRunPageAsync(
                new RunQuery { Kind = RunKind.Flow, CreatedBefore = request.EndedBefore, Limit = CountPage, PageToken = token },
                cancellationToken).ConfigureAwait(false);
            count += page.Runs.Count(r => r.ParentRunId is null && r.EndedAt < request.EndedBefore && Deletes(r.State, request.KeepFailed));
            token = page.NextPageToken;
        }
        while (token is not null);
        return count;
    }

    private static bool Deletes(RunState state, bool keepFailed) =>
        state is RunState.Completed or RunState.Cancelled
        || (!keepFailed && state is RunState.Failed or RunState.Crashed or RunState.TimedOut);
}
