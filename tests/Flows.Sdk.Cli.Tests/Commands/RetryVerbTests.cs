using Flows.Cli.Tests.Support;
using Flows.Runs;
using Flows.Stores;
using Microsoft.Extensions.Configuration;

namespace Flows.Cli.Tests.Commands;

public sealed class RetryVerbTests
{
    [Test]
    public async Task Retry_RunsTheFlowAgainWithItsParameters_AndCachedTasksAreNotRedone()
    {
        await using var app = new CliApp();
        var blocker = Path.Combine(Path.GetDirectoryName(app.StorePath)!, "blocker");
        await File.WriteAllTextAsync(blocker, "in the way");
        var failed = await app.RunAsync("run", "cli-fragile", "--param", "n=7", "--param", $"blocker={blocker}", "--json");
        Assert.That(failed.ExitCode, Is.EqualTo(ExitCodes.RunNotCompleted), failed.ToString());
        var first = (await app.Engine.Store.QueryRunsAsync(new RunQuery { Kind = RunKind.Flow })).Single();
        File.Delete(blocker);

        var retried = await app.RunAsync("retry", first.Id.ToString(), "--no-color");

        Assert.That(retried.ExitCode, Is.EqualTo(ExitCodes.Success), retried.ToString());
        Assert.That(retried.Output, Does.Contain("of cli-fragile: Completed").And.Contain("Result: 49"));
        var second = (await app.Engine.Store.QueryRunsAsync(new RunQuery { Kind = RunKind.Flow })).First(r => r.Id != first.Id);
        Assert.That(second.Parameters, Is.EqualTo(first.Parameters));
        var squares = await app.Engine.Store.QueryRunsAsync(new RunQuery { FlowRunId = second.Id, Name = "cli-square" });
        Assert.That(squares.Single().State, Is.EqualTo(RunState.Cached), "the square the failed run computed is taken from the cache");
    }

    [Test]
    public async Task Retry_ResolvesSecretParametersAgain_AndNeverPrintsThem()
    {
        const string secret = "sk-retry-77e1b0c9d2";
        await using var app = new CliApp(b => b.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["Secrets:cli-api-key"] = secret }));
        await app.RunAsync("run", "cli-secret", "--param", "label=first");
        var first = (await app.Engine.Store.QueryRunsAsync(new RunQuery { Kind = RunKind.Flow })).Single();

        var retried = await app.RunAsync("retry", first.Id.ToString(), "--watch", "--no-color");
        var json = await app.RunAsync("retry", first.Id.ToString(), "--json");

        Assert.That(retried.ExitCode, Is.EqualTo(ExitCodes.Success), retried.ToString());
        Assert.That(retried.Output, Does.Contain("Result: " + secret.Length), "the secret was resolved again, not taken as the recorded ***");
        foreach (var result in new[] { retried, json })
        {
            Assert.That(result.Output + result.Error, Does.Not.Contain(secret).And.Not.Contain(secret[..8]));
        }
    }

    [Test]
    public async Task Retry_TakesParametersToChange()
    {
        await using var app = new CliApp();
        await app.RunAsync("run", "cli-greet", "--param", "name=Ada");
        var first = (await app.Engine.Store.QueryRunsAsync(new RunQuery { Kind = RunKind.Flow })).Single();

        var retried = await app.RunAsync("retry", first.Id.ToString(), "--param", "times=2", "--no-color");

        Assert.That(retried.ExitCode, Is.EqualTo(ExitCodes.Success), retried.ToString());
        Assert.That(retried.Output, Does.Contain("Result: \"Hello Ada. Hello Ada. \""));
    }

    [Test]
    public async Task Retry_RefusesATaskRun_AnUnknownRun_AndABadId_WithExitCode2()
    {
        await using var app = new CliApp();
        await app.RunAsync("run", "cli-greet", "--param", "name=Ada");
        var task = (await app.Engine.Store.QueryRunsAsync(new RunQuery { Kind = RunKind.Task })).Single();
        var unknown = Guid.CreateVersion7();

        var ofTask = await app.RunAsync("retry", task.Id.ToString());
        var missing = await app.RunAsync("retry", unknown.ToString());
        var bad = await app.RunAsync("retry", "yesterday");

        Assert.That(ofTask.ExitCode, Is.EqualTo(ExitCodes.BadInput), ofTask.ToString());
        Assert.That(ofTask.Error, Does.Contain($"Run {task.Id} is a task run of 'cli-hello', not a flow run: retry its flow run ({task.FlowRunId})"));
        Assert.That(missing.ExitCode, Is.EqualTo(ExitCodes.BadInput));
        Assert.That(missing.Error, Does.Contain($"No run {unknown} in the store"));
        Assert.That(bad.ExitCode, Is.EqualTo(ExitCodes.BadInput));
        Assert.That(bad.Error, Does.Contain("'yesterday' is not a run id"));
    }
}
