using Flows.Dashboard.Hosting;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Flows.Dashboard.Tests.Hosting;

/// <summary>Store answers shared between pages: one query per question per sharing period, however many pages ask.</summary>
public sealed class QuerySharingTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2030, 1, 1, 0, 0, 0, TimeSpan.Zero));

    [Test]
    public async Task ManyPagesAskingAStaleQuestionAtOnce_CostOneQuery_AndShareItsAnswer()
    {
        var sharing = Sharing(TimeSpan.FromSeconds(1));
        var loads = 0;
        var release = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        Task<int> Load(CancellationToken _)
        {
            Interlocked.Increment(ref loads);
            return release.Task;
        }

        await sharing.GetAsync("runs", _ => Task.FromResult(0), CancellationToken.None);
        _time.Advance(TimeSpan.FromSeconds(2));
        var pages = Enumerable.Range(0, 20).Select(_ => Task.Run(() => sharing.GetAsync("runs", Load, CancellationToken.None))).ToArray();
        await Eventually.Until(() => Volatile.Read(ref loads) > 0, "a load starts");
        release.SetResult(42);
        var answers = await Eventually.Within(Task.WhenAll(pages));

        Assert.That(loads, Is.EqualTo(1), "one query for twenty pages");
        Assert.That(answers, Is.All.EqualTo(42));
    }

    [Test]
    public async Task AnAnswer_IsSharedForThePeriod_ThenAskedAgain_AndAFailureIsNotShared()
    {
        var sharing = Sharing(TimeSpan.FromSeconds(1));
        var loads = 0;
        Task<int> Load(CancellationToken _) => Task.FromResult(Interlocked.Increment(ref loads));

        var first = await sharing.GetAsync("q", Load, CancellationToken.None);
        _time.Advance(TimeSpan.FromMilliseconds(900));
        var shared = await sharing.GetAsync("q", Load, CancellationToken.None);
        var other = await sharing.GetAsync("other", Load, CancellationToken.None);
        _time.Advance(TimeSpan.FromMilliseconds(200));
        var fresh = await sharing.GetAsync("q", Load, CancellationToken.None);
        var failed = Assert.ThrowsAsync<InvalidOperationException>(() => sharing.GetAsync<int>("bad", _ => throw new InvalidOperationException("store away"), CancellationToken.None));
        var retried = await sharing.GetAsync("bad", Load, CancellationToken.None);

        Assert.That((first, shared, other, fresh), Is.EqualTo((1, 1, 2, 3)));
        Assert.That(failed!.Message, Is.EqualTo("store away"));
        Assert.That(retried, Is.EqualTo(4), "a failed load is asked again at once");
    }

    private QuerySharing Sharing(TimeSpan period) => new(Options.Create(new DashboardOptions { QuerySharing = period }), _time);
}
