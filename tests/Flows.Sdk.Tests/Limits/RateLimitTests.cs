using Flows.Runs;
using Flows.Testing;
using Flows.Tests.Fixtures;

namespace Flows.Tests.Limits;

public sealed class RateLimitTests
{
    [Test]
    public async Task ARateOfTenPerSecond_UnderFakeTime_AdmitsExactlyTenInEachSecond()
    {
        using var harness = new FlowTestHarness(o => o.RateLimits["limited-api"] = RateLimit.Parse("10/1s"));
        var limited = new Limited();
        var rate = harness.Engine.Limits.TagRate("limited-api")!;

        var calls = Enumerable.Range(0, 35).Select(_ => limited.Rated()).ToList();
        Assert.That(limited.Started, Is.EqualTo(10));

        for (var second = 1; second <= 3; second++)
        {
            harness.Time.Advance(TimeSpan.FromSeconds(1));
            var expected = Math.Min(35, 10 * (second + 1));
            await Eventually.Until(() => limited.Started == expected, $"{expected} calls started");
            Assert.That(rate.Limiter.GetStatistics()!.CurrentQueuedCount, Is.EqualTo(35 - expected), $"second {second}");
        }

        await Task.WhenAll(calls);
        var start = harness.Time.GetUtcNow().AddSeconds(-3);
        var startsPerSecond = harness.TaskRuns("limited-rated")
            .SelectMany(harness.Transitions)
            .Where(t => t.State == RunState.Running)
            .GroupBy(t => (int)(t.Timestamp - start).TotalSeconds)
            .OrderBy(g => g.Key)
            .Select(g => (g.Key, g.Count()));
        Assert.That(startsPerSecond, Is.EqualTo(new[] { (0, 10), (1, 10), (2, 10), (3, 5) }));
    }

    [Test]
    public void AWindowWithPermitsLeft_DoesNotCarryThemOver()
    {
        using var harness = new FlowTestHarness(o => o.RateLimits["limited-api"] = new RateLimit(3, TimeSpan.FromMinutes(1)));
        var limited = new Limited();
        var rate = harness.Engine.Limits.TagRate("limited-api")!;

        _ = limited.Rated();
        harness.Time.Advance(TimeSpan.FromMinutes(1));
        _ = Enumerable.Range(0, 5).Select(_ => limited.Rated()).ToList();

        Assert.That(limited.Started, Is.EqualTo(4));
        Assert.That(rate.Limiter.GetStatistics()!.CurrentQueuedCount, Is.EqualTo(2));
        harness.Time.Advance(TimeSpan.FromMinutes(1));
    }

    [TestCase("10/1s", 10, 1_000)]
    [TestCase("10/s", 10, 1_000)]
    [TestCase(" 5 / 500ms ", 5, 500)]
    [TestCase("100/1m", 100, 60_000)]
    [TestCase("2/1.5h", 2, 5_400_000)]
    [TestCase("1/1d", 1, 86_400_000)]
    [TestCase("3/1.005s", 3, 1_005)]
    public void Parse_ReadsPermitsPerInterval(string text, int permits, int milliseconds)
    {
        var limit = RateLimit.Parse(text);

        Assert.That((limit.Permits, limit.Interval), Is.EqualTo((permits, TimeSpan.FromMilliseconds(milliseconds))));
        Assert.That(RateLimit.Parse(limit.ToString()), Is.EqualTo(limit));
    }

    [TestCase("")]
    [TestCase("10")]
    [TestCase("0/1s")]
    [TestCase("10/0s")]
    [TestCase("-1/1s")]
    [TestCase("ten/s")]
    [TestCase("10/1 week")]
    [TestCase("10 per second")]
    [TestCase("1/60d")]
    [TestCase("1/99999999999d")]
    [TestCase("1/99999999999999999999999999d")]
    [TestCase("99999999999/1s")]
    [TestCase("1/0.5ms")]
    public void Parse_RejectsAnythingElse(string text)
    {
        Assert.That(RateLimit.TryParse(text, out _), Is.False);
        var error = Assert.Throws<FormatException>(() => RateLimit.Parse(text));
        Assert.That(error!.Message, Does.Contain("'10/1s'"));
    }
}
