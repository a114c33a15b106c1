using System.CommandLine;
using System.Text.Json;
using Flows.CompilerServices;
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
                if (run.Kind != RunKind.Flow)
                {
                    throw new CommandLineException(
                        $"Run {run.Id} is a task run of '{run.Name}', not a flow run: retry its flow run{(run.FlowRunId is { } flowRun ? $" ({flowRun})" : string.Empty)}.");
                }

                if (!run.State.IsFinal())
                {
                    throw new CommandLineException($"Run {run.Id} of {run.Name} is {run.State}: it has not ended. Wait for it, or cancel it first ('flows cancel {run.Id}').");
                }

                var flow = RunCatalog.FindFlow(run.Name)
                    ?? throw new CommandLineException($"Run {run.Id} is of flow '{run.Name}', which this application's code does not declare (renamed or removed?).");
                var overrides = RunParameters.Read(flow, context.Value(param) ?? [], paramsFile: null);
                var parameters = RunParameters.Merge(Recorded(flow, run, overrides), overrides);
                FlowCatalog.CheckParameters(flow.Name, parameters);
                context.Err.WriteLine($"Retrying run {run.Id} ({run.State}).", Style.Plain);
                var start = new RunStart { RunId = FlowRuns.NewId(context), Deployment = run.Deployment, Tags = run.Tags };
                return await FlowRuns.RunHereAsync(context, flow.Name, parameters, start, context.Value(watch)).ConfigureAwait(false);
            },
            needsCode: true);
        return command;
    }

    /// <summary>
    /// The parameters the run recorded, but its [Secret] ones (recorded as <c>***</c>; the new run resolves them again).
    /// A value recorded with a secret masked inside it cannot be given back as it was: it must be given again.
    /// </summary>
    private static Dictionary<string, JsonElement> Recorded(RunDescriptor flow, RunRecord run, IReadOnlyDictionary<string, JsonElement> overrides)
    {
        var values = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        if (string.IsNullOrEmpty(run.Parameters))
        {
            return values;
        }

        using var document = JsonDocument.Parse(run.Parameters);
        foreach (var property in document.RootElement.EnumerateObject())
        {
            if (flow.Parameters.FirstOrDefault(p => p.Name == property.Name) is not { } parameter || parameter.SecretName is not null || overrides.ContainsKey(property.Name))
            {
                continue;
            }

            if (property.Value.GetRawText().Contains("***", StringComparison.Ordinal))
            {
                throw new CommandLineException(
                    $"Run {run.Id}: parameter '{property.Name}' was recorded with a secret masked in it, so it cannot be given back as it was: give it again with --param {property.Name}=...");
            }

            values[property.Name] = property.Value.Clone();
        }

        return values;
    }
}
