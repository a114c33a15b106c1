using Flows.Runs;
using Flows.Stores;
using Flows.Stores.Tests.Support;

namespace Flows.Stores.Tests;

/// <summary>What every store does for a dashboard: filtering by tag, and run statistics over a window.</summary>
public abstract partial class RunStoreConformanceTests
{
    [Test]
    public async Task QueryByTag_ReturnsOnlyRunsCarryingThatExactTag_InListsAndPages()
    {
        var nightly = Run("sync", RunKind.Flow, RunState.Completed) with { Tags = ["van-api", "nightly"] };
        var similar = Run("sync", RunKind.Flow, RunState.Completed, T0.AddSeconds(1)) with { Tags = ["nightly-2", "Nightly", "night"] };
        var joined = Run("sync", RunKind.Flow, RunState.Completed, T0.AddSeconds(2)) with { Tags = ["x,", ",y", "a\"b"] };
        var wild = Run("sync", RunKind.Flow, RunState.Completed, T0.AddSeconds(3)) with { Tags = ["50%_off"] };
        var lookalike = Run("sync", RunKind.Flow, RunState.Completed, T0.AddSeconds(4)) with { Tags = ["50%Xoff", "5000_off"] };
        var second = Run("sync", RunKind.Flow, RunState.Failed, T0.AddSeconds(5)) with { Tags = ["nightly"] };
        await _store.WriteAsync(new RunWriteBatch { Runs = [nightly, similar, joined, wild, lookalike, second] });

        Assert.That(Ids(await _store.QueryRunsAsync(new RunQuery { Tag = "nightly" })), Is.EqualTo(Ids([second, nightly])));
        Assert.That(Ids(await _store.QueryRunsAsync(new RunQuery { Tag = "50%_off" })), Is.EqualTo(Ids([wild])), "LIKE's wildcards in a tag are plain characters");
        Assert.That(Ids(await _store.QueryRunsAsync(new RunQuery { Tag = "a\"b" })), Is.EqualTo(Ids([joined])));
        Assert.That(await _store.QueryRunsAsync(new RunQuery { Tag = "," }), Is.Empty, "a tag is matched whole, not across the JSON between two tags");
        Assert.That(await _store.QueryRunsAsync(new RunQuery { Tag = "NIGHTLY" }), Is.Empty, "tags compare case and all");
        Assert.That(Ids(await _store.QueryRunsAsync(new RunQuery { Tag = "nightly", State = RunState.Completed })), Is.EqualTo(Ids([nightly])));

        var first = await _store.QueryRunPageAsync(new RunQuery { Kind = RunKind.Flow, Tag = "nightly", Limit = 1 });
        var next = await _store.QueryRunPageAsync(new RunQuery { Kind = RunKind.Flow, Tag = "nightly", Limit = 1, PageToken = first.NextPageToken });
        Assert.That((Ids(first.Runs), Ids(next.Runs), next.NextPageToken), Is.EqualTo((Ids([second]), Ids([nightly]), (string?)null)));
    }

    [Test]
    public async Task RunStatistics_CountRunsOfTheWindowByState_ByBucket_AndTimeEachFlow()
    {
        await _store.WriteAsync(new RunWriteBatch { Runs = StatisticsHistory.Runs(T0) });

        var statistics = await _store.GetRunStatisticsAsync(StatisticsHistory.Query(T0));

        StatisticsHistory.AssertAsExpected(statistics, T0);
    }

    [Test]
    public async Task RunStatistics_ApplyTheFlowDeploymentAndTagFilters()
    {
        await _store.WriteAsync(new RunWriteBatch { Runs = StatisticsHistory.Runs(T0) });
        var query = StatisticsHistory.Query(T0);

        var byName = await _store.GetRunStatisticsAsync(query with { Name = "beta" });
        var byDeployment = await _store.GetRunStatisticsAsync(query with { Deployment = "alpha-hourly" });
        var byTag = await _store.GetRunStatisticsAsync(query with { Tag = "prod" });
        var none = await _store.GetRunStatisticsAsync(query with { Tag = "nope" });

        Assert.That((byName.Total, byName.Flows.Single().Name), Is.EqualTo((2L, "beta")));
        Assert.That((byDeployment.Total, byDeployment.Count(RunState.Completed)), Is.EqualTo((20L, 19L)));
        Assert.That((byTag.Total, byTag.Flows.Select(f => f.Name)), Is.EqualTo((3L, new[] { "alpha", "beta" })));
        Assert.That((none.Total, none.Counts, none.Flows, none.Buckets.Count), Is.EqualTo((0L, new Dictionary<RunState, long>(), Array.Empty<FlowRunStatistics>(), 4)));
    }

    [TestCase(0, 60, TestName = "RunStatistics_RefuseAnEmptyWindow")]
    [TestCase(60, 0, TestName = "RunStatistics_RefuseABucketThatIsNotPositive")]
    [TestCase(86_400, 1, TestName = "RunStatistics_RefuseMoreBucketsThanTheMost")]
    public void RunStatistics_RefuseAWindowTheyCannotAnswer(int windowSeconds, int bucketSeconds) =>
        Assert.ThrowsAsync<ArgumentException>(async () => await _store.GetRunStatisticsAsync(
            new RunStatisticsQuery { From = T0, To = T0.AddSeconds(windowSeconds), BucketSize = TimeSpan.FromSeconds(bucketSeconds) }));
}

