using Flows.Stores;

namespace Flows.Tests.Engine;

/// <summary>The current run and the engine in scope share one async-local slot; each still behaves as its own.</summary>
public sealed class AmbientSlotTests
{
    [Test]
    public void ASyncTaskThatSetsAnotherAsyncLocal_LeavesItsCallersEngineInScope()
    {
        var store = new InMemoryRunStore();
        using var engine = new FlowEngine(new FlowEngineOptions { Store = store });
        using var scope = engine.Use();

        AmbientTasks.SetsAnAsyncLocal("set");
        AmbientTasks.Plain();

        Assert.That(AmbientTasks.Local.Value, Is.EqualTo("set"));
        Assert.That((Flow.RunId, FlowEngine.Current), Is.EqualTo(((Guid?)null, engine)));
        Assert.That(store.AllRuns.Select(r => r.Name), Is.EqualTo(new[] { "ambient-sets-local", "ambient-plain" }));
    }

    [Test]
    public async Task AnEngineScopeEnteredInsideARun_KeepsThatRunCurrent_AndItsEngine()
    {
        var store = new InMemoryRunStore();
        using var engine = new FlowEngine(new FlowEngineOptions { Store = store });
        using var other = new FlowEngine(new FlowEngineOptions { Store = new InMemoryRunStore() });
        using var scope = engine.Use();

        var (inside, child) = await AmbientTasks.EntersAScope(other);

        var parent = store.AllRuns.Single(r => r.Name == "ambient-enters-scope");
        Assert.That(inside, Is.EqualTo(parent.Id));
        Assert.That(store.AllRuns.Single(r => r.Id == child).ParentRunId, Is.EqualTo(parent.Id));
        Assert.That(FlowEngine.Current, Is.SameAs(engine));
    }
}

/// <summary>Tasks for <see cref="AmbientSlotTests"/>.</summary>
public static class AmbientTasks
{
    public static readonly AsyncLocal<string?> Local = new();

    [Task("ambient-sets-local")]
    public static void SetsAnAsyncLocal(string value) => Local.Value = value;

    [Task("ambient-plain")]
    public static Guid Plain() => Flow.RunId!.Value;

    [Task("ambient-enters-scope")]
    public static async Task<(Guid? Inside, Guid Child)> EntersAScope(FlowEngine other)
    {
        using (other.Use())
        {
            await Task.Yield();
            return (Flow.RunId, Plain());
        }
    }
}
