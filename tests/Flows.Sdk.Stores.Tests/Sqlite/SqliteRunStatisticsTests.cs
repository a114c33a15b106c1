using Flows.Runs;
using Flows.Stores;
using Flows.Stores.Sqlite;
using Microsoft.Data.Sqlite;

namespace Flows.Stores.Tests.Sqlite;

/// <summary>Run statistics on SQLite, which has no percentile function: the durations are read, and bounded on a big window.</summary>
public sealed class SqliteRunStatisticsTests
{
    private TempFolder _folder = null!;

    [SetUp]
    public void CreateFolder() => _folder = TestStores.NewFolder();

    [TearDown]
    public void DeleteFolder()
    {
        SqliteConnection.ClearAllPools();
        _folder.Dispose();
    }

    [Test]
    public async Task AFlowWithMoreTimedRunsThanTheBound_GetsPercentilesFromASample_CloseToTheExactOnes_AndItsFullCounts()
    {
        var at = new DateTimeOffset(2030, 1, 1, 0, 0, 0, TimeSpan.Zero);
        await using var store = new SqliteRunStore(_folder.File("flows.db"));
        // 45,000 runs taking 1 ms … 45 s in a shuffled order, and a small flow beside it, whose figures stay exact.
        var random = new Random(7);
        var durations = Enumerable.Range(1, 45_000).OrderBy(_ => random.Next()).ToArray();
        var big = durations.Select((ms, i) => new RunRecord
        {
            Id = Guid.CreateVersion7(), Kind = RunKind.Flow, Name = "big", State = RunState.Completed,
            CreatedAt = at.AddMilliseconds(i), StartedAt = at, EndedAt = at.AddMilliseconds(ms),
        });
        var small = Enumerable.Range(1, 3).Select(s => new RunRecord
        {
            Id = Guid.CreateVersion7(), Kind = RunKind.Flow, Name = "small", State = RunState.Completed,
            CreatedAt = at.AddSeconds(s), StartedAt = at, EndedAt = at.AddSeconds(s),
        });
        foreach (var chunk in big.Concat(small).Chunk(5000))
        {
            await store.WriteAsync(new RunWriteBatch { Runs = chunk });
        }

        var statistics = await store.GetRunStatisticsAsync(new RunStatisticsQuery { From = at, To = at.AddHours(1), BucketSize = TimeSpan.FromMinutes(10) });

        var flow = statistics.Flows.Single(f => f.Name == "big");
        Assert.That((flow.Count, flow.Timed), Is.EqualTo((45_000L, 45_000L)), "counts are never sampled");
        Assert.That(flow.P50!.Value.TotalMilliseconds, Is.EqualTo(22_500).Within(22_500 * 0.02), "a sample of every 3rd run is within 2% of the exact median");
        Assert.That(flow.P95!.Value.TotalMilliseconds, Is.EqualTo(42_750).Within(42_750 * 0.02));
        var exact = statistics.Flows.Single(f => f.Name == "small");
        Assert.That((exact.P50, exact.P95), Is.EqualTo(((TimeSpan?)TimeSpan.FromSeconds(2), (TimeSpan?)TimeSpan.FromSeconds(2.9))));
    }
}
