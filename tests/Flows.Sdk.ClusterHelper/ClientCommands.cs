using System.Globalization;
using Flows.Orchestration;
using Microsoft.Extensions.DependencyInjection;

namespace Flows.ClusterHelper;

/// <summary>
/// The client process's commands, one a line on standard input, each answered on standard output:
/// <list type="bullet">
/// <item><c>enqueue &lt;flow&gt; &lt;count&gt; [queue|-] [name=value ...]</c>: <c>ENQUEUED &lt;run id&gt;</c> per run, up to 8 enqueued at once (an integer value is passed as a number).</item>
/// <item><c>cancel &lt;run id&gt;</c>: <c>CANCEL &lt;run id&gt; &lt;True|False&gt;</c>.</item>
/// <item><c>wait &lt;run id&gt;</c>: <c>ENDED &lt;run id&gt; &lt;state&gt;</c>.</item>
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
                    case ["enqueue", var flow, var count, .. var rest]:
                        var queue = rest.Length > 0 && rest[0] != "-" ? rest[0] : null;
                        var parameters = rest.Skip(1).Select(p => p.Split('=', 2)).ToDictionary(
                            p => p[0],
                            p => int.TryParse(p[1], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number) ? (object?)number : p[1],
                            StringComparer.Ordinal);
                        // Several at once, as the request handlers of a web application would enqueue.
                        var client = services.GetRequiredService<IFlowClient>();
                        await Parallel.ForAsync(0, int.Parse(count, CultureInfo.InvariantCulture), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (_, token) =>
                        {
                            var id = await client.EnqueueAsync(flow, parameters.Count > 0 ? parameters : null, queue, token).ConfigureAwait(false);
                            EventLines.WriteLine($"ENQUEUED {id}");
                        }).ConfigureAwait(false);

                        break;
                    case ["cancel", var run]:
                        var cancelled = await services.GetRequiredService<IFlowClient>().CancelAsync(Guid.Parse(run)).ConfigureAwait(false);
                        EventLines.WriteLine($"CANCEL {run} {cancelled}");
                        break;
                    case ["wait", var run]:
                        using (var bounded = new CancellationTokenSource(TimeSpan.FromMinutes(2)))
                        {
                            var ended = await services.GetRequiredService<IFlowClient>().WaitAsync(Guid.Parse(run), bounded.Token).ConfigureAwait(false);
                            EventLines.WriteLine($"ENDED {run} {ended.State}");
                        }

                        break;
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
