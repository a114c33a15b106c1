using System.CommandLine;
using System.Runtime.InteropServices;
using Flows.Stores;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Spectre.Console;

namespace Flows.Cli.Commands;

/// <summary>
/// Builds the <c>flows</c> command tree over an application's host and runs one command line: parses it, refuses bad
/// usage with exit code 2, gives the chosen verb a <see cref="CommandContext"/>, and turns what the verb throws into
/// a message and an exit code (docs/cli.md).
/// </summary>
internal sealed class CommandLineHost
{
    private readonly IHost _host;
    private readonly FlowsCommandLineOptions _options;

    /// <summary>Set by the first SIGINT or SIGTERM of this invocation: the exit code it asks for.</summary>
    private int _signalExitCode;

    public CommandLineHost(IHost host, FlowsCommandLineOptions options)
    {
        _host = host;
        _options = options;
        Root = BuildRoot();
    }

    /// <summary><c>--json</c>: machine-readable output (docs/cli.md gives each verb's shape).</summary>
    public Option<bool> JsonOption { get; } = new("--json") { Description = "Write JSON instead of tables (shapes in docs/cli.md)", Recursive = true };

    /// <summary><c>--no-color</c>; the <c>NO_COLOR</c> environment variable does the same.</summary>
    public Option<bool> NoColorOption { get; } = new("--no-color") { Description = "No color or styling (also when NO_COLOR is set)", Recursive = true };

    /// <summary><c>--utc</c>: times in UTC rather than the local zone.</summary>
    public Option<bool> UtcOption { get; } = new("--utc") { Description = "Show times in UTC instead of local time", Recursive = true };

    public RootCommand Root { get; }

    public IHost Host => _host;

    public FlowsCommandLineOptions Options => _options;

    /// <summary>
    /// Makes <paramref name="action"/> what <paramref name="command"/> does. <paramref name="needsCode"/>: the verb needs
    /// the application's flows or deployments, so the standalone tool refuses it. <paramref name="handlesSignals"/>:
    /// Ctrl+C and SIGTERM cancel the verb's token and the command exits 130 / 143 (false for a verb that leaves them to
    /// the host's own lifetime, <c>serve</c>).
    /// </summary>
    public void SetAction(Command command, Func<CommandContext, Task<int>> action, bool needsCode = false, bool handlesSignals = true)
    {
        command.SetAction((parse, token) => InvokeAsync(command, parse, action, needsCode, handlesSignals, token));
    }

    /// <summary>Parses <paramref name="args"/> and runs the verb they name.</summary>
    public async Task<int> RunAsync(string[] args, CancellationToken cancellationToken)
    {
        var parse = Root.Parse(args);
        var (output, error) = Consoles(parse);
        if (parse.Errors.Count > 0)
        {
            foreach (var problem in parse.Errors)
            {
                error.WriteLine(problem.Message, Spectre.Console.Style.Plain);
            }

            error.WriteLine($"See '{Usage(parse.CommandResult.Command)} --help'.", Spectre.Console.Style.Plain);
            return ExitCodes.BadInput;
        }

        var configuration = new InvocationConfiguration
        {
            Output = output.Profile.Out.Writer,
            Error = error.Profile.Out.Writer,
            EnableDefaultExceptionHandler = false,
            ProcessTerminationTimeout = null,
        };
        return await parse.InvokeAsync(configuration, cancellationToken).ConfigureAwait(false);
    }

    private RootCommand BuildRoot()
    {
        var root = new RootCommand("See, run and steer the application's flows: runs, logs, deployments, and the stores they are recorded in.")
        {
            JsonOption,
            NoColorOption,
            UtcOption,
        };
        foreach (var verb in CommandTree.Verbs(this))
        {
            root.Subcommands.Add(verb);
        }

        // No verb: the application serves, as it would without a command line (docs/cli.md).
        ServeVerb.Serve(this, root);

        return root;
    }

    private string Usage(Command command)
    {
        var names = new Stack<string>();
        for (var symbol = command; symbol is not null and not RootCommand; symbol = symbol.Parents.OfType<Command>().FirstOrDefault())
        {
            names.Push(symbol.Name);
        }

        names.Push(_options.Name);
        return string.Join(' ', names);
    }

