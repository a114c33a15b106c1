using Quartz;

namespace Flows.Orchestration.Tests.Signals;

/// <summary>Quartz schedulers built as the host builds its own (standalone builder), for the signal tests.</summary>
internal static class QuartzSchedulers
{
    /// <summary>An in-memory scheduler, not started, with a name of its own.</summary>
    public static async Task<IScheduler> InMemoryAsync() =>
        await QuartzSchedulerBuilder.Create(q =>
        {
            q.ConfigureScheduler(s => s.InstanceName = "signals-" + Guid.NewGuid().ToString("N")[..8]);
            q.UseInMemoryStore();
        }).BuildScheduler().ConfigureAwait(false);

    /// <summary>
    /// A node of a clustered PostgreSQL job store: <paramref name="name"/> is the cluster, <paramref name="instance"/>
    /// this node; Quartz creates its tables in the connection's schema; <paramref name="jobs"/> makes its jobs. Not started.
    /// </summary>
    public static async Task<IScheduler> ClusteredAsync(string connectionString, string name, string instance, TimeSpan idleWait, Quartz.Extensibility.IJobFactory? jobs = null) =>
        await QuartzSchedulerBuilder.Create(q =>
        {
            q.ConfigureScheduler(s =>
            {
                s.InstanceName = name;
                s.InstanceId = instance;
                s.IdleWaitTime = idleWait;
            });
            if (jobs is not null)
            {
                q.UseJobFactory(jobs);
            }

            q.UsePersistentStore(s =>
            {
                s.ProvisionSchema();
                s.UsePostgres(connectionString);
                s.UseClustering(_ => { });
            });
        }).BuildScheduler().ConfigureAwait(false);
}
