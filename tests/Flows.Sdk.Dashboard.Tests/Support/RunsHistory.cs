using Flows.Runs;
using Flows.Stores;

namespace Flows.Dashboard.Tests.Support;

/// <summary>Runs written straight into a dashboard app's store, for the runs page to list, count and chart.</summary>
public static class RunsHistory
{
    /// <summary>Writes flow runs of <paramref name="flow"/> in <paramref name="state"/>, created a minute apart up to <paramref name="agoMinutes"/> minutes ago.</summary>
    public static async Task<RunRecord[]> AddAsync(DashboardApp app, string flow, RunState state, int count, int agoMinutes = 1, string? deployment = null, string[]? tags = null)
    {
        var now = DateTimeOffset.UtcNow;
        var runs = Enumerable.Range(0, count).Select(i =>
        {
            var created = now.AddMinutes(-agoMinutes - i).AddMilliseconds(-i);
            return new RunRecord
            {
                Id = Guid.CreateVersion7(),
                Kind = RunKind.Flow,
                Name = flow,
                State = state,
                CreatedAt = created,
                StartedAt = created,
                EndedAt = state.IsFinal() ? created.AddSeconds(2 + i) : null,
                Deployment = deployment,
                Tags = tags ?? [],
            };
        }).ToArray();
        await app.Engine.Store.WriteAsync(new RunWriteBatch { Runs = runs });
        return runs;
    }
}

/// <summary>A flow that is handed a secret and fails with it in its message: the store keeps it masked, and no page shows it.</summary>
public sealed class RunsPageFlows
{
    public const string SecretName = "runs-page-api-key";

    public const string SecretValue = "sk-live-8f3c1d9e7a2b";

    [Flow("dash-runs-secret")]
    public Task Leak(string region, [Secret(SecretName)] string apiKey = "") =>
        throw new InvalidOperationException($"refused key {apiKey} for {region}");
}
