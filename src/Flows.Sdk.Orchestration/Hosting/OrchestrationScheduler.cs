using System.Reflection;
using Flows.Orchestration.Logging;
using Flows.Orchestration.Running;
using Flows.Stores;
using Flows.Stores.Sqlite;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;
using Quartz;

namespace Flows.Orchestration.Hosting;

/// <summary>
/// The host's one Quartz scheduler, built on first use from <see cref="OrchestrationOptions"/> and the host's engine
/// (its clock, its run store to follow), so the hosted service and <see cref="IDeployments"/> share it. Built with
/// Quartz's standalone builder rather than its container registration: its settings depend on the engine's store,
/// known only once the host's services exist, and its jobs run on the host's engine.
/// </summary>
internal sealed class OrchestrationScheduler(IOptions<OrchestrationOptions> options, FlowEngine engine, RunningDeployments running, IServiceProvider services) : IAsyncDisposable, IDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private IScheduler? _scheduler;
    private NpgsqlDataSource? _dataSource;
    private int _shutDown;

    public OrchestrationOptions Options => options.Value;

    /// <summary>The application whose deployments this process reconciles (<see cref="OrchestrationOptions.Application"/>, else the host's application name).</summary>
    public string Application => ApplicationOf(options.Value, services);

    /// <summary>The Quartz scheduler's name: <see cref="OrchestrationOptions.SchedulerName"/>, else <see cref="Application"/>.</summary>
    public string SchedulerName => options.Value.SchedulerName is { Length: > 0 } name ? name : Application;

    public FlowEngine Engine => engine;

    public async Task<IScheduler> GetAsync(CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref _scheduler) is { } built)
        {
            return built;
        }

        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_scheduler is null)
            {
                var o = options.Value;
                var loggerFactory = services.GetService(typeof(ILoggerFactory)) as ILoggerFactory ?? NullLoggerFactory.Instance;
                var logger = loggerFactory.CreateLogger(OrchestrationLog.Category);
                var (provider, connection) = ResolveJobStore(o, engine.Store, services.GetService(typeof(IConfiguration)) as IConfiguration);
                var builder = QuartzSchedulerBuilder.Create(q =>
                {
                    // Quartz's own lines (a job store that cannot be reached, a misfire) go to the host's logging.
                    q.Services.AddLogging(l => l.AddProvider(new HostLoggerProvider(loggerFactory)));
                    q.ConfigureScheduler(s =>
                    {
                        s.InstanceName = SchedulerName;
                        if (provider == JobStoreProvider.PostgreSql && o.JobStore.Clustered)
                        {
                            s.IdleWaitTime = Cluster.ClusterSignals.IdleWaitTime;
                        }
                    });
                    q.UseTimeProvider(engine.TimeProvider);
                    q.UseDefaultThreadPool(o.MaxConcurrentRuns);
                    q.UseJobFactory(new DeploymentJobFactory(engine, running, logger, o.MisfireThreshold));
                    _dataSource = UseJobStore(q, o, engine.Store, services.GetService(typeof(IConfiguration)) as IConfiguration, logger);
                    UseQueues(q, o);
                });
                if (provider == JobStoreProvider.Sqlite)
                {
                    if (o.JobStore.Path is { } path && System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path)) is { Length: > 0 } folder)
                    {
                        // A configured file's folder is made, as the default one is: SQLite would fail with "unable to open".
                        Directory.CreateDirectory(folder);
                    }

                    await UseWriteAheadLogAsync(connection!, cancellationToken).ConfigureAwait(false);
                }

                var scheduler = await builder.BuildScheduler(cancellationToken).ConfigureAwait(false);
                scheduler.ListenerManager.AddTriggerListener(new OverlapListener(logger), [GroupMatcher<TriggerKey>.GroupEquals(JobData.Group)]);
                _scheduler = scheduler;
            }

            return _scheduler;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Shuts the scheduler down once (host stop, then disposal).</summary>
    public async Task ShutdownAsync(bool waitForJobsToComplete, CancellationToken cancellationToken)
    {
        if (_scheduler is { } scheduler && Interlocked.Exchange(ref _shutDown, 1) == 0)
        {
            await scheduler.Shutdown(waitForJobsToComplete, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// For a container disposed synchronously: a started scheduler was shut down by the hosted service's stop already, and
    /// one that was built but never started (a command line listing deployments) runs nothing; shutting it down here
    /// would mean blocking on an asynchronous call.
    /// </summary>
    public void Dispose()
    {
        _dataSource?.Dispose();
        _gate.Dispose();
    }

    public async ValueTask DisposeAsync()
    {
        if (_scheduler is { } scheduler && Interlocked.Exchange(ref _shutDown, 1) == 0)
        {
            await scheduler.Shutdown(waitForJobsToComplete: false).ConfigureAwait(false);
        }

        if (_dataSource is { } dataSource)
        {
            await dataSource.DisposeAsync().ConfigureAwait(false);
        }

        _gate.Dispose();
    }

    internal static string ApplicationOf(OrchestrationOptions o, IServiceProvider services) =>
        o.Application is { Length: > 0 } application ? application
        : (services.GetService(typeof(IHostEnvironment)) as IHostEnvironment)?.ApplicationName is { Length: > 0 } host ? host
        : Assembly.GetEntryAssembly()?.GetName().Name ?? "flows";

    /// <summary>
    /// The job store the options name, else the one that follows the run store (<see cref="JobStoreProvider.Auto"/>).
    /// PostgreSQL with a null connection means the run store's own database, schema and credentials
    /// (<see cref="RunStoreDataSource"/>).
    /// </summary>
    internal static (JobStoreProvider Provider, string? Connection) ResolveJobStore(OrchestrationOptions o, IRunStore runStore, IConfiguration? configuration)
    {
        var store = o.JobStore;
        var provider = store.Provider;
        var followsPostgreSql = runStore is IRunStoreDatabase { DatabaseProduct: "PostgreSql" };
        if (provider == JobStoreProvider.Auto)
        {
            provider = store.Path is not null ? JobStoreProvider.Sqlite
                : runStore switch
                {
                    SqliteRunStore => JobStoreProvider.Sqlite,
                    InMemoryRunStore => JobStoreProvider.Memory,
                    _ when followsPostgreSql || store.ConnectionString is not null || RunStoreConnectionString(configuration) is not null => JobStoreProvider.PostgreSql,
                    _ => throw new InvalidOperationException(
                        $"Orchestration cannot choose a job store to follow the run store {runStore.GetType().Name}: set Flows:Orchestration:JobStore:Provider (Sqlite, PostgreSql or Memory) and its ConnectionString or Path."),
                };
        }

        return provider switch
        {
            JobStoreProvider.Sqlite => (provider, store.ConnectionString ?? $"Data Source={store.Path ?? SqlitePathBeside(runStore)}"),
            JobStoreProvider.PostgreSql => (provider, store.ConnectionString ?? (followsPostgreSql ? null : RunStoreConnectionString(configuration)
                ?? throw new InvalidOperationException("The PostgreSQL job store needs a connection string: set Flows:Orchestration:JobStore:ConnectionString, or use the PostgreSQL run store (AddFlowsPostgreSqlStore) for the job store to share."))),
            JobStoreProvider.Memory => (provider, null),
            _ => throw new InvalidOperationException($"Flows:Orchestration:JobStore:Provider '{provider}' is not valid: expected Auto, Sqlite, PostgreSql or Memory."),
        };
    }

    /// <summary>
    /// A data source on the PostgreSQL run store's database, with its credentials (a password from
    /// <c>Flows:Store:PasswordSecret</c> included) and its schema first on the search path, so Quartz's tables sit beside
    /// the run store's (<see cref="IRunStoreDatabase"/>, a store capability, so this package does not reference
    /// Flows.Sdk.PostgreSql, which an application on SQLite does not need).
    /// </summary>
    internal static NpgsqlDataSource? RunStoreDataSource(IRunStore runStore) =>
        runStore is IRunStoreDatabase { DatabaseProduct: "PostgreSql" } database ? (NpgsqlDataSource)database.CreateDataSource() : null;

    /// <summary>
    /// Switches a SQLite job store's file to write-ahead logging before Quartz opens it (the mode is kept in the file).
    /// Measured with both writers at full speed: in SQLite's default rollback journal Quartz's fires fell to a quarter.
    /// </summary>
    private static async Task UseWriteAheadLogAsync(string connectionString, CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(connectionString);
        await using (connection.ConfigureAwait(false))
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            var command = connection.CreateCommand();
            await using (command.ConfigureAwait(false))
            {
                command.CommandText = "PRAGMA journal_mode=WAL";
                await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private static string? RunStoreConnectionString(IConfiguration? configuration) =>
        configuration?["Flows:Store:ConnectionString"] is { Length: > 0 } cs ? cs : configuration?.GetConnectionString("Flows");

    private static string SqlitePathBeside(IRunStore runStore)
    {
        var folder = runStore is SqliteRunStore sqlite
            ? System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(sqlite.Path))!
            : System.IO.Path.GetDirectoryName(SqliteRunStoreOptions.FromEnvironment().Path)!;
        Directory.CreateDirectory(folder);
        return System.IO.Path.Combine(folder, "quartz.db");
    }

    /// <summary>
    /// The queues this node serves (Quartz execution groups; every one when none is named) and the queues' caps,
    /// counted across the cluster.
    /// </summary>
    private static void UseQueues(IQuartzBuilder q, OrchestrationOptions o)
    {
        if (o.Queues.Count > 0)
        {
            q.ServeExecutionGroups([.. o.Queues.Select(Queueing.QueueNames.Served).Distinct(StringComparer.Ordinal)]);
        }
        else if (o.RefusedQueues.Count > 0)
        {
            q.RefuseExecutionGroups([.. o.RefusedQueues.Select(Queueing.QueueNames.Served).Distinct(StringComparer.Ordinal)]);
        }

        if (o.QueueLimits.Count > 0)
        {
            q.UseExecutionLimits(limits =>
            {
                foreach (var (queue, max) in o.QueueLimits)
                {
                    if (Queueing.QueueNames.ExecutionGroup(queue) is { } group)
                    {
                        limits.ForGroup(group, max, ExecutionLimitScope.Cluster);
                    }
                    else
                    {
                        limits.ForDefaultGroup(max, ExecutionLimitScope.Cluster);
                    }
                }
            });
        }
    }

    /// <summary>
    /// The run store's notion of a live process, for Quartz to follow: this node's instance id is the store's owner id,
    /// it checks in as often as the owner beats, and a node is recovered once it has been silent for the owner's timeout.
    /// </summary>
    private static void FollowRunStore(IQuartzBuilder q, IPersistentStoreBuilder s, IRunStore runStore, ILogger logger)
    {
        if (runStore is not IRunOwners owners)
        {
            // A store without owners: Quartz's own check-ins and a generated instance id.
            s.UseClustering(_ => { });
            return;
        }

        var instanceId = owners.OwnerId.ToString("D");
        q.ConfigureScheduler(options => options.InstanceId = instanceId);
        s.UseClustering(c =>
        {
            c.CheckinInterval = owners.HeartbeatInterval;
            // Quartz takes a node for dead after its check-in interval plus this threshold: the store's timeout in all.
            c.CheckinMisfireThreshold = CheckinMisfireThreshold(owners);
        });
        logger.FollowsRunStore(instanceId, owners.HeartbeatInterval, owners.HeartbeatInterval + CheckinMisfireThreshold(owners));
    }

    /// <summary>
    /// The check-in misfire threshold that makes Quartz's "a node is gone" the store's: interval plus threshold is the
    /// heartbeat timeout (at least one interval of threshold, so a store whose timeout is hardly longer than its beat
    /// does not have Quartz write off a node for one late check-in).
    /// </summary>
    internal static TimeSpan CheckinMisfireThreshold(IRunOwners owners) =>
        owners.HeartbeatTimeout - owners.HeartbeatInterval is var rest && rest >= owners.HeartbeatInterval ? rest : owners.HeartbeatInterval;

    /// <summary>Configures the job store; returns the data source it made for Quartz (to dispose with the scheduler), if any.</summary>
    private static NpgsqlDataSource? UseJobStore(IQuartzBuilder q, OrchestrationOptions o, IRunStore runStore, IConfiguration? configuration, ILogger logger)
    {
        var (provider, connection) = ResolveJobStore(o, runStore, configuration);
        if (provider == JobStoreProvider.Memory)
        {
            q.UseInMemoryStore(m => m.MisfireThreshold = o.MisfireThreshold);
            return null;
        }

        var dataSource = provider == JobStoreProvider.PostgreSql && connection is null ? RunStoreDataSource(runStore) : null;

        q.UsePersistentStore(s =>
        {
            s.ConfigureStore(a =>
            {
                a.TablePrefix = o.JobStore.TablePrefix;
                a.MisfireThreshold = o.MisfireThreshold;
            });
            s.ProvisionSchema();
            if (provider == JobStoreProvider.PostgreSql)
            {
                if (dataSource is not null)
                {
                    s.UsePostgres(d => d.DataSourceFactory = _ => dataSource);
                }
                else
                {
                    s.UsePostgres(connection!);
                }

                if (o.JobStore.Clustered)
                {
                    FollowRunStore(q, s, runStore, logger);
                }
            }
            else
            {
                s.UseSqlite(connection!);
            }
        });
        return dataSource;
    }
}
