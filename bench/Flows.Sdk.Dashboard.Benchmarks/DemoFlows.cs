using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Flows.Dashboard.Benchmarks;

/// <summary>The flows the screenshots show: a nightly load with its steps, one that fails, one that waits.</summary>
public sealed class DemoFlows
{
    /// <summary>Opened to let the waiting run end.</summary>
    public static readonly TaskCompletionSource Gate = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private static readonly ConcurrentDictionary<string, int> Attempts = new();

    [Flow("voter-sync", Description = "Voters from VAN into the warehouse")]
    public async Task<int> VoterSync(string[] states)
    {
        var total = 0;
        foreach (var state in states)
        {
            total += await Download(state);
        }

        await Load(total);
        Flow.Artifacts.Markdown("summary", $"# Voter sync\n\n{total:N0} contacts from {states.Length} states.", "What the sync loaded");
        Flow.Logger.LogInformation("Loaded {Total} contacts", total);
        return total;
    }

    [Task("download-voters", Retries = 2, RetryDelaySeconds = 0)]
    public Task<int> Download(string state)
    {
        // The first attempt of one state fails, so the timeline shows a retry.
        if (state == "PA" && Attempts.AddOrUpdate(state, 1, (_, n) => n + 1) == 1)
        {
            throw new TimeoutException("VAN export timed out after 120 s");
        }

        return Task.FromResult(state.Length * 1000 + 250);
    }

    [Task("load-contacts")]
    public Task Load(int rows) => Task.CompletedTask;

    [Flow("donations-import")]
    public async Task DonationsImport(string table)
    {
        Flow.Logger.LogInformation("Copying {Table} from S3", table);
        await Copy(table);
    }

    [Task("copy-from-s3")]
    public Task Copy(string table) =>
        throw new InvalidOperationException($"COPY {table} failed: relation \"staging.{table}\" does not exist");

    [Flow("report-refresh")]
    public async Task ReportRefresh(CancellationToken cancellationToken)
    {
        await Load(1);
        await Gate.Task.WaitAsync(cancellationToken);
    }
}
