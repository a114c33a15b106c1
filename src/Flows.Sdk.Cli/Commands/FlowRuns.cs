using System.Text.Json;
using Flows.Cli.Output;
using Flows.Runs;
using Spectre.Console;

namespace Flows.Cli.Commands;

/// <summary>
/// What <c>run</c> and <c>retry</c> share: running a flow in this process under an id known before it starts (so it can
/// be watched and named if interrupted), following a run another process runs, and printing how it ended.
/// </summary>
internal static class FlowRuns
{
    /// <summary>
    /// Runs <paramref name="flow"/> here, watched with <paramref name="watch"/>, and prints its end; exit 0 when it
    /// completed, else 1. Ctrl+C cancels the run through <see cref="CommandContext.Cancellation"/>: it ends Cancelled,
    /// recorded, before the command exits with 130.
    /// </summary>
    public static async Task<int> RunHereAsync(
        CommandContext context, string flow, IReadOnlyDictionary<string, JsonElement> parameters, RunStart start, bool watch)
    {
        var id = start.RunId ?? throw new ArgumentException("A run started by the command line has its id chosen first.", nameof(start));
        context.Err.WriteLine($"Run {id} of {flow} started{(start.Deployment is { } d ? $" (deployment {d})" : string.Empty)}.", Style.Plain);
        var running = context.Engine.RunAsync(flow, parameters, start, context.Cancellation);
        if (watch && !context.Settings.Json)
        {
            await new RunWatcher(context, id).FollowAsync(running).ConfigureAwait(false);
        }

        return Ended(context, await running.ConfigureAwait(false));
    }

    /// <summary>Follows a run another process runs (a queued run) from the store until it ends, then prints its end.</summary>
    public static async Task<int> FollowAsync(CommandContext context, Guid id)
    {
        var watcher = new RunWatcher(context, id);
        var ended = await watcher.FollowAsync(running: null).ConfigureAwait(false);
        return Ended(context, ended);
    }

    /// <summary>A new run id, ordered by time as the engine's own.</summary>
    public static Guid NewId(CommandContext context) => Guid.CreateVersion7(context.Engine.TimeProvider.GetUtcNow());

    /// <summary>Prints the run's end (its record as JSON, or a line with its state, result or error) and returns the exit code it means.</summary>
    public static int Ended(CommandContext context, RunRecord run)
    {
        if (context.Settings.Json)
        {
            context.WriteJson(RunJson.From(run));
        }
        else
        {
            var line = new Paragraph();
            line.Append($"Run {run.Id} of {run.Name}: ", Style.Plain);
            line.Append(run.State.ToString(), context.Style(StateStyles.Of(run.State), Decoration.Bold));
            line.Append(run.Duration is { } took ? $" in {Formats.Duration(took)}" : string.Empty, Style.Plain);
            context.Out.Write(line);
            context.Out.WriteLine();
            if (run.State.IsSuccess() && run.Result is { } result)
            {
                context.Out.Write(new Text($"Result: {result}"));
                context.Out.WriteLine();
            }
            else if (!run.State.IsSuccess() && run.Error is { } error)
            {
                context.Out.Write(new Text($"Error: {error}", context.Style(Color.Red)));
                context.Out.WriteLine();
            }
        }

        return run.State.IsSuccess() ? ExitCodes.Success : ExitCodes.RunNotCompleted;
    }
}
