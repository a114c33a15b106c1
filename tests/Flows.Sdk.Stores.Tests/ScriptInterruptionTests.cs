namespace Flows.Stores.Tests;

/// <summary>
/// A console script on the zero-configuration engine, stopped by Ctrl+C (SIGINT) or a service manager (SIGTERM):
/// a real child process and a real signal. What it recorded is in the store and its runs end Cancelled, not Crashed.
/// </summary>
public sealed class ScriptInterruptionTests
{
    private const int Steps = 25;

    private static readonly TimeSpan ExitBound = TimeSpan.FromSeconds(60);

    [TestCase(ScriptProcess.SigInt, 130)]
    [TestCase(ScriptProcess.SigTerm, 143)]
    [CancelAfter(120_000)]
    public async Task AnInterruptedScript_EndsItsRunsCancelled_KeepsWhatItRecorded_AndExitsWithTheSignalsCode(int signal, int exitCode, CancellationToken cancellationToken)
    {
        using var folder = TestStores.NewFolder();
        using var script = ScriptProcess.Start(folder.Path, new Dictionary<string, string>(), "interrupted", "25");
        await script.WaitForLineAsync("READY", cancellationToken);

        script.Signal(signal);
        var exited = await script.WaitForExitAsync(ExitBound, cancellationToken);

        var (flow, details) = await ReadRunAsync(folder, cancellationToken);
        var wait = details.TaskRuns.Single(r => r.Name == "script-wait");
        var steps = details.TaskRuns.Where(r => r.Name == "script-step").ToList();
        var name = signal == ScriptProcess.SigInt ? "SIGINT" : "SIGTERM";
        Assert.Multiple(() =>
        {
            Assert.That(exited, Is.EqualTo(exitCode), script.Transcript);
            Assert.That(flow.State, Is.EqualTo(RunState.Cancelled), script.Transcript);
            Assert.That(flow.Error, Does.Contain(name));
            Assert.That(details.Transitions.Select(t => t.State), Is.EqualTo(new[] { RunState.Pending, RunState.Running, RunState.Cancelled }));
            Assert.That(wait.State, Is.EqualTo(RunState.Cancelled));
            Assert.That(steps.Select(s => s.State), Is.EqualTo(Enumerable.Repeat(RunState.Completed, Steps)));
            Assert.That(script.Transcript, Does.Contain("HOOK cancelled Cancelled").And.Not.Contain("FINISHED"));
        });
    }

    [Test]
    [CancelAfter(120_000)]
    public async Task ARunThatIgnoresItsToken_IsEndedCancelledWhenTheGracePeriodIsOver_SayingWhy(CancellationToken cancellationToken)
    {
        using var folder = TestStores.NewFolder();
        using var script = ScriptProcess.Start(folder.Path, new Dictionary<string, string> { ["Flows__ShutdownTimeoutSeconds"] = "1" }, "stubborn", "25");
        await script.WaitForLineAsync("READY", cancellationToken);

        script.Signal(ScriptProcess.SigInt);
        var exited = await script.WaitForExitAsync(ExitBound, cancellationToken);

        var (flow, details) = await ReadRunAsync(folder, cancellationToken);
        var wait = details.TaskRuns.Single(r => r.Name == "script-wait");
        Assert.Multiple(() =>
        {
            Assert.That(exited, Is.EqualTo(130), script.Transcript);
            Assert.That(flow.State, Is.EqualTo(RunState.Cancelled), script.Transcript);
            Assert.That(wait.State, Is.EqualTo(RunState.Cancelled));
            Assert.That(wait.Error, Does.Contain("SIGINT").And.Contain("did not stop within 1 s"));
            Assert.That(details.TaskRuns.Count(r => r.Name == "script-step" && r.State == RunState.Completed), Is.EqualTo(Steps));
        });
    }

    [Test]
    [CancelAfter(120_000)]
    public async Task ASecondCtrlC_ExitsAtOnce_WithoutWaitingForTheGracePeriod(CancellationToken cancellationToken)
    {
        using var folder = TestStores.NewFolder();
        using var script = ScriptProcess.Start(folder.Path, new Dictionary<string, string> { ["Flows__ShutdownTimeoutSeconds"] = "600" }, "stubborn", "1");
        await script.WaitForLineAsync("READY", cancellationToken);
        script.Signal(ScriptProcess.SigInt);
        await script.WaitForLineAsync("Flows: press Ctrl+C again to exit at once.", cancellationToken);

        script.Signal(ScriptProcess.SigInt);

        Assert.That(await script.WaitForExitAsync(ExitBound, cancellationToken), Is.EqualTo(130), script.Transcript);
    }

    private static async Task<(RunRecord Flow, RunDetails Details)> ReadRunAsync(TempFolder folder, CancellationToken cancellationToken)
    {
        await using var store = new SqliteRunStore(folder.File("flows.db"));
        await store.OpenAsync(cancellationToken);
        var flow = (await store.QueryRunsAsync(new RunQuery { Name = "script-interrupted" }, cancellationToken)).Single();
        return (flow, (await store.GetRunDetailsAsync(flow.Id, cancellationToken))!);
    }
}
