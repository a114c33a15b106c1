using System.CommandLine;
using Flows.Cli.Output;
using Flows.Orchestration;
using Spectre.Console;

namespace Flows.Cli.Commands;

/// <summary>
/// <c>flows backfill &lt;deployment&gt; --from &lt;time&gt; --to &lt;time&gt;</c>: runs every slot the deployment's
/// schedules had in [from, to) that has no run yet, now, on the workers serving its queue (<see cref="IDeployments.BackfillAsync"/>).
/// </summary>
internal static class BackfillVerb
{
    public static Command Create(CommandLineHost cli)
    {
        var name = new Argument<string>("deployment") { Description = "The deployment (see 'flows list')" };
        var from = new Option<string>("--from") { Description = "The window's start, included (2026-11-01, 2026-11-01T06:00; local time unless --utc or an offset)", Required = true };
        var to = new Option<string>("--to") { Description = "The window's end, excluded; not in the future", Required = true };
        var command = new Command("backfill", "Run a deployment's past slots that have no run") { name, from, to };
        cli.SetAction(
            command,
            async context =>
            {
                var deployment = await DeploymentsVerb.FindAsync(context, context.Value(name)!).ConfigureAwait(false);
                var start = Times.Parse(context.Value(from)!, "--from", context.Zone, context.Settings.Utc);
                var end = Times.Parse(context.Value(to)!, "--to", context.Zone, context.Settings.Utc);
                if (start >= end)
                {
                    throw new CommandLineException($"--from {context.Formats.Time(start)} is not before --to {context.Formats.Time(end)}: the window [from, to) is empty.");
                }

                BackfillResult result;
                try
                {
                    result = await context.Require<IDeployments>("services.AddOrchestration()")
                        .BackfillAsync(deployment.Name, start, end, context.Cancellation).ConfigureAwait(false);
                }
                catch (ArgumentException ex)
                {
                    // A window the scheduler refuses ('to' in the future, too many slots): its message, without the
                    // "(Parameter 'to')" the exception adds for programmers.
                    throw new CommandLineException(ex.ParamName is { } parameter ? ex.Message.Replace($" (Parameter '{parameter}')", string.Empty, StringComparison.Ordinal) : ex.Message);
                }

                if (context.Settings.Json)
                {
                    context.WriteJson(new { result.Deployment, slots = result.Slots.Select(s => s.ToUniversalTime()), result.Scheduled, result.AlreadyDone });
                    return ExitCodes.Success;
                }

                context.Out.Write(new Text(
                    $"Backfill of {result.Deployment}: {result.Slots.Count} slot{(result.Slots.Count == 1 ? string.Empty : "s")} in "
                    + $"[{context.Formats.Time(start)}, {context.Formats.Time(end)}), {result.Scheduled} scheduled to run now, {result.AlreadyDone} already run or waiting."));
                context.Out.WriteLine();
                foreach (var slot in result.Slots)
                {
                    context.Out.Write(new Text($"  {context.Formats.Time(slot)}"));
                    context.Out.WriteLine();
                }

                if (result.Scheduled > 0)
                {
                    context.Err.WriteLine($"They run on the workers serving queue '{deployment.Queue}'; follow them with 'flows runs --deployment {deployment.Name}'.", Style.Plain);
                }

                return ExitCodes.Success;
            },
            needsCode: true);
        return command;
    }
}
