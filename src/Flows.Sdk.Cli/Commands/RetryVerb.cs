using System.CommandLine;
using System.Text.Json;
using Flows.CompilerServices;
using Flows.Orchestration;
using Flows.Runs;
using Spectre.Console;

namespace Flows.Cli.Commands;

/// <summary>
/// <c>flows retry &lt;run&gt; [--param k=v ...] [--watch]</c>: a new run of an ended run's flow with the parameters it
/// recorded (any <c>--param</c> over them), in this process. Its tasks whose cached results are still valid take them
/// (state Cached) instead of running again.
/// </summary>
internal static class RetryVerb
{
    public static Command Create(CommandLineHost cli)
    {
        var id = new Argument<string>("run") { Description = "The id of the flow run to run again (see 'flows runs')" };
        var param = new Option<string[]>("--param", "-p") { Description = "A parameter to change, name=value (repeat for more)", AllowMultipleArgumentsPerToken = false };
        var watch = new Option<bool>("--watch", "-w") { Description = "Show the new run's tasks live until it ends" };
        var command = new Command("retry", "Run an ended flow run again with the same parameters") { id, param, watch };
        cli.SetAction(
            command,
            async context =>
            {
                var run = await context.GetRunAsync(context.Value(id)!).ConfigureAwait(false);
                var flow = RunCatalog.FindFlow(run.Name);
                var changes = flow is null ? new Dictionary<string, JsonElement>() : RunParameters.Read(flow, context.Value(param) ?? [], paramsFile: null);
                RunRetry retry;
                try
                {
                    retry = await context.RunControl.PrepareRetryAsync(run.Id, changes, context.Cancellation).ConfigureAwait(false);
                }
                catch (RunControlException ex)
                {
                    throw new CommandLineException(ex.Refusal switch
                    {
                        RunControlRefusal.NotEnded => $"{ex.Message[..^1]} ('flows cancel {run.Id}').",
                        RunControlRefusal.MaskedParameter => $"{ex.Message[..^1]} with --param {ex.Parameter}=...",
                        _ => ex.Message,
                    });
                }

                context.Err.WriteLine($"Retrying run {run.Id} ({run.State}).", Style.Plain);
                return await FlowRuns.RunHereAsync(context, retry.Flow, retry.Parameters, retry.Start, context.Value(watch)).ConfigureAwait(false);
            },
            needsCode: true);
        return command;
    }
}
