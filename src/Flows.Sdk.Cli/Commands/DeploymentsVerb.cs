using System.CommandLine;
using Flows.Orchestration;
using Spectre.Console;

namespace Flows.Cli.Commands;

/// <summary>
/// <c>flows deployments pause|resume &lt;name&gt; [--reason]</c>: stops and restarts a deployment's schedule in the job
/// store, for every node of the cluster and across restarts (<see cref="IDeployments"/>).
/// </summary>
internal static class DeploymentsVerb
{
    public static Command Create(CommandLineHost cli)
    {
        var command = new Command("deployments", "Pause or resume a deployment's schedule") { Pause(cli), Resume(cli) };
        return command;
    }

    /// <summary>The deployment named <paramref name="name"/> in the job store, or an error listing the deployments there are.</summary>
    public static async Task<DeploymentInfo> FindAsync(CommandContext context, string name)
    {
        var deployments = await context.Require<IDeployments>("services.AddOrchestration()").ListAsync(context.Cancellation).ConfigureAwait(false);
        if (deployments.FirstOrDefault(d => string.Equals(d.Name, name, StringComparison.Ordinal)) is { } found)
        {
            return found;
        }

        var names = string.Join(", ", deployments.Select(d => d.Name));
        throw new CommandLineException($"No deployment is named '{name}'. Deployments: {(names.Length == 0 ? "(none in the job store; the application writes them there when it serves)" : names)}.");
    }

    private static Command Pause(CommandLineHost cli)
    {
        var name = new Argument<string>("deployment") { Description = "The deployment (see 'flows list')" };
        var reason = new Option<string?>("--reason") { Description = "Why, for whoever looks at it next" };
        var command = new Command("pause", "Stop firing a deployment's slots until it is resumed (a run in progress goes on)") { name, reason };
        cli.SetAction(
            command,
            async context =>
            {
                var deployment = await FindAsync(context, context.Value(name)!).ConfigureAwait(false);
                var why = context.Value(reason) is { Length: > 0 } given ? given : "Paused from the command line";
                var who = $"{Environment.UserName}@{Environment.MachineName} ({cli.Options.Name} deployments pause)";
                await context.Require<IDeployments>("services.AddOrchestration()").PauseAsync(deployment.Name, why, who, context.Cancellation).ConfigureAwait(false);
                return Done(context, deployment.Name, paused: true, why);
            },
            needsCode: true);
        return command;
    }

    private static Command Resume(CommandLineHost cli)
    {
        var name = new Argument<string>("deployment") { Description = "The deployment (see 'flows list')" };
        var command = new Command("resume", "Fire a paused deployment's slots again, from its next slot after now") { name };
        cli.SetAction(
            command,
            async context =>
            {
                var deployment = await FindAsync(context, context.Value(name)!).ConfigureAwait(false);
                await context.Require<IDeployments>("services.AddOrchestration()").ResumeAsync(deployment.Name, context.Cancellation).ConfigureAwait(false);
                return Done(context, deployment.Name, paused: false, reason: null);
            },
            needsCode: true);
        return command;
    }

    private static int Done(CommandContext context, string deployment, bool paused, string? reason)
    {
        if (context.Settings.Json)
        {
            context.WriteJson(new { deployment, paused, reason });
        }
        else
        {
            context.Out.Write(new Text(paused ? $"Paused {deployment}: {reason}" : $"Resumed {deployment}: it fires from its next slot after now."));
            context.Out.WriteLine();
        }

        return ExitCodes.Success;
    }
}