    private (IAnsiConsole Output, IAnsiConsole Error) Consoles(System.CommandLine.ParseResult parse)
    {
        var noColor = NoColor(parse);
        return (
            _options.Output ?? Create(Console.Out, noColor),
            _options.Error ?? Create(Console.Error, noColor));
    }

    private bool NoColor(System.CommandLine.ParseResult parse) =>
        parse.GetValue(NoColorOption) || !string.IsNullOrEmpty((_options.Environment ?? System.Environment.GetEnvironmentVariable)("NO_COLOR"));

    private static IAnsiConsole Create(TextWriter writer, bool noColor) =>
        AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = noColor ? AnsiSupport.No : AnsiSupport.Detect,
            ColorSystem = noColor ? ColorSystemSupport.NoColors : ColorSystemSupport.Detect,
            Out = new AnsiConsoleOutput(writer),
        });

    private async Task<int> InvokeAsync(
        Command command,
        System.CommandLine.ParseResult parse,
        Func<CommandContext, Task<int>> action,
        bool needsCode,
        bool handlesSignals,
        CancellationToken token)
    {
        var (output, error) = Consoles(parse);
        if (needsCode && _options.StoreOnly)
        {
            error.WriteLine(
                $"'{Usage(command)}' needs the application's flows and deployments, which the standalone tool does not have: run it through the application "
                + "(dotnet run --project <app> -- " + command.Name + " ...).",
                Spectre.Console.Style.Plain);
            return ExitCodes.BadInput;
        }

        if (handlesSignals)
        {
            // A command's output is its result; the host's own lifetime (serve) keeps the host's logging as configured.
            ConsoleLogs.ToStandardError(_host.Services);
        }

        using var interrupt = CancellationTokenSource.CreateLinkedTokenSource(token);
        using var signals = handlesSignals ? OnSignals(interrupt) : null;
        var settings = new OutputSettings(parse.GetValue(JsonOption), NoColor(parse), parse.GetValue(UtcOption));
        var context = new CommandContext(
            parse,
            _host.Services,
            output,
            error,
            settings,
            _options.TimeProvider ?? _host.Services.GetService<TimeProvider>() ?? TimeProvider.System,
            _options.TimeZone ?? TimeZoneInfo.Local,
            interrupt.Token);
        try
        {
            var exitCode = await action(context).ConfigureAwait(false);
            return Volatile.Read(ref _signalExitCode) is > 0 and var signalled ? signalled : exitCode;
        }
        catch (OperationCanceledException) when (Volatile.Read(ref _signalExitCode) > 0)
        {
            return _signalExitCode;
        }
        catch (Exception ex) when (ex is CommandLineException or RunStoreException or FlowParameterException or ArgumentException)
        {
            // Unwrapped, so the message stays one line for whoever greps or parses it (the console would wrap it at its width).
            error.Profile.Out.Writer.WriteLine(Redact(ex.Message));
            return ExitCodes.BadInput;
        }
    }

    /// <summary><paramref name="text"/> with every secret the engine knows masked.</summary>
    private string Redact(string text) => _host.Services.GetService<FlowEngine>() is { } engine ? engine.Secrets.Redact(text) : text;

    /// <summary>Until disposed, the first SIGINT or SIGTERM cancels <paramref name="interrupt"/> and sets the exit code; a second takes the default action.</summary>
    private Signals OnSignals(CancellationTokenSource interrupt)
    {
        var registrations = new List<PosixSignalRegistration>();
        foreach (var signal in new[] { PosixSignal.SIGINT, PosixSignal.SIGTERM })
        {
            try
            {
                registrations.Add(PosixSignalRegistration.Create(signal, context =>
                {
                    var code = context.Signal == PosixSignal.SIGINT ? ExitCodes.Interrupted : ExitCodes.Terminated;
                    if (Interlocked.CompareExchange(ref _signalExitCode, code, 0) == 0)
                    {
                        context.Cancel = true;
                        interrupt.Cancel();
                    }
                }));
            }
            catch (PlatformNotSupportedException)
            {
                // No signals on this platform: Ctrl+C takes its default action.
            }
        }

        return new Signals(registrations);
    }

    private sealed class Signals(List<PosixSignalRegistration> registrations) : IDisposable
    {
        public void Dispose()
        {
            foreach (var registration in registrations)
            {
                registration.Dispose();
            }
        }
    }
}
