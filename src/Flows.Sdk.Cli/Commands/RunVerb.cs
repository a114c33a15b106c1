using System.CommandLine;
using System.Text.Json;
using Flows.CompilerServices;
using Flows.Orchestration;
using Microsoft.Extensions.DependencyInjection;
using Spectre.Console;

namespace Flows.Cli.Commands;

/// <summary>
/// <c>flows run &lt;flow|deployment&gt; [--param k=v ...] [--params-file f.json] [--queue [q]] [--watch]</c>: runs a flow
/// (or a deployment's flow with its parameters) in this process and exits 0 when it completed, 1 otherwise; with
/// <c>--queue</c>, queues it for the workers serving that queue and prints its id (with <c>--watch</c>, follows it).
/// </summary>
internal static class RunVerb
{
    public static Command Create(CommandLineHost cli)
    {
        var name = new Argument<string>("flow") { Description = "The flow or deployment to run (see 'flows list')" };
        var param = new Option<string[]>("--param", "-p")
        {
            Description = "A parameter, name=value (repeat for more; a list as a,b or JSON)",
            AllowMultipleArgumentsPerToken = false,
        };
        var paramsFile = new Option<string?>("--params-file") { Description = "A JSON object of parameters (--param values override it)" };
        var queue = new Option<string?>("--queue")
        {
            Description = "Queue it for the workers of this queue (default: its own) and print its id",
            Arity = ArgumentArity.ZeroOrOne,
        };
        var watch = new Option<bool>("--watch", "-w") { Description = "Show the run's tasks live until it ends" };
        var command = new Command("run", "Run a flow or deployment now, here or on a queue") { name, param, paramsFile, queue, watch };
        cli.SetAction(
            command,
            async context =>
            {
                var target = context.Value(name)!;
                var deployment = RunCatalog.FindFlow(target) is null ? await FindDeploymentAsync(context, target).ConfigureAwait(false) : null;
                var flow = RunCatalog.FindFlow(deployment?.Flow ?? target)
                    ?? throw new CommandLineException($"Deployment '{target}' runs flow '{deployment!.Flow}', which this application's code does not declare.");
                var given = RunParameters.Read(flow, context.Value(param) ?? [], context.Value(paramsFile));
                var parameters = deployment is null ? given : RunParameters.Merge(deployment.Parameters, given);

                // Checked here, before anything is recorded or queued: a missing parameter or a value of the wrong type
                // names the flow, the parameter and the expected type.
                FlowCatalog.CheckParameters(flow.Name, parameters);
                if (context.Has(queue))
                {
                    return await QueueAsync(context, flow.Name, deployment, parameters, given.Count > 0, context.Value(queue), context.Value(watch)).ConfigureAwait(false);
                }

                var start = new RunStart { RunId = FlowRuns.NewId(context), Deployment = deployment?.Name, Tags = deployment?.Tags ?? [] };
                return await FlowRuns.RunHereAsync(context, flow.Name, parameters, start, context.Value(watch)).ConfigureAwait(false);
            },
            needsCode: true);
        return command;
    }

    private static async Task<int> QueueAsync(
        CommandContext context, string flow, DeploymentInfo? deployment, Dictionary<string, JsonElement> parameters, bool paramsGiven, string? queue, bool watch)
    {
        var client = context.Require<IFlowClient>("services.AddOrchestration()");
        Guid id;
        if (deployment is not null)
        {
            if (queue is not null && queue != deployment.Queue)
            {
                throw new CommandLineException(
                    $"Deployment '{deployment.Name}' is queued in its own queue '{deployment.Queue}': "
                    + $"drop the queue name, or queue its flow instead (flows run {flow} --queue {queue} --param ...).");
            }

            // The deployment's parameters with --param/--params-file over them, checked again where it is queued.
            id = await client.RunDeploymentAsync(deployment.Name, paramsGiven ? parameters : null, context.Cancellation).ConfigureAwait(false);
        }
        else
        {
            id = await client.EnqueueAsync(flow, parameters, queue, context.Cancellation).ConfigureAwait(false);
        }

        if (!watch)
        {
            if (context.Settings.Json)
            {
                context.WriteJson(new { id, flow, deployment = deployment?.Name, queue = queue ?? deployment?.Queue ?? OrchestrationOptions.DefaultQueue });
            }
            else
            {
                context.Out.WriteLine(id.ToString(), Style.Plain);
                context.Err.WriteLine($"Queued run {id} of {flow} in queue '{queue ?? deployment?.Queue ?? OrchestrationOptions.DefaultQueue}'. Follow it with 'flows logs {id} --follow'.", Style.Plain);
            }

            return ExitCodes.Success;
        }

        context.Err.WriteLine($"Queued run {id} of {flow}; watching it (Ctrl+C stops watching, the run goes on).", Style.Plain);
        return await FlowRuns.FollowAsync(context, id).ConfigureAwait(false);
    }

    /// <summary>The deployment of that name, or an error listing the flows and deployments there are.</summary>
    private static async Task<DeploymentInfo> FindDeploymentAsync(CommandContext context, string target)
    {
        var deployments = context.Services.GetService<IDeployments>() is { } registered
            ? await registered.ListAsync(context.Cancellation).ConfigureAwait(false)
            : [];
        if (deployments.FirstOrDefault(d => string.Equals(d.Name, target, StringComparison.Ordinal)) is { } found)
        {
            return found;
        }

        var flows = string.Join(", ", RunCatalog.Flows.Select(f => f.Name));
        var names = string.Join(", ", deployments.Select(d => d.Name));
        throw new CommandLineException(
            $"No flow or deployment is named '{target}'. Flows: {(flows.Length == 0 ? "(none)" : flows)}. Deployments: {(names.Length == 0 ? "(none)" : names)}. See 'flows list'.");
    }
}
