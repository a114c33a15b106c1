using System.Globalization;
using System.Text.Json;
using Flows.Cli.Tests.Support;

namespace Flows.Cli.Tests.Commands;

/// <summary>
/// The verbs the other child-process tests do not start (run, retry, deployments, backfill, prune, doctor), each
/// as its own process beside a serving one, as an operator would type them: exit codes and <c>--json</c> read back.
/// </summary>
public sealed class VerbsChildProcessTests
{
    private const string Key = "cli-Child-Secret-5a1e-never-printed";

    private static readonly Dictionary<string, string> Environment = new() { ["CLI_API_KEY"] = Key };

    [Test]
    public async Task EachVerb_AsItsOwnProcess_ExitsAsDocumented_AndAnswersJson()
    {
        using var home = TempFolder.Create("flows-cli-verbs-");
        using var server = CliProcess.Start(home.Path, Environment, "serve");
        await server.WaitForLineAsync("Application started");
        var results = new List<CliResult>();
        async Task<JsonElement> Json(int exitCode, params string[] args)
        {
            var result = await CliProcess.RunAsync(home.Path, Environment, args);
            results.Add(result);
            Assert.That(result.ExitCode, Is.EqualTo(exitCode), $"flows {string.Join(' ', args)}\n{result}");
            using var document = JsonDocument.Parse(result.Output);
            return document.RootElement.Clone();
        }

        try
        {
            var ran = await Json(ExitCodes.Success, "run", "cli-secret", "--param", "label=child", "--json");
            var runId = ran.GetProperty("id").GetString()!;
            var retried = await Json(ExitCodes.Success, "retry", runId, "--json");
            var failed = await Json(ExitCodes.RunNotCompleted, "run", "cli-fail", "--param", "reason=on purpose", "--json");
            var paused = await Json(ExitCodes.Success, "deployments", "pause", "cli-greet-daily", "--reason", "checking", "--json");
            var now = DateTimeOffset.UtcNow;
            var backfill = await Json(
                ExitCodes.Success,
                "backfill", "cli-greet-daily",
                "--from", now.AddDays(-3).ToString("yyyy-MM-dd'T'HH:mm'Z'", CultureInfo.InvariantCulture),
                "--to", now.AddDays(-1).ToString("yyyy-MM-dd'T'HH:mm'Z'", CultureInfo.InvariantCulture),
                "--json");
            var resumed = await Json(ExitCodes.Success, "deployments", "resume", "cli-greet-daily", "--json");
            var pruned = await Json(ExitCodes.Success, "prune", "--older-than", "1d", "--dry-run", "--json");
            var doctor = await Json(ExitCodes.Success, "doctor", "--json");

            Assert.Multiple(() =>
            {
                Assert.That(ran.GetProperty("state").GetString(), Is.EqualTo("Completed"));
                Assert.That(retried.GetProperty("state").GetString(), Is.EqualTo("Completed"));
                Assert.That(retried.GetProperty("id").GetString(), Is.Not.EqualTo(runId), "a retry is a new run");
                Assert.That(failed.GetProperty("state").GetString(), Is.EqualTo("Failed"));
                Assert.That(paused.GetProperty("paused").GetBoolean(), Is.True);
                Assert.That(backfill.GetProperty("slots").GetArrayLength(), Is.EqualTo(2), "06:00 UTC on two of the three days");
                Assert.That(resumed.GetProperty("paused").GetBoolean(), Is.False);
                Assert.That(pruned.GetProperty("dryRun").GetBoolean(), Is.True);
                Assert.That(doctor.GetProperty("healthy").GetBoolean(), Is.True);
                Assert.That(results.Select(r => r.Error), Has.None.Contain(Key), "a secret in any process's output");
            });
        }
        finally
        {
            server.Signal(ChildProcess.SigTerm);
            Assert.That(await server.WaitForExitAsync(), Is.EqualTo(ExitCodes.Success), server.Transcript);
            Assert.That(server.Transcript, Does.Not.Contain(Key), "the secret in the serving process's output");
        }
    }
}
