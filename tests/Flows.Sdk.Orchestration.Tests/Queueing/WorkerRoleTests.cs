using System.Text;
using Flows.Orchestration.Tests.Fixtures;
using Flows.Orchestration.Tests.Support;
using Flows.Runs;
using Flows.Secrets;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Quartz;

namespace Flows.Orchestration.Tests.Queueing;

/// <summary>What a replica does by configuration (Schedules, Works, Queues, QueueLimits), and queued runs that end before they start.</summary>
public sealed class WorkerRoleTests
{
    private static readonly DateTimeOffset Start = new(2026, 1, 5, 10, 0, 30, TimeSpan.Zero);

    private static void Hourly(OrchestrationOptions o) => o.Deploy("role-hourly", "orch-record", d => d.Cron("0 * * * *").Parameters(new { label = "role-hourly" }));

    private static Dictionary<string, string?> Settings(bool schedules, bool works) => new()
    {
        ["Flows:Orchestration:Schedules"] = schedules ? "true" : "false",
        ["Flows:Orchestration:Works"] = works ? "true" : "false",
    };

    private static async Task<bool> QuartzStartedAsync(OrchestrationHost host) =>
        (await host.Host.Services.GetRequiredService<Flows.Orchestration.Hosting.OrchestrationScheduler>().GetAsync(CancellationToken.None)).Status == SchedulerStatus.Running;

    [Test]
    public async Task AClientOnlyProcess_StartsNothing_WritesNoDeployment_AndQueuesRuns()
    {
        using var home = TempFolder.Create();
        await using var client = await OrchestrationHost.StartAsync(home.Path, new FakeTimeProvider(Start), Hourly, Settings(schedules: false, works: false));

        var runId = await client.Client.EnqueueAsync("orch-record", new { label = "from-a-client" });

        Assert.Multiple(async () =>
        {
            Assert.That(await QuartzStartedAsync(client), Is.False);
            Assert.That(await client.Deployments.ListAsync(), Is.Empty, "reconcile is the owner's");
            Assert.That((await client.Client.GetRunAsync(runId))!.State, Is.EqualTo(RunState.Scheduled));
        });
    }

    [Test]
    public async Task ASchedulerOnlyProcess_KeepsTheDeploymentsCurrent_AndRunsNothing()
    {
        using var home = TempFolder.Create();
        await using var scheduler = await OrchestrationHost.StartAsync(home.Path, new FakeTimeProvider(Start), Hourly, Settings(schedules: true, works: false));

        Assert.Multiple(async () =>
        {
            Assert.That(await QuartzStartedAsync(scheduler), Is.False);
            Assert.That((await scheduler.Deployments.ListAsync()).Select(d => d.Name), Is.EqualTo(new[] { "role-hourly" }));
        });
    }

    [Test]
    public async Task AWorkerOnlyProcess_RunsWhatTheStoreHolds_WithoutWritingItsOwnDeployments()
    {
        using var home = TempFolder.Create();
        var time = new FakeTimeProvider(Start);
        await using var client = await OrchestrationHost.StartAsync(home.Path, time, _ => { }, Settings(schedules: false, works: false));
        var runId = await client.Client.EnqueueAsync("orch-record", new { label = "worker-only" });

        await using var worker = await OrchestrationHost.StartAsync(home.Path, time, Hourly, Settings(schedules: false, works: true));
        await worker.AdvanceUntilAsync(async () => (await worker.Client.GetRunAsync(runId))?.State == RunState.Completed, "the worker to run the queued run");

        Assert.That(await worker.Deployments.ListAsync(), Is.Empty);
    }

