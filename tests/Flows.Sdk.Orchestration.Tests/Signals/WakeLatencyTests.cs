using System.Diagnostics;
using Flows.Orchestration.Cluster;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Quartz;

namespace Flows.Orchestration.Tests.Signals;

/// <summary>
/// A one-off job stored by another process of a clustered PostgreSQL job store (as a queued run is) starts at once on an
/// idle replica that is woken, not after the replica's idle wait (set far longer than the test waits).
/// </summary>
[NonParallelizable]
public sealed class WakeLatencyTests
{
    private const int Jobs = 20;
    private static readonly TimeSpan IdleWait = TimeSpan.FromSeconds(60);

    /// <summary>Far below <see cref="IdleWait"/>: a job only the idle wait would find fails the test.</summary>
    private static readonly TimeSpan StartLimit = TimeSpan.FromSeconds(10);

    [Test]
    public async Task AOneOffJobStoredByAnotherProcess_StartsAtOnceOnAWokenIdleReplica()
    {
        var schema = TestPostgres.NewSchemaName("signals_");
        await TestPostgres.ExecuteAsync(TestServices.Postgres, $"CREATE SCHEMA \"{schema}\"");
        var connection = $"{TestServices.Postgres};Search Path={schema}";
        var cluster = "wake-" + schema;
        IScheduler? worker = null;
        IScheduler? client = null;
        try
        {
            var started = new Started();
            worker = await QuartzSchedulers.ClusteredAsync(connection, cluster, "worker", IdleWait, started);
            client = await QuartzSchedulers.ClusteredAsync(connection, cluster, "client", IdleWait);
            await worker.Start();
            await using var workerSignals = Signals(connection, cluster);
            await using var clientSignals = Signals(connection, cluster);
            await Eventually.Within(workerSignals.StartListeningAsync(worker, CancellationToken.None));
            await Eventually.Until(() => workerSignals.Wakes >= 1, "the worker's first wake");

            var latencies = new List<TimeSpan>();
            for (var i = 0; i < Jobs; i++)
            {
                var job = JobBuilder.Create<Started.Job>().WithIdentity("queued-" + i).Build();
                var clock = Stopwatch.StartNew();
                await client.ScheduleJob(job, TriggerBuilder.Create().StartNow().Build());
                await clientSignals.NotifyWorkAsync("default", CancellationToken.None);
                await started.Next(job.Key).WaitAsync(StartLimit);
                latencies.Add(clock.Elapsed);
            }

            latencies.Sort();
            await TestContext.Out.WriteLineAsync($"store-to-start over {Jobs} one-off jobs: p50 {latencies[Jobs / 2].TotalMilliseconds:F0} ms, max {latencies[^1].TotalMilliseconds:F0} ms (idle wait {IdleWait.TotalSeconds} s)");
            Assert.That(latencies[Jobs / 2], Is.LessThan(TimeSpan.FromSeconds(1)), "p50 from storing the job to its start");
        }
        finally
        {
            if (worker is not null)
            {
                await worker.Shutdown(waitForJobsToComplete: false);
            }

            if (client is not null)
            {
                await client.Shutdown(waitForJobsToComplete: false);
            }

            NpgsqlConnection.ClearAllPools();
            await TestPostgres.DropSchemaAsync(TestServices.Postgres, schema);
        }
    }

    private static ClusterSignals Signals(string connection, string cluster) =>
        new(() => (NpgsqlDataSource.Create(connection), cluster + "\nqrtz_"), NullLogger.Instance, TimeProvider.System);

    /// <summary>A job factory whose jobs report their start, by job key.</summary>
    private sealed class Started : Quartz.Extensibility.IJobFactory
    {
        private readonly System.Collections.Concurrent.ConcurrentDictionary<JobKey, TaskCompletionSource> _starts = new();

        public Task Next(JobKey key) => Source(key).Task;

        public ValueTask<Quartz.Extensibility.JobScope> CreateJob(Quartz.Extensibility.TriggerFiredBundle bundle, IScheduler scheduler, CancellationToken cancellationToken) =>
            ValueTask.FromResult(new Quartz.Extensibility.JobScope(new Job(this), null));

        public ValueTask ReturnJob(Quartz.Extensibility.JobScope scope, CancellationToken cancellationToken) => ValueTask.CompletedTask;

        private TaskCompletionSource Source(JobKey key) => _starts.GetOrAdd(key, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));

        public sealed class Job(Started owner) : IJob
        {
            public ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken)
            {
                owner.Source(context.JobDetail.Key).TrySetResult();
                return ValueTask.CompletedTask;
            }
        }
    }
}
