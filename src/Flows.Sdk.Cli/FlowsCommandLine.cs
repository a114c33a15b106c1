using Flows.Cli.Commands;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Spectre.Console;

namespace Flows.Cli;

/// <summary>
/// The <c>flows</c> command line inside an application: <c>return await FlowsCommandLine.RunAsync(args, host);</c>
/// (or <c>await host.RunFlowsAsync(args)</c>) turns the app into a command line over its own flows, deployments and
/// stores: <c>list</c>, <c>run</c>, <c>runs</c>, <c>inspect</c>, <c>logs</c>, <c>retry</c>, <c>cancel</c>,
/// <c>deployments</c>, <c>backfill</c>, <c>serve</c>, <c>prune</c>, <c>doctor</c>. docs/cli.md describes every verb,
/// its JSON output and its errors.
/// </summary>
public static class FlowsCommandLine
{
    /// <summary>
    /// Runs the command <paramref name="args"/> give against <paramref name="host"/>'s services and returns the exit code:
    /// 0 success; 1 a run the command waited for did not complete; 2 bad usage or input (an unknown flow, run or
    /// parameter, an unreachable store); 130 / 143 when Ctrl+C / SIGTERM stopped it. Without a verb, the application
    /// serves (the <c>serve</c> verb), as the host would. The host is started only by <c>serve</c>.
    /// </summary>
    public static async Task<int> RunAsync(string[] args, IHost host, FlowsCommandLineOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(host);
        options ??= new FlowsCommandLineOptions();
        var cli = new CommandLineHost(host, options);
        try
        {
            return await cli.RunAsync(args, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // Unexpected: say what it was in one line, with any secret the engine knows masked.
            var message = host.Services.GetService<FlowEngine>() is { } engine ? engine.Secrets.Redact(ex.Message) : ex.Message;
            (options.Error ?? AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) }))
                .WriteLine($"{options.Name}: {ex.GetType().Name}: {message}", Style.Plain);
            return ExitCodes.RunNotCompleted;
        }
    }
}
