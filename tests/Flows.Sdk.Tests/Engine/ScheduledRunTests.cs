using System.Text.Json;
using Flows.Runs;
using Flows.Stores;
using Flows.Testing;
using Flows.Tests.Fixtures;
using Microsoft.Extensions.DependencyInjection;
using Moq;

namespace Flows.Tests.Engine;

/// <summary>Runs by name as a given run (<see cref="RunStart"/>): scheduled ahead, continued once, late when past their slot.</summary>
public sealed class ScheduledRunTests
{
    private static readonly DateTimeOffset Slot = new(2030, 3, 9, 6, 0, 0, TimeSpan.Zero);

    [Test]
    public async Task AScheduledRun_RecordsItsParametersAsARunDoes_SecretsMasked_AndCreatesNoFlowInstance()
    {
        using var harness = new FlowTestHarness();
        var start = new RunStart { RunId = Guid.CreateVersion7(), Deployment = "sum-hourly", ScheduledFor = Slot, Tags = ["hourly"] };

        var scheduled = await harness.Engine.TryScheduleRunAsync("by-name-sum", Json(new { a = 5 }), start);
        var greet = await harness.Engine.TryScheduleRunAsync("greet", Json(new { name = "Ada" }), new RunStart { Deployment = "greet-daily" });

        Assert.That(scheduled!.Parameters, Is.EqualTo("""{"a":5,"b":10,"token":"***"}"""), "as a run of the flow records them");
        Assert.That((scheduled.Id, scheduled.State, scheduled.Kind, scheduled.Name, scheduled.Deployment, scheduled.ScheduledFor, scheduled.CreatedAt),
            Is.EqualTo((start.RunId!.Value, RunState.Scheduled, RunKind.Flow, "by-name-sum", (string?)"sum-hourly", (DateTimeOffset?)Slot, harness.Time.GetUtcNow())));
        Assert.That(scheduled.Tags, Is.EqualTo(new[] { "hourly" }));
        Assert.That(greet!.Parameters, Is.EqualTo("""{"name":"Ada","times":1}"""), "an instance flow's class needs no services to be scheduled");
        Assert.That(await harness.Store.GetRunAsync(scheduled.Id), Is.EqualTo(scheduled).Using<RunRecord>((a, b) => a.Id == b.Id && a.State == b.State && a.Parameters == b.Parameters));
    }

    [Test]
    public void SchedulingWithABadParameter_FailsBeforeAnythingIsRecorded()
    {
        using var harness = new FlowTestHarness();

        var thrown = Assert.ThrowsAsync<FlowParameterException>(() => harness.Engine.TryScheduleRunAsync("by-name-sum", Json(new { a = "five" }), new RunStart()));

        Assert.That(thrown!.Message, Does.Contain("parameter 'a'").And.Contain("expected int"));
        Assert.That(harness.Store.Count, Is.Zero);
    }

    [Test]
    public async Task ContinuingAScheduledRun_ReplacesItInTheInMemoryStore_KeepingItsEarlierTransitions()
    {
        using var harness = new FlowTestHarness();
        var greeting = new Mock<IGreeting>();
        greeting.Setup(g => g.Hello("Ada")).Returns("hi");
        harness.Services.AddSingleton(greeting.Object);
        var start = new RunStart { RunId = Guid.CreateVersion7(), Deployment = "greet-daily", ScheduledFor = Slot, LateAfter = TimeSpan.FromMinutes(10) };
        await harness.Engine.TryScheduleRunAsync("greet", Json(new { name = "Ada" }), start);
        harness.Time.Advance(TimeSpan.FromMinutes(1));

        var run = await harness.Engine.RunAsync("greet", Json(new { name = "Ada" }), start);

        Assert.That(harness.Runs, Has.Count.EqualTo(1), "the scheduled run was continued, not doubled");
        Assert.That((run.State, run.Result, run.Deployment, run.ScheduledFor), Is.EqualTo((RunState.Completed, (string?)"\"hi\"", (string?)"greet-daily", (DateTimeOffset?)Slot)));
        Assert.That((await harness.Store.GetTransitionsAsync(run.Id)).Select(t => t.State), Is.EqualTo(new[] { RunState.Scheduled, RunState.Pending, RunState.Running, RunState.Completed }),
            "started within its threshold: not Late");
        Assert.That(await harness.Store.QueryRunsAsync(new RunQuery { Deployment = "greet-daily" }), Has.Count.EqualTo(1));
    }

