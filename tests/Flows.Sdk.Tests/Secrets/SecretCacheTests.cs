using Flows.Testing;
using Flows.Tests.Fixtures;

namespace Flows.Tests.Secrets;

public sealed class SecretCacheTests
{
    private static readonly Dictionary<string, string> Values = new() { ["secret-api-key"] = "cached-secret" };

    [Test]
    public async Task ASecret_IsResolvedOncePerExpiryWindow_NotOncePerCall()
    {
        var provider = new CountingSecretProvider(Values);
        using var harness = new FlowTestHarness(o =>
        {
            o.SecretProviders.Add(provider);
            o.SecretCacheDuration = TimeSpan.FromMinutes(10);
        });

        for (var i = 0; i < 5; i++)
        {
            await SecretUsers.EchoLength();
        }

        var callsInFirstWindow = provider.Calls;
        harness.Time.Advance(TimeSpan.FromMinutes(9));
        await SecretUsers.EchoLength();
        var callsBeforeExpiry = provider.Calls;
        harness.Time.Advance(TimeSpan.FromMinutes(1));
        for (var i = 0; i < 3; i++)
        {
            await SecretUsers.EchoLength();
        }

        Assert.That(callsInFirstWindow, Is.EqualTo(1));
        Assert.That(callsBeforeExpiry, Is.EqualTo(1));
        Assert.That(provider.Calls, Is.EqualTo(2), "asked again once the window expired");
    }

    [Test]
    public async Task ConcurrentCallers_ShareOneLookup()
    {
        var provider = new CountingSecretProvider(Values, answerWhenTold: true);
        using var harness = new FlowTestHarness(o => o.SecretProviders.Add(provider));

        // All eight ask while the first lookup is still unanswered.
        var lookups = Enumerable.Range(0, 8).Select(_ => harness.Engine.Secrets.GetAsync("secret-api-key").AsTask()).ToList();
        provider.Answer();
        var values = await Eventually.Within(Task.WhenAll(lookups));

        Assert.That(values, Is.All.EqualTo("cached-secret"));
        Assert.That(provider.Calls, Is.EqualTo(1));
    }

    [Test]
    public void AMissingSecret_IsNotCached_SoTheNextCallAsksAgain()
    {
        var provider = new CountingSecretProvider(new Dictionary<string, string>());
        using var harness = new FlowTestHarness(o => o.SecretProviders.Add(provider));

        Assert.ThrowsAsync<SecretResolutionException>(async () => await harness.Engine.Secrets.GetAsync("secret-missing"));
        Assert.ThrowsAsync<SecretResolutionException>(async () => await harness.Engine.Secrets.GetAsync("secret-missing"));

        Assert.That(provider.Calls, Is.EqualTo(2));
    }

    [Test]
    public async Task AZeroCacheDuration_AsksEveryTime()
    {
        var provider = new CountingSecretProvider(Values);
        using var harness = new FlowTestHarness(o =>
        {
            o.SecretProviders.Add(provider);
            o.SecretCacheDuration = TimeSpan.Zero;
        });

        await harness.Engine.Secrets.GetAsync("secret-api-key");
        await harness.Engine.Secrets.GetAsync("secret-api-key");

        Assert.That(provider.Calls, Is.EqualTo(2));
    }
}
