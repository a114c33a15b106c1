using System.CommandLine;
using Flows.Cli.Output;
using Flows.Orchestration;
using Flows.Runs;
using Microsoft.Extensions.DependencyInjection;
using Spectre.Console;

namespace Flows.Cli.Commands;

/// <summary>
/// <c>flows cancel &lt;run&gt; [--reason] [--wait]</c>: cancels a flow run wherever it is. A run not started yet
/// (Scheduled, Late) ends Cancelled at once; a run in progress is asked to stop through the store (the process running
/// it, this one or another, cancels its token within about a second) and, for a run orchestration started, through
/// the job store too. Exit code 0 when the run is (or is being) cancelled; 1 when it had already ended or, with
/// <c>--wait</c>, ended otherwise than Cancelled.
/// </summary>
internal static class CancelVerb
{
    /// <summary>The reason recorded when none is given.</summary>
    public const string DefaultReason = "Cancelled from the command line.";

    public static Command Create(CommandLineHost cli)
    {
        var run = new Argument<string>("run") { Description = "The flow run's id, as 'flows runs' lists it" };
        var reason = new Option<string?>("--reason") { Description = "Why: recorded in the run's error and its Cancelled transition" };
        var wait = new Option<bool>("--wait") { Description = "Wait until the run has ended and print its final state" };
        var command = new Command("cancel", "Cancel a flow run: one not started at once, one in progress through its process") { run, reason, wait };
        cli.SetAction(command, async context =>
        {
            var why = context.Value(reason) is { } given
                ? (string.IsNullOrWhiteSpace(given) ? throw new CommandLineException("--reason is empty: give a few words, or leave the option out.") : given.Trim())
                : DefaultReason;
            var record = await context.GetRunAsync(context.Value(run)!).ConfigureAwait(false);
            if (record.Kind != RunKind.Flow)
            {
                throw new CommandLineException(
                    $"Run {record.Id} is a task run ({record.Name}); cancel the flow run it belongs to{(record.FlowRunId is { } flowRun ? $": flows cancel {flowRun}" : string.Empty)}.");
            }

            var outcome = record.State.IsFinal() ? Outcome.AlreadyEnded : await CancelAsync(context, record, why).ConfigureAwait(false);
            var after = await context.Store.GetRunAsync(record.Id, context.Cancellation).ConfigureAwait(false) ?? record;
            if (outcome != Outcome.AlreadyEnded && context.Value(wait))
            {
                after = await Poll.UntilEndedAsync(context.Store, record.Id, context.Cancellation).ConfigureAwait(false);
            }

            var exitCode = outcome switch
            {
                Outcome.AlreadyEnded => ExitCodes.RunNotCompleted,
                _ when after.State.IsFinal() && after.State != RunState.Cancelled => ExitCodes.RunNotCompleted,
                _ => ExitCodes.Success,
            };
            if (context.Settings.Json)
            {
                context.WriteJson(new { outcome = Name(outcome), run = RunJson.From(after) });
                return exitCode;
            }

            var message = outcome switch
            {
                Outcome.AlreadyEnded => $"Run {record.Id} ({record.Name}) has already ended {record.State}: nothing to cancel.",
                Outcome.CancelledBeforeStart => $"Run {record.Id} ({record.Name}) cancelled before it started.",
                _ => $"Cancel requested for run {record.Id} ({record.Name}, {record.State}): the process running it stops it within about a second.",
            };
            context.Out.WriteLine(message, Style.Plain);
            if (after.State.IsFinal() && outcome != Outcome.AlreadyEnded)
            {
                var line = new Paragraph();
                line.Append($"Run {after.Id} ended ", Style.Plain);
                line.Append(after.State.ToString(), context.Style(StateStyles.Of(after.State)));
                line.Append(".", Style.Plain);
                context.Out.Write(line);
                context.Out.WriteLine();
            }

            return exitCode;
        });
        return command;
    }

    private enum Outcome
    {
        AlreadyEnded,
        CancelledBeforeStart,
        Requested,
    }

    private static string Name(Outcome outcome) => outcome switch
    {
        Outcome.AlreadyEnded => "alreadyEnded",
        Outcome.CancelledBeforeStart => "cancelledBeforeStart",
        _ => "requested",
    };

    private static async Task<Outcome> CancelAsync(CommandContext context, RunRecord run, string reason)
    {
        // A run orchestration started (a deployment's slot, a queued run): its client also deletes a queued job not yet
        // fired and interrupts the firing on whichever replica runs it.
        var client = StartedByOrchestration(run) ? context.Services.GetService<IFlowClient>() : null;
        if (run.State is RunState.Scheduled or RunState.Late)
        {
            var cancelled = client is not null
                ? await client.CancelAsync(run.Id, context.Cancellation).ConfigureAwait(false)
                : await context.Engine.TryCancelScheduledRunAsync(run.Id, reason, context.Cancellation).ConfigureAwait(false);
            if (cancelled && await context.Store.GetRunAsync(run.Id, context.Cancellation).ConfigureAwait(false) is { State: RunState.Cancelled })
            {
                return Outcome.CancelledBeforeStart;
            }
        }

        // In progress (or started while this ran): ask through the store, which the process running it reads.
        var reached = client is not null && await client.CancelAsync(run.Id, context.Cancellation).ConfigureAwait(false);
        bool requested;
        try
        {
            requested = await context.Store.RequestCancelAsync(run.Id, reason, context.Cancellation).ConfigureAwait(false);
        }
        catch (NotSupportedException ex) when (!reached)
        {
            throw new CommandLineException(ex.Message);
        }
        catch (NotSupportedException)
        {
            // Orchestration reached the run; the store's own request was a second path.
            requested = false;
        }

        if (reached || requested)
        {
            return Outcome.Requested;
        }

        // Neither took it: the run ended meanwhile.
        return Outcome.AlreadyEnded;
    }

    private static bool StartedByOrchestration(RunRecord run) =>
        run.Deployment is not null || run.Tags.Any(t => t.StartsWith("queue:", StringComparison.Ordinal));
}