    [Test]
    public async Task CancellingAQueuedRunNotStarted_EndsItCancelled_AndNoWorkerRunsIt()
    {
        using var home = TempFolder.Create();
        var time = new FakeTimeProvider(Start);
        await using var client = await OrchestrationHost.StartAsync(home.Path, time, _ => { }, Settings(schedules: false, works: false));
        var cancelled = await client.Client.EnqueueAsync("orch-record", new { label = "cancelled-in-queue" });
        var kept = await client.Client.EnqueueAsync("orch-record", new { label = "kept-in-queue" });

        var answer = await client.Client.CancelAsync(cancelled);
        var jobs = QuartzTables.Rows(home.File("quartz.db"), "job_details");
        await using var worker = await OrchestrationHost.StartAsync(home.Path, time, _ => { });
        await worker.AdvanceUntilAsync(async () => (await worker.Client.GetRunAsync(kept))?.State == RunState.Completed, "the run queued after it");
        var run = (await client.Client.GetRunAsync(cancelled))!;

        Assert.Multiple(() =>
        {
            Assert.That(answer, Is.True);
            Assert.That(run.State, Is.EqualTo(RunState.Cancelled));
            Assert.That(run.StartedAt, Is.Null);
            Assert.That(Scheduled.Calls, Does.Not.Contain("cancelled-in-queue"));
            Assert.That(jobs, Has.Count.EqualTo(1).And.None.Contains(cancelled.ToString("D")), "its job is deleted at once, the other's kept");
        });
    }

    [Test]
    public async Task AQueuedRunOfAFlowWithASecret_LeavesTheSecretInNoStoreFileAndNoLogLine()
    {
        const string Key = "orch-Queued-Secret-8e2f-never-shown";
        using var home = TempFolder.Create();
        RunRecord run;
        CapturedLog log;
        FlowParameterException refused;
        await using (var host = await OrchestrationHost.StartAsync(home.Path, new FakeTimeProvider(Start), _ => { },
            services: s => s.AddSingleton<ISecretProvider>(new InlineSecretProvider([new("orch-api-key", Key)]))))
        {
            refused = Assert.ThrowsAsync<FlowParameterException>(() => host.Client.EnqueueAsync("orch-secret-leak", new { apiKey = Key }))!;
            var runId = await host.Client.EnqueueAsync("orch-secret-leak", new { label = "queued-leaky" }, queue: "secrets");
            run = await Eventually.Within(host.Client.WaitAsync(runId));
            await host.Engine.FlushAsync();
            log = host.Log;
        }

        var files = Directory.GetFiles(home.Path, "*", SearchOption.AllDirectories);
        Assert.Multiple(() =>
        {
            Assert.That(run.State, Is.EqualTo(RunState.Failed), "the flow ran with the secret and failed as written");
            Assert.That(run.Error, Does.Contain("The API rejected key ***"));
            Assert.That(refused.Message, Does.Not.Contain(Key), "a secret given as a parameter is refused without repeating it");
            foreach (var file in files)
            {
                Assert.That(Encoding.UTF8.GetString(File.ReadAllBytes(file)), Does.Not.Contain(Key), $"{Path.GetFileName(file)} holds the secret");
            }

            Assert.That(log.Texts.Where(t => t.Contains(Key, StringComparison.Ordinal)), Is.Empty, "log lines, Quartz's included");
        });
    }

    [Test]
    public async Task ADeploymentsQueue_IsItsTriggersExecutionGroup_AndMovingItRewritesThem()
    {
        using var home = TempFolder.Create();
        var time = new FakeTimeProvider(Start);
        static Action<OrchestrationOptions> In(string queue) => o => o.Deploy("queued-hourly", "orch-record", d => d.Cron("0 * * * *").Queue(queue));

        await (await OrchestrationHost.StartAsync(home.Path, time, In("reports-q"))).DisposeAsync();
        var before = QuartzTables.Rows(home.File("quartz.db"), "triggers");
        await (await OrchestrationHost.StartAsync(home.Path, time, In("exports-q"))).DisposeAsync();
        var after = QuartzTables.Rows(home.File("quartz.db"), "triggers");

        Assert.Multiple(() =>
        {
            Assert.That(before, Has.Count.EqualTo(1).And.Some.Contains("=reports-q |"));
            Assert.That(after, Has.Count.EqualTo(1).And.Some.Contains("=exports-q |"));
        });
    }

