using System.CommandLine;
using Flows.Cli.Output;
using Flows.Orchestration;
using Flows.Runs;
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

            RunCancellation cancellation;
            try
            {
                cancellation = await context.RunControl.CancelAsync(record.Id, why, context.Cancellation).ConfigureAwait(false);
            }
            catch (RunControlException ex)
            {
                throw new CommandLineException(ex.Message);
            }

            var outcome = cancellation.Outcome;
            var after = cancellation.After;
            if (outcome != RunCancelOutcome.AlreadyEnded && context.Value(wait))
            {
                after = await Poll.UntilEndedAsync(context.Store, record.Id, context.Cancellation).ConfigureAwait(false);
            }

            var exitCode = outcome switch
            {
                RunCancelOutcome.AlreadyEnded => ExitCodes.RunNotCompleted,
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
                RunCancelOutcome.AlreadyEnded => $"Run {record.Id} ({record.Name}) has already ended {record.State}: nothing to cancel.",
                RunCancelOutcome.CancelledBeforeStart => $"Run {record.Id} ({record.Name}) cancelled before it started.",
                _ => $"Cancel requested for run {record.Id} ({record.Name}, {record.State}): the process running it stops it within about a second.",
            };
            context.Out.WriteLine(message, Style.Plain);
            if (after.State.IsFinal() && outcome != RunCancelOutcome.AlreadyEnded)
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

    private static string Name(RunCancelOutcome outcome) => outcome switch
    {
        RunCancelOutcome.AlreadyEnded => "alreadyEnded",
        RunCancelOutcome.CancelledBeforeStart => "cancelledBeforeStart",
        _ => "requested",
    };
}
