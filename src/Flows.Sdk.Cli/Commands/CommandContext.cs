using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Serialization;
using Flows.Cli.Output;
using Flows.Orchestration;
using Flows.Runs;
using Flows.Stores;
using Microsoft.Extensions.DependencyInjection;
using Spectre.Console;

namespace Flows.Cli.Commands;

/// <summary>
/// What a verb works with for one invocation: the application's services, where to write, the output settings the
/// global options chose, the clock, and the token Ctrl+C cancels.
/// </summary>
internal sealed class CommandContext(
    ParseResult parse,
    IServiceProvider services,
    IAnsiConsole output,
    IAnsiConsole error,
    OutputSettings settings,
    TimeProvider time,
    TimeZoneInfo zone,
    CancellationToken cancellation)
{
    /// <summary>The JSON every <c>--json</c> output is written with: camelCase names, enums as names, ISO 8601 times, indented.</summary>
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter() },
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };

    public IServiceProvider Services => services;

    /// <summary>The value the command line gave <paramref name="option"/>, or its default.</summary>
    public T? Value<T>(Option<T> option) => parse.GetValue(option);

    /// <summary>True when the command line gave <paramref name="option"/>, with a value or without one.</summary>
    public bool Has(Option option) => parse.GetResult(option) is not null;

    /// <summary>The value the command line gave <paramref name="argument"/>, or its default.</summary>
    public T? Value<T>(Argument<T> argument) => parse.GetValue(argument);

    /// <summary>Where results go.</summary>
    public IAnsiConsole Out => output;

    /// <summary>Where errors and notes about progress go, so results can be piped.</summary>
    public IAnsiConsole Err => error;

    public OutputSettings Settings => settings;

    public TimeProvider Time => time;

    public Formats Formats { get; } = new(time, zone, settings.Utc);

    /// <summary>The zone times are read and shown in, unless <c>--utc</c>.</summary>
    public TimeZoneInfo Zone => zone;

    /// <summary>Cancelled by Ctrl+C or SIGTERM.</summary>
    public CancellationToken Cancellation => cancellation;

    /// <summary>The application's engine (registered by <c>AddFlows()</c>).</summary>
    public FlowEngine Engine =>
        services.GetService<FlowEngine>()
        ?? throw new CommandLineException("The application registers no Flows engine: call services.AddFlows() before running the command line.");

    /// <summary>The store runs are recorded in.</summary>
    public IRunStore Store => Engine.Store;

    /// <summary>Cancel and retry as every front end does them: orchestration's, or one over the engine without it.</summary>
    public RunControl RunControl => services.GetService<RunControl>() ?? new RunControl(Engine, services.GetService<IFlowClient>());

    /// <summary>A service the verb cannot work without; a clear error naming the registration that provides it when missing.</summary>
    public T Require<T>(string registration)
        where T : notnull =>
        services.GetService<T>() ?? throw new CommandLineException($"This command needs {typeof(T).Name}, which the application does not register: call {registration}.");

    /// <summary>The style of <paramref name="color"/>, or plain under <c>--no-color</c> / <c>NO_COLOR</c>.</summary>
    public Style Style(Color color, Decoration decoration = Decoration.None) =>
        settings.NoColor ? Spectre.Console.Style.Plain : new Style(color, decoration: decoration);

    /// <summary>Writes <paramref name="value"/> as JSON (<see cref="Json"/>) on its own, unwrapped by the console's width.</summary>
    public void WriteJson<T>(T value)
    {
        var writer = output.Profile.Out.Writer;
        writer.Write(JsonSerializer.Serialize(value, Json));
        writer.WriteLine();
        writer.Flush();
    }

    /// <summary>The run <paramref name="runId"/> names; a <see cref="CommandLineException"/> naming it when the store has none.</summary>
    public async Task<RunRecord> GetRunAsync(string runId)
    {
        var id = RunIds.Parse(runId);
        return await Store.GetRunAsync(id, cancellation).ConfigureAwait(false)
            ?? throw new CommandLineException($"No run {id} in the store. List recent runs with 'flows runs'.");
    }
}

/// <summary>What the global options chose for this invocation's output.</summary>
/// <param name="Json">Machine-readable JSON instead of tables and trees.</param>
/// <param name="NoColor">No color or other styling (<c>--no-color</c>, or the <c>NO_COLOR</c> variable set).</param>
/// <param name="Utc">Times in UTC instead of the local zone.</param>
internal sealed record OutputSettings(bool Json, bool NoColor, bool Utc);
