using Flows.Testing;
using Flows.Tests.Fixtures;

namespace Flows.Tests.Logging;

[NonParallelizable]
public sealed class LogPrintsTests
{
    [Test]
    public async Task PrintsOfTwoConcurrentRuns_LandInTheirOwnRunsLogs_LineByLine()
    {
        using var harness = new FlowTestHarness();
        var printing = new Printing();

        await Task.WhenAll(printing.Print("alpha", 25), printing.Print("beta", 25));

        foreach (var who in new[] { "alpha", "beta" })
        {
            var run = harness.Runs.Single(r => r.Parameters!.Contains($"\"{who}\"", StringComparison.Ordinal));
            var printed = harness.Logs.Where(l => l.RunId == run.Id && l.Category == "Flows.Flow.printing-flow").Select(l => l.Message);
            var expected = Enumerable.Range(0, 25).Select(i => $"{who} line {i}").Append($"{who} unfinished");
            Assert.That(printed, Is.EqualTo(expected), who);
        }
    }

    [Test]
    public async Task TheConsole_IsPutBackWhenTheLastCapturingRunEnds()
    {
        using var harness = new FlowTestHarness();
        var before = Console.Out;

        await new Printing().Print("gamma", 1);

        Assert.That(Console.Out, Is.SameAs(before));
    }

    [Test]
    public async Task OutputOutsideCapturingRuns_StillReachesTheConsole()
    {
        using var harness = new FlowTestHarness();
        var original = Console.Out;
        using var console = new StringWriter();
        Console.SetOut(console);
        try
        {
            var printing = new Printing();
            var capturing = printing.Waits();
            Console.WriteLine("outside any run");
            Printing.Quiet();
            printing.Release.SetResult();
            await capturing;
        }
        finally
        {
            Console.SetOut(original);
        }

        Assert.That(console.ToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries), Is.EqualTo(new[] { "outside any run", "not captured" }));
        var run = harness.Runs.Single(r => r.Name == "printing-waits");
        Assert.That(harness.Logs.Where(l => l.RunId == run.Id).Select(l => l.Message), Does.Contain("inside"));
    }

    [Test]
    public async Task TasksOfACapturingFlow_CaptureTheirPrintsInTheirOwnRuns()
    {
        using var harness = new FlowTestHarness();

        await new Printing().WithTask();

        var flow = harness.Runs.Single(r => r.Name == "printing-with-task");
        var task = harness.TaskRuns("printing-shout").Single();
        Assert.That(harness.Logs.Single(l => l.Message == "from the flow").RunId, Is.EqualTo(flow.Id));
        Assert.That(harness.Logs.Single(l => l.Message == "from the task").RunId, Is.EqualTo(task.Id));
    }
}
