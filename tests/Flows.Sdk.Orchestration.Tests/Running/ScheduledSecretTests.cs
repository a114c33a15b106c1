using System.Text;
using Flows.Orchestration.Tests.Support;
using Flows.Runs;
using Flows.Secrets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Flows.Orchestration.Tests.Running;

/// <summary>No secret, ever, on what scheduling adds: the job store file, the run store file, the host's log (Quartz's lines included) and start-up errors.</summary>
public sealed class ScheduledSecretTests
{
    private const string Key = "orch-Secret-5d1c-never-shown";

    [Test]
    public async Task AScheduledRunThatLeaksItsSecret_LeavesItInNoStoreFileAndNoLogLine()
    {
        using var home = TempFolder.Create();
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 5, 10, 0, 30, TimeSpan.Zero));
        var slot = new DateTimeOffset(2026, 1, 5, 10, 1, 0, TimeSpan.Zero);
        RunRecord run;
        CapturedLog log;
        await using (var host = await OrchestrationHost.StartAsync(
            home.Path,
            time,
            o => o.Deploy("secret-minutely", "orch-secret-leak", d => d.Cron("* * * * *").Parameters(new { label = "leaky" })),
            services: s => s.AddSingleton<ISecretProvider>(new InlineSecretProvider([new("orch-api-key", Key)]))))
        {
            await host.JumpToAsync(slot.AddMilliseconds(200), async () => (await host.RunsOfAsync("secret-minutely")).Any(r => r.State.IsFinal()), "the slot's run");
            await host.Engine.FlushAsync();
            run = (await host.RunsOfAsync("secret-minutely")).Single();
            log = host.Log;
        }

        var files = Directory.GetFiles(home.Path, "*", SearchOption.AllDirectories);
        Assert.Multiple(() =>
        {
            Assert.That(run.State, Is.EqualTo(RunState.Failed), "the flow ran with the secret and failed as written");
            Assert.That(run.Error, Does.Contain("The API rejected key ***"));
            Assert.That(files.Select(Path.GetFileName), Has.Some.EqualTo("quartz.db").And.Some.EqualTo("flows.db"));
            foreach (var file in files)
            {
                Assert.That(Contains(File.ReadAllBytes(file), Key), Is.False, $"{Path.GetFileName(file)} holds the secret");
            }

            Assert.That(log.Texts, Has.Some.Contains("Calling the API with ***"), "the flow's lines reached the host's log, masked");
            Assert.That(log.Texts.Where(t => t.Contains(Key, StringComparison.Ordinal)), Is.Empty, "log lines, Quartz's included");
        });
    }

    [Test]
    public void ADeploymentGivingASecretParameterInCode_StopsStartUp_WithoutRepeatingTheValue()
    {
        using var home = TempFolder.Create();
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 5, 10, 0, 30, TimeSpan.Zero));
        var host = OrchestrationHost.Create(home.Path, time, o => o.Deploy("secret-in-code", "orch-secret-leak", d => d.Cron("0 6 * * *").Parameters(new { apiKey = Key })));
        try
        {
            var error = Assert.ThrowsAsync<DeploymentException>(() => host.Host.StartAsync())!;

            Assert.Multiple(() =>
            {
                Assert.That(error.Message, Does.Contain("secret-in-code").And.Contain("apiKey"), "names the deployment and the parameter");
                Assert.That(error.ToString(), Does.Not.Contain(Key));
                Assert.That(host.Log.Texts.Where(t => t.Contains(Key, StringComparison.Ordinal)), Is.Empty);
            });
        }
        finally
        {
            host.Host.Dispose();
        }
    }

    private static bool Contains(byte[] haystack, string text) =>
        haystack.AsSpan().IndexOf(Encoding.UTF8.GetBytes(text)) >= 0 || haystack.AsSpan().IndexOf(Encoding.Unicode.GetBytes(text)) >= 0;
}
