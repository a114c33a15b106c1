using Flows.Runs;
using Flows.Stores;
using Flows.Testing;

namespace Flows.Tests.Runs;

public sealed class ArtifactTests
{
    [Test]
    public async Task Artifacts_AreStoredWithTheirRun_AsTableMarkdownAndLink()
    {
        using var harness = new FlowTestHarness();

        await ArtifactJob.Publish();

        var run = harness.Runs.Single();
        var artifacts = await harness.Store.GetArtifactsAsync(run.Id);
        Assert.That(artifacts.Select(a => (a.Key, a.Kind, a.Content)), Is.EqualTo(new[]
        {
            ("rows", ArtifactKind.Table, """[{"state":"OH","count":3}]"""),
            ("summary", ArtifactKind.Markdown, "# 3 rows"),
            ("dashboard", ArtifactKind.Link, "https://example.org/d/1"),
        }));
        Assert.That(artifacts.Select(a => a.RunId), Is.All.EqualTo(run.Id));
    }

    [Test]
    public void AnArtifactOutsideAnyRun_FailsSayingWhere()
    {
        var error = Assert.Throws<InvalidOperationException>(() => Flow.Artifacts.Markdown("loose", "text"));

        Assert.That(error!.Message, Does.Contain("'loose'").And.Contain("outside any flow or task run"));
    }

    [Test]
    public async Task RunDetails_ShowTheFlowWithItsTaskRunsAndArtifacts()
    {
        using var harness = new FlowTestHarness();

        await ArtifactJob.Publish();

        var details = await harness.Store.GetRunDetailsAsync(harness.Runs.Single().Id);
        Assert.That(details!.TaskRuns.Select(r => r.Name), Is.EqualTo(new[] { "artifact-count" }));
        Assert.That(details.Artifacts, Has.Count.EqualTo(3));
        Assert.That(details.Transitions.Select(t => t.State), Is.EqualTo(new[] { RunState.Pending, RunState.Running, RunState.Completed }));
    }
}

public static class ArtifactJob
{
    [Task("artifact-count")]
    public static int Count() => 3;

    [Flow("artifact-publish")]
    public static async Task Publish()
    {
        await Task.Yield();
        var count = Count();
        Flow.Artifacts.Table("rows", [new { State = "OH", Count = count }]);
        Flow.Artifacts.Markdown("summary", $"# {count} rows");
        Flow.Artifacts.Link("dashboard", new Uri("https://example.org/d/1"));
    }
}
