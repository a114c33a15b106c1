using Flows.Runs;
using Flows.Stores.Sqlite;

namespace Flows.Stores.Tests.Engine;

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
        var stopped = await InterruptAsync("interrupted", signal, [], cancellationToken);

        var steps = stopped.Details.TaskRuns.Where(r => r.Name == "script-step").ToList();
        var name = signal == ScriptProcess.SigInt ? "SIGINT" : "SIGTERM";
        Assert.Multiple(() =>
        {
            Assert.That(stopped.ExitCode, Is.EqualTo(exitCode), stopped.Transcript);
            Assert.That(stopped.Flow.State, Is.EqualTo(RunState.Cancelled), stopped.Transcript);
            Assert.That(stopped.Flow.Error, Does.Contain(name));
            Assert.That(stopped.Details.Transitions.Select(t => t.State), Is.EqualTo(new[] { RunState.Pending, RunState.Running, RunState.Cancelled }));
            Assert.That(stopped.Wait.State, Is.EqualTo(RunState.Cancelled));
            Assert.That(steps.Select(s => s.State), Is.EqualTo(Enumerable.Repeat(RunState.Completed, Steps)));
            Assert.That(stopped.Transcript, Does.Contain("HOOK cancelled Cancelled").And.Not.Contain("FINISHED"));
        });
    }

    [Test]
    [CancelAfter(120_000)]
    public async Task ARunThatIgnoresItsToken_IsEndedCancelledWhenTheGracePeriodIsOver_SayingWhy(CancellationToken cancellationToken)
    {
        var stopped = await InterruptAsync("stubborn", ScriptProcess.SigInt, new() { ["Flows__ShutdownTimeoutSeconds"] = "1" }, cancellationToken);

        Assert.Multiple(() =>
        {
            Assert.That(stopped.ExitCode, Is.EqualTo(130), stopped.Transcript);
            Assert.That(stopped.Flow.State, Is.EqualTo(RunState.Cancelled), stopped.Transcript);
            Assert.That(stopped.Wait.State, Is.EqualTo(RunState.Cancelled));
            Assert.That(stopped.Wait.Error, Does.Contain("SIGINT").And.Contain("did not stop within 1 s"));
            Assert.That(stopped.Details.TaskRuns.Count(r => r.Name == "script-step" && r.State == RunState.Completed), Is.EqualTo(Steps));
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

    /// <summary>
    /// Runs the script in <paramref name="mode"/> until it is mid-flow, sends it <paramref name="signal"/>, waits for
    /// it to exit and reads what it left in its store.
    /// </summary>
    private static async Task<Stopped> InterruptAsync(string mode, int signal, Dictionary<string, string> environment, CancellationToken cancellationToken)
    {
        using var folder = TestStores.NewFolder();
        using var script = ScriptProcess.Start(folder.Path, environment, mode, Steps.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await script.WaitForLineAsync("READY", cancellationToken);

        script.Signal(signal);
        var exitCode = await script.WaitForExitAsync(ExitBound, cancellationToken);

        await using var store = new SqliteRunStore(folder.File("flows.db"));
        await store.OpenAsync(cancellationToken);
        var flow = (await store.QueryRunsAsync(new RunQuery { Name = "script-interrupted" }, cancellationToken)).Single();
        var details = (await store.GetRunDetailsAsync(flow.Id, cancellationToken))!;
        return new Stopped(exitCode, flow, details, details.TaskRuns.Single(r => r.Name == "script-wait"), script.Transcript);
    }

    /// <summary>How an interrupted script ended: its exit code, its flow run, that run's details, its waiting task run and what it printed.</summary>
    private sealed record Stopped(int ExitCode, RunRecord Flow, RunDetails Details, RunRecord Wait, string Transcript);
}
