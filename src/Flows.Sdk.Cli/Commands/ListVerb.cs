using System.CommandLine;
using System.Globalization;
using System.Reflection;
using System.Text.Json;
using Flows.CompilerServices;
using Flows.Orchestration;
using Microsoft.Extensions.DependencyInjection;
using Spectre.Console;

namespace Flows.Cli.Commands;

/// <summary>
/// <c>flows list</c>: the application's flows with their parameters (type, default, secret or not), and its deployments
/// as the job store holds them (schedules, next slot, paused and why).
/// </summary>
internal static class ListVerb
{
    public static Command Create(CommandLineHost cli)
    {
        var command = new Command("list", "List the application's flows and deployments");
        cli.SetAction(
            command,
            async context =>
            {
                var flows = RunCatalog.Flows.Where(f => f.CanRunByName).Select(FlowJson.From).ToList();
                var deployments = context.Services.GetService<IDeployments>() is { } registered
                    ? await registered.ListAsync(context.Cancellation).ConfigureAwait(false)
                    : null;
                if (context.Settings.Json)
                {
                    context.WriteJson(new { flows, deployments = (deployments ?? []).Select(DeploymentJson.From) });
                    return ExitCodes.Success;
                }

                WriteFlows(context, flows);
                if (deployments is null)
                {
                    context.Err.WriteLine("No deployments: the application does not register orchestration (services.AddOrchestration()).", Style.Plain);
                }
                else if (deployments.Count == 0)
                {
                    context.Err.WriteLine("No deployments in the job store (the application writes its deployments there when it serves).", Style.Plain);
                }
                else
                {
                    context.Out.WriteLine();
                    WriteDeployments(context, deployments);
                }

                return ExitCodes.Success;
            },
            needsCode: true);
        return command;
    }

    private static void WriteFlows(CommandContext context, List<FlowJson> flows)
    {
        var table = new Table().NoBorder().HideRowSeparators();
        table.AddColumn(new TableColumn("FLOW").PadLeft(0));
        table.AddColumn(new TableColumn("PARAMETERS"));
        foreach (var flow in flows)
        {
            var parameters = flow.Parameters.Count == 0
                ? "-"
                : string.Join('\n', flow.Parameters.Select(p =>
                    $"{p.Name}: {p.Type}{(p.Secret is { } s ? $" (secret '{s}')" : p.Default is { } d ? $" = {d.GetRawText()}" : string.Empty)}"));
            var name = flow.Description is { Length: > 0 } description ? $"{flow.Name}\n{description}" : flow.Name;
            table.AddRow(new Text(name), new Text(parameters));
        }

        context.Out.Write(table);
    }

    private static void WriteDeployments(CommandContext context, IReadOnlyList<DeploymentInfo> deployments)
    {
        var table = new Table().NoBorder().HideRowSeparators();
        table.AddColumn(new TableColumn("DEPLOYMENT").PadLeft(0));
        table.AddColumn(new TableColumn("FLOW"));
        table.AddColumn(new TableColumn("SCHEDULE"));
        table.AddColumn(new TableColumn("NEXT").NoWrap());
        foreach (var deployment in deployments)
        {
            var next = deployment.Paused
                ? new Text("paused", context.Style(Color.Yellow))
                : new Text(deployment.NextFireTime is { } at ? $"{context.Formats.Time(at)}\n{context.Formats.Relative(at)}" : "-");
            table.AddRow(new Text(deployment.Name), new Text(deployment.Flow), new Text(string.Join('\n', deployment.Schedules)), next);
        }

        context.Out.Write(table);
        foreach (var paused in deployments.Where(d => d.Paused))
        {
            var by = paused.PausedBy is { } who ? $" by {who}" : string.Empty;
            var at = paused.PausedAt is { } when ? $" {context.Formats.Relative(when)}" : string.Empty;
            context.Out.Write(new Text($"{paused.Name} paused{by}{at}: {paused.PauseReason ?? "(no reason given)"}"));
            context.Out.WriteLine();
        }
    }

    /// <summary>A flow as <c>flows list --json</c> gives it.</summary>
    internal sealed record FlowJson(string Name, string? Description, IReadOnlyList<ParameterJson> Parameters)
    {
        public static FlowJson From(RunDescriptor flow)
        {
            var method = flow.DeclaringType
                .GetMethods(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static)
                .FirstOrDefault(m => m.Name == flow.MethodName && m.GetParameters().Length == flow.Parameters.Count);
            var parameters = flow.Parameters
                .Select((p, i) => (Descriptor: p, Info: method?.GetParameters()[i]))
                .Where(p => !p.Descriptor.IsCancellationToken)
                .Select(p => new ParameterJson(
                    p.Descriptor.Name,
                    p.Descriptor.TypeDisplay,
                    Required: !p.Descriptor.HasDefault,
                    Default: p.Descriptor.HasDefault && p.Descriptor.SecretName is null ? Default(p.Info) : null,
                    Secret: p.Descriptor.SecretName))
                .ToList();
            return new FlowJson(flow.Name, flow.Options.Description, parameters);
        }

        /// <summary>The default as a JSON value (<c>1</c>, <c>"none"</c>, <c>null</c>), read from the method's metadata for display.</summary>
        private static JsonElement? Default(ParameterInfo? parameter) =>
            parameter is { HasDefaultValue: true }
                ? parameter.DefaultValue switch
                {
                    null => JsonSerializer.SerializeToElement<object?>(null),
                    bool or int or long or short or byte or double or float or decimal => JsonSerializer.SerializeToElement(parameter.DefaultValue),
                    var other => JsonSerializer.SerializeToElement(Convert.ToString(other, CultureInfo.InvariantCulture)),
                }
                : null;
    }

    /// <summary>A parameter of a flow: its type as C# writes it, whether it must be given, its default, and the secret it comes from.</summary>
    internal sealed record ParameterJson(string Name, string Type, bool Required, JsonElement? Default, string? Secret);

    /// <summary>A deployment as <c>flows list --json</c> gives it.</summary>
    internal sealed record DeploymentJson(
        string Name,
        string Flow,
        IReadOnlyList<string> Schedules,
        DateTimeOffset? NextFireTime,
        bool Paused,
        string? PauseReason,
        string? PausedBy,
        DateTimeOffset? PausedAt,
        string Queue,
        IReadOnlyList<string> Tags,
        IReadOnlyDictionary<string, JsonElement> Parameters,
        string? Description)
    {
        public static DeploymentJson From(DeploymentInfo d) => new(
            d.Name,
            d.Flow,
            d.Schedules,
            d.NextFireTime?.ToUniversalTime(),
            d.Paused,
            d.PauseReason,
            d.PausedBy,
            d.PausedAt?.ToUniversalTime(),
            d.Queue,
            d.Tags,
            d.Parameters,
            d.Description);
    }
}
