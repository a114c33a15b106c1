using Flows.CompilerServices;
using Flows.Runs;
using Flows.Testing;
using Flows.Tests.Fixtures;
using Microsoft.Extensions.Configuration;

namespace Flows.Tests.Caching;

public sealed class CachingTests
{
    [Test]
    public void SameInputs_HitTheCache_AndRecordStateCached()
    {
        using var harness = new FlowTestHarness();
        var cached = new Cached();

        var first = cached.Square(7);
        var second = cached.Square(7);

        Assert.That((first, second, cached.Calls), Is.EqualTo((49, 49, 1)));
        var runs = harness.TaskRuns("cached-square");
        Assert.That(runs.Select(r => r.State), Is.EqualTo(new[] { RunState.Completed, RunState.Cached }));
        Assert.That(runs[1].CacheKey, Is.EqualTo(runs[0].CacheKey));
        Assert.That(harness.Transitions(runs[1]).Select(t => t.State), Is.EqualTo(new[] { RunState.Pending, RunState.Cached }));
        Assert.That(harness.Transitions(runs[1])[^1].Message, Does.Contain(runs[0].Id.ToString()));
    }

    [Test]
    public void DifferentInputs_MissTheCache()
    {
        using var harness = new FlowTestHarness();
        var cached = new Cached();

        cached.Square(7);
        cached.Square(8);

        Assert.That(cached.Calls, Is.EqualTo(2));
        Assert.That(harness.TaskRuns("cached-square").Select(r => r.State), Is.All.EqualTo(RunState.Completed));
    }

    [Test]
    public void AnEntry_ExpiresAfterCacheExpirationSeconds()
    {
        using var harness = new FlowTestHarness();
        var cached = new Cached();

        cached.Square(3);
        harness.Time.Advance(TimeSpan.FromSeconds(59));
        cached.Square(3);
        harness.Time.Advance(TimeSpan.FromSeconds(1));
        cached.Square(3);

        Assert.That(harness.TaskRuns("cached-square").Select(r => r.State), Is.EqualTo(new[] { RunState.Completed, RunState.Cached, RunState.Completed }));
    }

    [Test]
    public void AnEditedMethodBody_MissesTheCache()
    {
        using var harness = new FlowTestHarness();
        var calls = 0;
        RunDescriptor<int, int> Version(string sourceHash) => new(RunKind.Task, new RunOptions { Name = "cached-edited", CacheExpirationSeconds = 60 }, typeof(CachingTests), "Edited", sourceHash)
        {
            Invoke = (x, _) => ++calls + x,
            WriteParameters = static (x, w) => w.Add("x", x),
        };
        var before = Version("0000000000000001");
        var after = Version("0000000000000002");

        RunInvoker.Invoke(before, 1, default);
        RunInvoker.Invoke(before, 1, default);
        RunInvoker.Invoke(after, 1, default);

        Assert.That(calls, Is.EqualTo(2));
        Assert.That(harness.TaskRuns("cached-edited").Select(r => r.State), Is.EqualTo(new[] { RunState.Completed, RunState.Cached, RunState.Completed }));
    }

    [Test]
    public async Task ACustomKey_DecidesWhatCountsAsTheSameCall()
    {
        using var harness = new FlowTestHarness();
        var cached = new Cached();

        var first = await cached.Greeting("ada", 1, default);
        var sameKey = await cached.Greeting("ADA", 2, default);
        var otherKey = await cached.Greeting("bob", 1, default);

        Assert.That((first, sameKey, otherKey), Is.EqualTo(("hello ada #1", "hello ada #1", "hello bob #1")));
        Assert.That(cached.Calls, Is.EqualTo(2));
    }

    [Test]
    public void RefreshCache_RunsTheTaskAndReplacesTheEntry()
    {
        using var harness = new FlowTestHarness();
        var cached = new Cached();

        var first = cached.Refreshing(10);
        var second = cached.Refreshing(10);

        Assert.That((first, second), Is.EqualTo((11, 12)));
        Assert.That(harness.TaskRuns("cached-refreshing").Select(r => r.State), Is.All.EqualTo(RunState.Completed));
    }

    [Test]
    public void RefreshCache_FromConfiguration_RunsTheTaskAgain()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Flows:Tasks:cached-square:RefreshCache"] = "true" }).Build();
        using var harness = new FlowTestHarness(o => o.Configuration = configuration);
        var cached = new Cached();

        cached.Square(4);
        cached.Square(4);

        Assert.That(cached.Calls, Is.EqualTo(2));
    }

    [Test]
    public void AnInputThatCannotBeSerialised_FailsAtTheCall_NamingTaskAndInput()
    {
        using var harness = new FlowTestHarness();
        var cached = new Cached();
        using var stream = new UnserialisableStream();

        var error = Assert.Throws<InvalidOperationException>(() => cached.Length(stream));

        Assert.That(error!.Message, Does.Contain("Task 'cached-stream'").And.Contain("'stream'").And.Contain("CacheKey"));
        Assert.That(cached.Calls, Is.Zero);
        Assert.That(harness.TaskRuns("cached-stream"), Is.Empty);
    }

    [Test]
    public void ATaskThatReturnsNothing_IsCachedToo()
    {
        using var harness = new FlowTestHarness();
        var cached = new Cached();

        cached.Touch("/tmp/a");
        cached.Touch("/tmp/a");

        Assert.That(cached.Calls, Is.EqualTo(1));
    }

    [Test]
    public void AResultThatCannotBeSerialised_IsNotCached_AndSaysSo()
    {
        using var harness = new FlowTestHarness();
        var cached = new Cached();

        cached.Handle(1);
        cached.Handle(1);

        Assert.That(cached.Calls, Is.EqualTo(2));
        Assert.That(harness.Logs.Select(l => l.Message), Has.Some.Contains("cannot be serialised to JSON, so it was not cached"));
    }

    [Test]
    public async Task ACachedRun_RecordsItsResultMasked()
    {
        using var harness = new FlowTestHarness(o => o.Secrets["cached-later-secret"] = "became-secret-42");
        var cached = new Cached();
        cached.Echo("became-secret-42");
        await harness.Engine.Secrets.GetAsync("cached-later-secret");

        var again = cached.Echo("became-secret-42");

        Assert.That((again, cached.Calls), Is.EqualTo(("became-secret-42", 1)), "the entry, kept before the value was a secret, is still used");
        var runs = harness.TaskRuns("cached-echo");
        Assert.That(runs[1].State, Is.EqualTo(RunState.Cached));
        Assert.That(runs[1].Result, Is.EqualTo("\"***\""));
    }

    /// <summary>A stream whose serialisation throws, as System.Text.Json does for types it cannot represent.</summary>
    private sealed class UnserialisableStream : MemoryStream
    {
        public override bool CanRead => throw new NotSupportedException("streams cannot be serialised");
    }
}