    [Test]
    public async Task AQueuedRunOfAFlowThisReplicaDoesNotHave_EndsCancelledSayingWhy_InsteadOfWaitingForEver()
    {
        using var home = TempFolder.Create();
        var time = new FakeTimeProvider(Start);
        await using var host = await OrchestrationHost.StartAsync(home.Path, time, _ => { });
        // Queued by a replica of a newer build, whose code declares a flow this one does not.
        var runId = Guid.CreateVersion7();
        await host.Engine.Store.TryCreateRunAsync(new RunRecord { Id = runId, Kind = RunKind.Flow, Name = "orch-newer-flow", State = RunState.Scheduled, CreatedAt = time.GetUtcNow() });
        var job = JobBuilder.Create<Flows.Orchestration.Queueing.QueuedRunJob>()
            .WithIdentity(Flows.Orchestration.Queueing.QueuedRuns.JobKey(runId))
            .RequestRecovery()
            .UsingJobData(Flows.Orchestration.Queueing.QueuedRuns.Flow, "orch-newer-flow")
            .UsingJobData(Flows.Orchestration.Queueing.QueuedRuns.Parameters, "{}")
            .UsingJobData(Flows.Orchestration.Queueing.QueuedRuns.Queue, "default")
            .Build();
        var scheduler = await host.Host.Services.GetRequiredService<Flows.Orchestration.Hosting.OrchestrationScheduler>().GetAsync(CancellationToken.None);
        await scheduler.ScheduleJob(job, Flows.Orchestration.Queueing.QueuedRuns.Trigger(runId, "default", time), new ScheduleJobOptions());

        await host.AdvanceUntilAsync(async () => (await host.Client.GetRunAsync(runId))?.State.IsFinal() == true, "the run to end");
        var run = (await host.Client.GetRunAsync(runId))!;

        Assert.Multiple(() =>
        {
            Assert.That(run.State, Is.EqualTo(RunState.Cancelled));
            Assert.That(run.Error, Does.Contain("queue default").And.Contain("orch-newer-flow"));
            Assert.That(host.Events.Select(e => e.EventId), Does.Contain(Logging.OrchestrationEventIds.QueuedRunNotStarted));
        });
    }

    [Test]
    public void BadQueueSettings_FailWithEveryKeyNamed()
    {
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Flows:Orchestration:Queues:0"] = "fine",
            ["Flows:Orchestration:Queues:1"] = "not fine",
            ["Flows:Orchestration:QueueLimits:heavy"] = "-1",
            ["Flows:Orchestration:RefusedQueues:0"] = "heavy",
        }).Build());
        services.AddFlows().AddOrchestration(o => o.QueueLimits["*"] = 2);
        using var provider = services.BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => _ = provider.GetRequiredService<IOptions<OrchestrationOptions>>().Value)!;

        Assert.That(error.Failures, Is.EqualTo(new[]
        {
            "Flows:Orchestration:Queues:1: a queue name of ASCII letters, digits, '-', '_', '.' and ':', starting with a letter or digit, was expected; it is 'not fine'",
            "Flows:Orchestration:RefusedQueues: the queues to serve (Queues) or the queues to refuse (RefusedQueues) were expected, not both",
            "Flows:Orchestration:QueueLimits:heavy: a number of runs at once, 0 or more (0 holds the queue) was expected; it is -1",
            "Flows:Orchestration:QueueLimits:*: a queue name of ASCII letters, digits, '-', '_', '.' and ':', starting with a letter or digit, was expected; it is '*'",
        }));
    }

    [Test]
    public void ADeploymentInABadQueue_StopsStartUp_NamingItsQueue()
    {
        var error = Assert.Throws<DeploymentException>(() => Flows.Orchestration.Deployments.DeploymentValidation.Validate(
            new OrchestrationOptions { DeployFlowSchedules = false }.Deploy("bad-queue", "orch-record", d => d.Cron("0 * * * *").Queue("{tenant}"))))!;

        Assert.That(error.Errors.Single(), Has.Property("Field").EqualTo("Queue").And.Property("Problem").Contains("'{tenant}'"));
    }
}
