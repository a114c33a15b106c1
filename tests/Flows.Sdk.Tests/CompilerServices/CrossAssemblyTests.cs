using System.Runtime.CompilerServices;
using Flows.CompilerServices;
using Flows.Runs;
using Flows.Testing;
using Flows.Tests.Fixtures;
using Flows.Tests.SharedTasks;

namespace Flows.Tests.CompilerServices;

/// <summary>Tasks and flows declared in a referenced assembly (Flows.Sdk.Tests.SharedTasks) run as runs when called from this one.</summary>
public sealed class CrossAssemblyTests
{
    [Test]
    public async Task LibraryTasksCalledFromAFlow_AreTaskRunsOfThatFlow_WithTheLibrarysOptions()
    {
        using var harness = new FlowTestHarness();

        var result = await SharedCalls.Run(factor: 10);

        Assert.That(result, Is.EqualTo("30:OH"));
        var flow = harness.Runs.Single();
        Assert.That(flow.Name, Is.EqualTo("shared-calls"));
        var tasks = harness.TaskRuns();
        Assert.That(tasks.Select(r => r.Name), Is.EqualTo(new[] { "shared-flaky-sum", "shared-fetch", "shared-scale", "shared-tag" }));
        Assert.That(tasks.Select(r => (r.FlowRunId, r.ParentRunId, r.State)), Is.All.EqualTo(((Guid?)flow.Id, (Guid?)flow.Id, RunState.Completed)));

        var flaky = harness.TaskRuns("shared-flaky-sum").Single();
        Assert.That(flaky.Attempt, Is.EqualTo(3), "the two retries the library declares");
        Assert.That(flaky.Tags, Is.EqualTo(new[] { "shared" }));
        Assert.That(harness.Transitions(flaky).Count(t => t.State == RunState.Retrying), Is.EqualTo(2));
    }

    [Test]
    public void ALibraryTaskWhoseRetriesRunOut_FailsAsARun()
    {
        using var harness = new FlowTestHarness();
        var attempts = new AttemptCounter { Count = -5 };

        Assert.Throws<InvalidOperationException>(() => SharedJobs.FlakySum(1, 2, attempts));

        Assert.That(attempts.Count, Is.EqualTo(-2), "one attempt and the library's two retries");
        Assert.That(harness.TaskRuns("shared-flaky-sum").Single().State, Is.EqualTo(RunState.Failed));
    }

    [Test]
    public async Task LibraryTasksCalledOutsideAnyFlow_AreStandaloneTaskRuns()
    {
        using var harness = new FlowTestHarness();
        var worker = new SharedWorker(2);

        var fetched = await SharedJobs.FetchAsync("pa", CancellationToken.None);
        var scaled = worker.Scale(4);

        Assert.That((fetched, scaled, worker.Calls), Is.EqualTo(("PA", 8, 1)));
        Assert.That(harness.TaskRuns().Select(r => (r.Name, r.ParentRunId, r.State)), Is.EqualTo(new[]
        {
            ("shared-fetch", (Guid?)null, RunState.Completed),
            ("shared-scale", (Guid?)null, RunState.Completed),
        }));
        Assert.That(harness.Runs, Is.Empty);
    }

    [Test]
    public async Task ALibraryFlowCalledDirectly_IsAFlowRunWithItsTasks()
    {
        using var harness = new FlowTestHarness();

        var total = await SharedJobs.Nightly(["oh", "texas"]);

        Assert.That(total, Is.EqualTo(7));
        var flow = harness.Runs.Single();
        Assert.That(flow.Name, Is.EqualTo("shared-nightly"));
        Assert.That(flow.Parameters, Is.EqualTo("""{"states":["oh","texas"]}"""));
        Assert.That(harness.ChildrenOf(flow).Select(r => r.Name), Is.EqualTo(new[] { "shared-fetch", "shared-fetch" }));
    }

    [Test]
    public async Task ALibraryFlow_RunsByName_OnceItsAssemblyIsLoaded()
    {
        using var harness = new FlowTestHarness();
        RuntimeHelpers.RunModuleConstructor(typeof(SharedJobs).Module.ModuleHandle);

        var run = await harness.RunAsync("shared-nightly", new { states = new[] { "ny" } });

        Assert.That(RunCatalog.FindFlow("shared-nightly")?.MethodName, Is.EqualTo(nameof(SharedJobs.Nightly)));
        Assert.That((run.State, run.Result), Is.EqualTo((RunState.Completed, "2")));
        Assert.That(harness.ChildrenOf(run).Single().Name, Is.EqualTo("shared-fetch"));
    }
}
