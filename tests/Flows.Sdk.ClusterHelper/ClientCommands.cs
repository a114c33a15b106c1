using Flows.Orchestration;
using Microsoft.Extensions.DependencyInjection;

namespace Flows.ClusterHelper;

/// <summary>
/// The client process's commands, one a line on standard input, each answered on standard output:
/// <list type="bullet">
/// <item><c>deployments</c>: <c>DEPLOYMENT &lt;name&gt; &lt;code version&gt; &lt;description&gt;</c> per deployment in the job store, then <c>DEPLOYMENTS &lt;count&gt;</c>.</item>
/// </list>
/// A command that fails answers <c>ERROR &lt;command&gt;: &lt;message&gt;</c>. <c>stop</c> (or the end of the input) ends.
/// </summary>
internal static class ClientCommands
{
    public static async Task RunAsync(IServiceProvider services)
    {
        var deployments = services.GetRequiredService<IDeployments>();
        while (await Console.In.ReadLineAsync().ConfigureAwait(false) is { } line && line != "stop")
        {
            var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            try
            {
                switch (parts)
                {
                    case ["deployments"]:
                        var stored = await deployments.ListAsync().ConfigureAwait(false);
                        foreach (var deployment in stored)
                        {
                            EventLines.WriteLine($"DEPLOYMENT {deployment.Name} {deployment.CodeVersion ?? "-"} {deployment.Description}");
                        }

                        EventLines.WriteLine($"DEPLOYMENTS {stored.Count}");
                        break;
                    default:
                        EventLines.WriteLine($"ERROR {line}: unknown command");
                        break;
                }
            }
            catch (Exception ex) when (ex is ArgumentException or FormatException or InvalidOperationException or OperationCanceledException)
            {
                EventLines.WriteLine($"ERROR {line}: {ex.Message.ReplaceLineEndings(" ")}");
            }
        }
    }
}
