using Flows.Runs;
using Flows.Testing;
using Flows.Tests.Fixtures;
using Microsoft.Extensions.Configuration;

namespace Flows.Tests.Retries;

public sealed class RetryTests
{
    private static TimeSpan[] GapsBetweenAttempts(FlowTestHarness harness, RunRecord run)
    {
        var starts = harness.Transitions(run).Where(t => t.State == RunState.Running).Select(t => t.Timestamp).ToArray();
        return [.. starts.Zip(starts.Skip(1), (a, b) => b - a)];
    }

    private static TimeSpan[] Seconds(params double[] values) => [.. values.Select(TimeSpan.FromSeconds)];

    [Test]
    public async Task ExponentialBackoff_WaitsDoublingDelaysAndRecordsEachAttempt()
    {
        using var harness = new FlowTestHarness();
        var flaky = new Flaky(failuresBeforeSuccess: 3);

        var result = await flaky.Exponential();

        Assert.That(result, Is.EqualTo("ok"));
        var run = harness.TaskRuns("flaky-exponential").Single();
        Assert.That(run.State, Is.EqualTo(RunState.Completed));
        Assert.That(run.Attempt, Is.EqualTo(4));
        Assert.That(GapsBetweenAttempts(harness, run), Is.EqualTo(Seconds(10, 20, 40)));
        Assert.That(
            harness.Transitions(run).Select(t => t.State),
            Is.EqualTo(new[]
            {
                RunState.Pending, RunState.Running, RunState.Retrying, RunState.Running, RunState.Retrying,
                RunState.Running, RunState.Retrying, RunState.Running, RunState.Completed,
            }));
        Assert.That(harness.Transitions(run).Where(t => t.State == RunState.Retrying).Select(t => t.Attempt), Is.EqualTo(new[] { 1, 2, 3 }));
    }

    [Test]
    public async Task LinearBackoff_WaitsGrowingDelays()
    {
        using var harness = new FlowTestHarness();

        await new Flaky(failuresBeforeSuccess: 3).Linear();

        Assert.That(GapsBetweenAttempts(harness, harness.TaskRuns("flaky-linear").Single()), Is.EqualTo(Seconds(4, 8, 12)));
    }

    [Test]
    public void ConstantDelay_OnASynchronousTask_WaitsTheSameDelayEachTime()
    {
        using var harness = new FlowTestHarness();

        var attempts = new Flaky(failuresBeforeSuccess: 2).Constant();

        Assert.That(attempts, Is.EqualTo(3));
        Assert.That(GapsBetweenAttempts(harness, harness.TaskRuns("flaky-constant").Single()), Is.EqualTo(Seconds(7, 7)));
    }

    [Test]
    public void ListedDelays_AreUsedInOrderAndTheLastRepeats()
    {
        using var harness = new FlowTestHarness();

        new Flaky(failuresBeforeSuccess: 4).Listed();

        Assert.That(GapsBetweenAttempts(harness, harness.TaskRuns("flaky-listed").Single()), Is.EqualTo(Seconds(1, 5, 30, 30)));
    }

    [Test]
    public void Jitter_MovesTheDelayWithinItsBand_UsingTheInjectedRandomSource()
    {
        using var harness = new FlowTestHarness(o => o.Random = () => 0.75);

        new Flaky(failuresBeforeSuccess: 1).Jittered();

        // 10 s ± 50 %, with the random source at 0.75 → 10 + 10 × 0.5 × (2 × 0.75 − 1) = 12.5 s.
        Assert.That(GapsBetweenAttempts(harness, harness.TaskRuns("flaky-jitter").Single()), Is.EqualTo(Seconds(12.5)));
    }

    [Test]
    public void RetryDelays_TakeNoWallClockTimeUnderTheHarness()
    {
        using var harness = new FlowTestHarness();
        var started = TimeProvider.System.GetTimestamp();

        new Flaky(failuresBeforeSuccess: 4).Listed();

        Assert.That(TimeProvider.System.GetElapsedTime(started), Is.LessThan(TimeSpan.FromSeconds(10)));
        Assert.That(harness.Time.GetUtcNow() - new DateTimeOffset(2030, 1, 1, 0, 0, 0, TimeSpan.Zero), Is.EqualTo(TimeSpan.FromSeconds(66)));
    }

    [Test]
    public void RetryOn_RetriesOnlyTheListedExceptions()
    {
        using var harness = new FlowTestHarness();
        var io = new Flaky();
        var other = new Flaky();

        Assert.Throws<IOException>(() => io.RetriedOnlyOnIo(new IOException("disk")));
        Assert.Throws<FormatException>(() => other.RetriedOnlyOnIo(new FormatException("bad")));

        Assert.That(io.Attempts, Is.EqualTo(4));
        Assert.That(other.Attempts, Is.EqualTo(1));
    }

    [Test]
    public void NoRetryOn_StopsAtTheFirstListedException()
    {
        using var harness = new FlowTestHarness();
        var argument = new Flaky();
        var other = new Flaky();

        Assert.Throws<ArgumentNullException>(() => argument.NotRetriedOnArgument(new ArgumentNullException("x")));
        Assert.Throws<IOException>(() => other.NotRetriedOnArgument(new IOException("disk")));

        Assert.That(argument.Attempts, Is.EqualTo(1));
        Assert.That(other.Attempts, Is.EqualTo(4));
    }

    [Test]
    public void ExhaustedRetries_EndFailedWithTheLastError()
    {
        using var harness = new FlowTestHarness();
        var flaky = new Flaky();

        var thrown = Assert.Throws<InvalidOperationException>(() => flaky.AlwaysFails());

        Assert.That(thrown!.Message, Is.EqualTo("failure 3"));
        var run = harness.TaskRuns("flaky-always-fails").Single();
        Assert.That(run.State, Is.EqualTo(RunState.Failed));
        Assert.That(run.Attempt, Is.EqualTo(3));
        Assert.That(run.Error, Is.EqualTo("InvalidOperationException: failure 3"));
        Assert.That(harness.Logs.Any(l => l.RunId == run.Id && l.Message.Contains("attempt 1 failed", StringComparison.Ordinal)), Is.True);
    }

    [Test]
    public void Configuration_OverridesCompiledRetries()
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Flows:Tasks:flaky-always-fails:Retries"] = "0" })
            .Build();
        using var harness = new FlowTestHarness(o => o.Configuration = configuration);
        var flaky = new Flaky();

        Assert.Throws<InvalidOperationException>(() => flaky.AlwaysFails());

        Assert.That(flaky.Attempts, Is.EqualTo(1));
    }

    [Test]
    public void MalformedConfigurationOverride_FailsNamingTheSetting()
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Flows:Tasks:flaky-constant:Retries"] = "three" })
            .Build();
        using var harness = new FlowTestHarness(o => o.Configuration = configuration);
        var flaky = new Flaky();

        var thrown = Assert.Throws<InvalidOperationException>(() => flaky.Constant());

        Assert.That(thrown!.Message, Does.Contain("Flows:Tasks:flaky-constant:Retries").And.Contain("three"));
        Assert.That(flaky.Attempts, Is.Zero);
        Assert.That(harness.TaskRuns(), Is.Empty);
    }
}
