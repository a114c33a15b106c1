using System.CommandLine;
using Microsoft.Extensions.Hosting;

namespace Flows.Cli.Commands;

/// <summary>
/// <c>flows serve</c>, and the application run with no verb: starts the host (the scheduler, the workers of its queues,
/// every hosted service) and runs until it is stopped. Ctrl+C and SIGTERM are the host's own: it stops gracefully
/// (runs in progress get their grace) and the command exits 0.
/// </summary>
internal static class ServeVerb
{
    public static Command Create(CommandLineHost cli)
    {
        var command = new Command("serve", "Run the scheduler and workers until stopped (also what no verb does)");
        Serve(cli, command);
        return command;
    }

    /// <summary>Makes <paramref name="command"/> serve (the <c>serve</c> verb, and the root command: no verb serves).</summary>
    public static void Serve(CommandLineHost cli, Command command) =>
        cli.SetAction(
            command,
            async context =>
            {
                var host = cli.Host;
                await host.StartAsync(context.Cancellation).ConfigureAwait(false);
                await host.WaitForShutdownAsync(context.Cancellation).ConfigureAwait(false);
                return ExitCodes.Success;
            },
            needsCode: true,
            handlesSignals: false);
}