/// <summary>The default implementation of <see cref="IRunStore.GetRunStatisticsAsync"/>, for stores that do not override it.</summary>
public sealed class DefaultRunStatisticsTests
{
    [Test]
    public async Task RunStatistics_OfAStoreWithoutItsOwn_ReadTheWindowPageByPage_AndAgreeWithTheBuiltInStores()
    {
        var at = new DateTimeOffset(2030, 1, 1, 6, 0, 0, TimeSpan.Zero);
        var inner = new InMemoryRunStore();
        IRunStore plain = new FaultyStore(inner);
        await plain.WriteAsync(new RunWriteBatch { Runs = [.. StatisticsHistory.Runs(at), .. Enumerable.Range(0, 1500).Select(i => StatisticsHistory.Flow("bulk", RunState.Completed, at.AddMinutes(5).AddMilliseconds(i)))] });

        var statistics = await plain.GetRunStatisticsAsync(StatisticsHistory.Query(at) with { Name = "alpha" });

        Assert.That(statistics.Flows.Single(), Is.EqualTo((await inner.GetRunStatisticsAsync(StatisticsHistory.Query(at) with { Name = "alpha" })).Flows.Single()));
        Assert.That((await plain.GetRunStatisticsAsync(StatisticsHistory.Query(at) with { Name = "bulk" })).Total, Is.EqualTo(1500), "more runs than one page");
    }
}

/// <summary>A small history whose statistics are known, and the assertions on them.</summary>
internal static class StatisticsHistory
{
    /// <summary>The window: 4 buckets of 15 minutes from <paramref name="at"/>.</summary>
    public static RunStatisticsQuery Query(DateTimeOffset at) => new() { From = at, To = at.AddHours(1), BucketSize = TimeSpan.FromMinutes(15) };

    public static RunRecord Flow(string name, RunState state, DateTimeOffset createdAt) =>
        new() { Id = Guid.CreateVersion7(), Kind = RunKind.Flow, Name = name, State = state, CreatedAt = createdAt };

    /// <summary>
    /// alpha: 20 runs in the first bucket taking 1 s … 20 s (19 completed, the 20 s one failed), deployment alpha-hourly,
    /// one tagged prod; beta: one completed in the third bucket taking 2.5 s (tagged prod) and one running in the last
    /// (tagged prod, staging); outside the window or not flow runs: a run before it, one at its end, a task run in it.
    /// </summary>
    public static RunRecord[] Runs(DateTimeOffset at)
    {
        var alpha = Enumerable.Range(1, 20).Select(i => Flow("alpha", i == 20 ? RunState.Failed : RunState.Completed, at.AddSeconds(i)) with
        {
            StartedAt = at.AddSeconds(i),
            EndedAt = at.AddSeconds(i + i),
            Deployment = "alpha-hourly",
            Tags = i == 7 ? ["prod"] : [],
        });
        return
        [
            .. alpha,
            Flow("beta", RunState.Completed, at.AddMinutes(31)) with { StartedAt = at.AddMinutes(31), EndedAt = at.AddMinutes(31).AddSeconds(2.5), Tags = ["prod"] },
            Flow("beta", RunState.Running, at.AddMinutes(59)) with { StartedAt = at.AddMinutes(59), Tags = ["staging", "prod"] },
            Flow("alpha", RunState.Completed, at.AddTicks(-10)) with { StartedAt = at, EndedAt = at.AddHours(1) },
            Flow("alpha", RunState.Completed, at.AddHours(1)) with { StartedAt = at.AddHours(1), EndedAt = at.AddHours(2) },
            Flow("alpha", RunState.Completed, at.AddMinutes(1)) with { Kind = RunKind.Task, StartedAt = at, EndedAt = at.AddHours(3) },
        ];
    }

    public static void AssertAsExpected(RunStatistics statistics, DateTimeOffset at)
    {
        Assert.That(statistics.Total, Is.EqualTo(22));
        Assert.That(statistics.Counts, Is.EquivalentTo(new Dictionary<RunState, long> { [RunState.Completed] = 20, [RunState.Failed] = 1, [RunState.Running] = 1 }));
        Assert.That(statistics.Buckets.Select(b => b.Start), Is.EqualTo(new[] { at, at.AddMinutes(15), at.AddMinutes(30), at.AddMinutes(45) }));
        Assert.That(statistics.Buckets.Select(b => b.Total), Is.EqualTo(new long[] { 20, 0, 1, 1 }));
        Assert.That(statistics.Buckets[0].Counts, Is.EquivalentTo(new Dictionary<RunState, long> { [RunState.Completed] = 19, [RunState.Failed] = 1 }));
        Assert.That(statistics.Buckets[3].Counts, Is.EquivalentTo(new Dictionary<RunState, long> { [RunState.Running] = 1 }));
        Assert.That(statistics.Flows.Select(f => (f.Name, f.Count, f.Timed)), Is.EqualTo(new[] { ("alpha", 20L, 20L), ("beta", 2L, 1L) }));

        // percentile_cont: alpha's 1 … 20 s have their median between 10 and 11 s and their 95th at 19 + 0.05 s.
        var alpha = statistics.Flows[0];
        var beta = statistics.Flows[1];
        Assert.That(alpha.P50!.Value.TotalMilliseconds, Is.EqualTo(10_500).Within(0.01));
        Assert.That(alpha.P95!.Value.TotalMilliseconds, Is.EqualTo(19_050).Within(0.01));
        Assert.That((beta.P50, beta.P95), Is.EqualTo(((TimeSpan?)TimeSpan.FromSeconds(2.5), (TimeSpan?)TimeSpan.FromSeconds(2.5))));
    }
}
