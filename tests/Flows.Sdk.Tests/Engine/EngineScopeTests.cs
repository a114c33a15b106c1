using Flows.Secrets;
using Flows.Stores;

namespace Flows.Tests.Engine;

/// <summary>An engine scope ends where it was entered, and masking outside runs uses the engine in scope.</summary>
public sealed class EngineScopeTests
{
    [Test]
    public void AScopeEnteredInsideASyncTask_AndDisposedAfterTheTaskReturned_DoesNotMakeTheEndedRunCurrent()
    {
        using var engine = new FlowEngine(new FlowEngineOptions { Store = new InMemoryRunStore() });
        using var other = new FlowEngine(new FlowEngineOptions { Store = new InMemoryRunStore() });
        using var scope = engine.Use();

        var leftOpen = ScopeTasks.EntersAScope(other);
        leftOpen.Dispose();

        Assert.That((Flow.RunId, FlowEngine.Current), Is.EqualTo(((Guid?)null, engine)));
    }

    [Test]
    public void AScopeDisposedTwice_LeavesTheScopeEnteredAfterItsFirstDispose()
    {
        using var engine = new FlowEngine(new FlowEngineOptions { Store = new InMemoryRunStore() });
        using var other = new FlowEngine(new FlowEngineOptions { Store = new InMemoryRunStore() });

        var first = engine.Use();
        first.Dispose();
        using var second = other.Use();
        first.Dispose();

        Assert.That(FlowEngine.Current, Is.SameAs(other));
    }

    [Test]
    public async Task FlowRedact_OutsideAnyRun_MasksWhatTheEngineInScopeResolved()
    {
        const string Value = "hunter2-outside-runs";
        var options = new FlowEngineOptions { Store = new InMemoryRunStore() };
        options.Secrets.Providers.Add(new InlineSecretProvider([new("api-key", Value)]));
        await using var engine = new FlowEngine(options);
        using var scope = engine.Use();

        var resolved = await Flow.Secrets.GetAsync("api-key");
        var text = Flow.Redact($"calling with {resolved}");

        Assert.That(text, Does.Not.Contain(Value));
        Assert.That(text, Does.StartWith("calling with "));
    }
}

/// <summary>Tasks for <see cref="EngineScopeTests"/>.</summary>
public static class ScopeTasks
{
    [Task("scope-left-open")]
    public static IDisposable EntersAScope(FlowEngine other) => other.Use();
}