    [Test]
    public async Task ARunStartWithAnIdNotStored_CreatesTheRunScheduledThenRunsIt_LateWhenPastItsSlot()
    {
        using var harness = new FlowTestHarness(o => o.Secrets["unused-token"] = "t0k3n");
        harness.Time.SetUtcNow(Slot.AddHours(2).AddSeconds(30));
        var start = new RunStart { RunId = Guid.CreateVersion7(), Deployment = "sum-hourly", ScheduledFor = Slot, LateAfter = TimeSpan.FromMinutes(5) };

        var run = await harness.Engine.RunAsync("by-name-sum", Json(new { a = 1 }), start);

        var transitions = await harness.Store.GetTransitionsAsync(run.Id);
        Assert.That(transitions.Select(t => t.State), Is.EqualTo(new[] { RunState.Scheduled, RunState.Late, RunState.Pending, RunState.Running, RunState.Completed }));
        Assert.That(transitions[1].Message, Is.EqualTo("Late by 2 h 30 s: started more than 5 min after its slot 2030-03-09T06:00:00.0000000+00:00."));
        Assert.That((run.Id, run.Result), Is.EqualTo((start.RunId!.Value, (string?)"16")), "1 + the default 10 + the secret's length 5");
    }

    [Test]
    public async Task CancellingTheTokenOfAContinuedRun_EndsItCancelled()
    {
        using var harness = new FlowTestHarness();
        var start = new RunStart { RunId = Guid.CreateVersion7(), Deployment = "waits-daily", ScheduledFor = Slot };
        await harness.Engine.TryScheduleRunAsync("ending-waits", null, start);
        using var cancel = new CancellationTokenSource();

        var running = harness.Engine.RunAsync("ending-waits", null, start, cancel.Token);
        await Eventually.UntilAsync(async () => (await harness.Store.GetRunAsync(start.RunId!.Value))!.State == RunState.Running, "the run is running");
        await cancel.CancelAsync();
        var run = await Eventually.Within(running);

        Assert.That(run.State, Is.EqualTo(RunState.Cancelled));
        Assert.That((await harness.Store.GetTransitionsAsync(run.Id)).Select(t => t.State), Is.EqualTo(new[] { RunState.Scheduled, RunState.Pending, RunState.Running, RunState.Cancelled }));
    }

    [Test]
    public async Task AContinuedRunTheFlowSkips_EndsCancelledWithTheReason_AndTheRejectionIsThrownUnwrapped()
    {
        using var harness = new FlowTestHarness();
        var flows = new Overlapping();
        harness.Services.AddSingleton(flows);
        var start = new RunStart { RunId = Guid.CreateVersion7(), Deployment = "skip-hourly", ScheduledFor = Slot };
        await harness.Engine.TryScheduleRunAsync("overlap-skip", Json(new { id = 2 }), start);
        var first = flows.Skip(1);

        var rejected = Assert.ThrowsAsync<FlowRunRejectedException>(() => harness.Engine.RunAsync("overlap-skip", Json(new { id = 2 }), start));
        flows.Release.SetResult();
        await Eventually.Within(first);

        var run = await harness.Store.GetRunAsync(start.RunId!.Value);
        Assert.That(rejected!.Policy, Is.EqualTo(OverlapPolicy.Skip));
        Assert.That((run!.State, run.EndedAt), Is.EqualTo((RunState.Cancelled, (DateTimeOffset?)harness.Time.GetUtcNow())), "ended, not left Scheduled");
        Assert.That(run.Error, Does.StartWith("Skipped before it started: Flow 'overlap-skip' was skipped"));
        Assert.That((await harness.Store.GetTransitionsAsync(run.Id)).Select(t => t.State), Is.EqualTo(new[] { RunState.Scheduled, RunState.Cancelled }));
        Assert.ThrowsAsync<RunAlreadyStartedException>(() => harness.Engine.RunAsync("overlap-skip", Json(new { id = 2 }), start), "a skipped slot is not run later");
    }

    [Test]
    public async Task ARunIdOfAnotherFlow_IsNotRunAsThisOne()
    {
        using var harness = new FlowTestHarness();
        var start = new RunStart { RunId = Guid.CreateVersion7() };
        await harness.Engine.TryScheduleRunAsync("by-name-sum", Json(new { a = 1 }), start);

        var thrown = Assert.ThrowsAsync<InvalidOperationException>(() => harness.Engine.RunAsync("by-name-list", Json(new { states = new[] { "OH" }, since = "2024-03-09" }), start));

        Assert.That(thrown!.Message, Does.Contain(start.RunId.ToString()).And.Contain("'by-name-sum'").And.Contain("'by-name-list'"));
        Assert.That((await harness.Store.GetRunAsync(start.RunId!.Value))!.State, Is.EqualTo(RunState.Scheduled), "left as it was");
    }

    [Test]
    public void ANegativeLateAfter_IsRefused()
    {
        using var harness = new FlowTestHarness();

        Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => harness.Engine.RunAsync("by-name-sum", Json(new { a = 1 }), new RunStart { ScheduledFor = Slot, LateAfter = TimeSpan.FromSeconds(-1) }));
    }

    private static Dictionary<string, JsonElement> Json(object parameters) =>
        JsonSerializer.SerializeToElement(parameters).EnumerateObject().ToDictionary(p => p.Name, p => p.Value.Clone());
}
