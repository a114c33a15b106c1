using Flows.Runs;
using Flows.Stores;
using Flows.Stores.Sqlite;

namespace Flows.Stores.Tests.Engine;

/// <summary>
/// A flow run whose process is killed mid-run (a real child process, SIGKILL) is found Crashed, and another process
/// retries it under the same run id as its flow's retries allow: the crashed attempt's task runs stay, cached tasks hit.
/// </summary>
public sealed class CrashRetryTests
{
    private TempFolder _folder = null!;

    [SetUp]
    public void CreateFolder() => _folder = TestStores.NewFolder();

    [TearDown]
    public void DeleteFolder() => _folder.Dispose();

    [Test]
    [CancelAfter(120_000)]
    public async Task ACrashedRun_IsRetriedByAnotherProcessUnderItsId_KeepingItsTaskRuns_AndItsCachedTaskHits(CancellationToken cancellationToken)
    {
        var path = _folder.File("flows.db");
        await CrashHelperProcess.RunUntilReadyThenKillAsync(cancellationToken, "retry-job", path);
        Guid runId;
        await using (var store = new SqliteRunStore(path))
        {
            var crashed = (await store.QueryRunsAsync(new RunQuery { Name = "crash-retry-job" }, cancellationToken)).Single();
            Assert.That((crashed.State, crashed.Attempt), Is.EqualTo((RunState.Crashed, 1)), "the killed process's run is found crashed when a store opens");
            runId = crashed.Id;
        }

        var output = await CrashHelperProcess.RunToEndAsync(cancellationToken, "retry", path, runId.ToString());
        var again = await CrashHelperProcess.RunToEndAsync(cancellationToken, "retry", path, runId.ToString());

        Assert.That((output, again), Is.EqualTo(("RETRIED Completed 2", "NOT-RETRIED")), "a finished run is not retried again");
        await using var reader = new SqliteRunStore(path);
        var details = (await reader.GetRunDetailsAsync(runId, cancellationToken))!;
        Assert.Multiple(() =>
        {
            Assert.That((details.Run.State, details.Run.Attempt, details.Run.Result), Is.EqualTo((RunState.Completed, 2, (string?)"10")));
            Assert.That(details.Transitions.Select(t => (t.State, t.Attempt)), Is.EqualTo(new[]
            {
                (RunState.Pending, 0), (RunState.Running, 1), (RunState.Crashed, 1), (RunState.Pending, 2), (RunState.Running, 2), (RunState.Completed, 2),
            }));
            Assert.That(details.Transitions[3].Message, Does.StartWith("Retry after a crash: attempt 2 of 2").And.Contain("stopped before it finished"));
            Assert.That(States("crash-cached-double"), Is.EqualTo(new[] { RunState.Completed, RunState.Cached }), "the crashed attempt's cached result is taken");
            Assert.That(States("crash-uncached-count"), Is.EqualTo(new[] { RunState.Completed, RunState.Completed }), "an uncached task runs again");
            Assert.That(States("crash-hang"), Is.EqualTo(new[] { RunState.Crashed }), "the crashed attempt's task runs stay as they were");
        });

        RunState[] States(string task) => [.. details.TaskRuns.Where(r => r.Name == task).Select(r => r.State)];
    }
}
