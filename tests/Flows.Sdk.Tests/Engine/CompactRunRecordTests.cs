using Flows.Runs;
using Flows.Stores;
using Microsoft.Extensions.Time.Testing;

namespace Flows.Tests.Engine;

/// <summary>
/// A live run keeps its times and token compactly (see RunContext.Record.cs): what it records must not depend on
/// whether they fit the compact form.
/// </summary>
public sealed class CompactRunRecordTests
{
    private static readonly DateTimeOffset Start = new(2030, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Test]
    public void ARunLongerThanTheCompactTimesHold_RecordsItsStartAndEndExactly()
    {
        var time = new FakeTimeProvider(Start);
        using var engine = new FlowEngine(new FlowEngineOptions { TimeProvider = time, Store = new InMemoryRunStore() });
        using var scope = engine.Use();

        LongRuns.Takes(time, TimeSpan.FromHours(5) + TimeSpan.FromTicks(7));

        var run = ((InMemoryRunStore)engine.Store).AllRuns.Single();
        Assert.That((run.State, run.CreatedAt, run.StartedAt, run.EndedAt), Is.EqualTo((RunState.Completed, Start, (DateTimeOffset?)Start, (DateTimeOffset?)(Start + TimeSpan.FromHours(5) + TimeSpan.FromTicks(7)))));
        Assert.That(engine.Store.GetTransitionsAsync(run.Id).AsTask().Result.Select(t => (t.State, t.Timestamp)), Is.EqualTo(new[]
        {
            (RunState.Pending, Start), (RunState.Running, Start), (RunState.Completed, run.EndedAt!.Value),
        }));
    }

    [Test]
    public void ARunWhoseClockDidNotMove_RecordsTheSameInstantForEveryState()
    {
        var time = new FakeTimeProvider(Start);
        using var engine = new FlowEngine(new FlowEngineOptions { TimeProvider = time, Store = new InMemoryRunStore() });
        using var scope = engine.Use();

        LongRuns.Takes(time, TimeSpan.Zero);

        var run = ((InMemoryRunStore)engine.Store).AllRuns.Single();
        Assert.That((run.CreatedAt, run.StartedAt, run.EndedAt), Is.EqualTo((Start, (DateTimeOffset?)Start, (DateTimeOffset?)Start)));
    }

    [Test]
    public void ANewRunsId_IsAVersion7GuidOfItsCreationTime_AndStaysTheSameEveryTimeItIsRead()
    {
        var time = new FakeTimeProvider(Start.AddMilliseconds(123));
        using var engine = new FlowEngine(new FlowEngineOptions { TimeProvider = time, Store = new InMemoryRunStore() });
        using var scope = engine.Use();

        var inside = Enumerable.Range(0, 50).Select(_ => LongRuns.OwnId()).ToList();

        var runs = ((InMemoryRunStore)engine.Store).AllRuns;
        Assert.That(runs.Select(r => r.Id), Is.EqualTo(inside));
        Assert.That(inside.Distinct().Count(), Is.EqualTo(50));
        foreach (var id in inside)
        {
            var bytes = id.ToByteArray(bigEndian: true);
            var milliseconds = ((long)bytes[0] << 40) | ((long)bytes[1] << 32) | ((long)bytes[2] << 24) | ((long)bytes[3] << 16) | ((long)bytes[4] << 8) | bytes[5];
            Assert.That((id.Version, bytes[8] >> 6, milliseconds), Is.EqualTo((7, 2, Start.AddMilliseconds(123).ToUnixTimeMilliseconds())));
        }
    }

    [Test]
    public void ARunsToken_IsItsCallersWhenGiven_ElseItsEnginesShutdownToken_StillReadableOnceTheEngineIsDisposed()
    {
        using var caller = new CancellationTokenSource();
        var engine = new FlowEngine(new FlowEngineOptions { Store = new InMemoryRunStore() });
        bool cancelledByCaller;
        CancellationToken inherited;
        using (engine.Use())
        {
            cancelledByCaller = LongRuns.CancelsItsCaller(caller, caller.Token);
            inherited = LongRuns.TokenOf();
        }

        Assert.That((cancelledByCaller, inherited.IsCancellationRequested), Is.EqualTo((true, false)));
        engine.Dispose();
        Assert.That(inherited.IsCancellationRequested, Is.True);
    }
}

/// <summary>Tasks for <see cref="CompactRunRecordTests"/>.</summary>
public static class LongRuns
{
    [Task("compact-takes")]
    public static int Takes(FakeTimeProvider time, TimeSpan duration)
    {
        time.Advance(duration);
        return 1;
    }

    /// <summary>Cancels the caller's token, and says whether the run's token saw it.</summary>
    [Task("compact-cancels-its-caller")]
    public static bool CancelsItsCaller(CancellationTokenSource caller, CancellationToken cancellationToken)
    {
        _ = cancellationToken;
        caller.Cancel();
        return Flow.CancellationToken.IsCancellationRequested;
    }

    [Task("compact-own-id")]
    public static Guid OwnId() => Flow.RunId!.Value;

    [Task("compact-token-of")]
    public static CancellationToken TokenOf() => Flow.CancellationToken;
}
