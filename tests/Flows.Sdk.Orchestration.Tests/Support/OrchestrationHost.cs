using Flows.Runs;
using Flows.Stores;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace Flows.Orchestration.Tests.Support;

/// <summary>
/// A real host with Flows and orchestration on a SQLite home (run store <c>flows.db</c>, job store <c>quartz.db</c>) in a
/// folder the test owns, driven by a fake clock: what an application gets, restarted as often as a test needs.
/// </summary>
internal sealed class OrchestrationHost : IAsyncDisposable
{
    private OrchestrationHost(IHost host, FakeTimeProvider time, CapturedLog log)
    {
        Host = host;
        Time = time;
        Log = log;
    }

    public IHost Host { get; }

    public FakeTimeProvider Time { get; }

    public CapturedLog Log { get; }

    /// <summary>
    /// The lines orchestration itself logged (category <c>Flows.Orchestration</c>): Quartz's own lines reach the host's
    /// logging with event ids of their own in the same numbers (its scheduler factory logs 4002-4004 at start-up).
    /// </summary>
    public IEnumerable<CapturedLog.Line> Events => Log.Lines.Where(l => l.Category == Logging.OrchestrationLog.Category);

    public FlowEngine Engine => Host.Services.GetRequiredService<FlowEngine>();

    public IDeployments Deployments => Host.Services.GetRequiredService<IDeployments>();

    public IFlowClient Client => Host.Services.GetRequiredService<IFlowClient>();

    /// <summary>
    /// Waits (in real time, bounded) for <paramref name="condition"/>, moving the clock on a second before each look: a
    /// scheduler that found nothing to do waits its idle time on this clock, and work another host queued is seen when it ends.
    /// </summary>
    public Task AdvanceUntilAsync(Func<Task<bool>> condition, string what) =>
        Eventually.UntilAsync(
            async () =>
            {
                Time.Advance(TimeSpan.FromSeconds(1));
                return await condition().ConfigureAwait(false);
            },
            what);

    /// <summary>Builds the host; <paramref name="configure"/> declares its deployments (flow schedules from attributes are off unless it turns them on).</summary>
    public static OrchestrationHost Create(string home, FakeTimeProvider time, Action<OrchestrationOptions> configure, IDictionary<string, string?>? settings = null, Action<IServiceCollection>? services = null)
    {
        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Flows:Home"] = home,
        });
        if (settings is not null)
        {
            builder.Configuration.AddInMemoryCollection(settings);
        }

        var log = new CapturedLog();
        builder.Logging.ClearProviders().AddProvider(log).SetMinimumLevel(LogLevel.Debug);
        builder.Services.AddSingleton<TimeProvider>(time);
        services?.Invoke(builder.Services);
        builder.Services.AddFlows().AddOrchestration(o =>
        {
            o.DeployFlowSchedules = false;
            configure(o);
        });
        return new OrchestrationHost(builder.Build(), time, log);
    }

    /// <summary>Creates and starts a host.</summary>
    public static async Task<OrchestrationHost> StartAsync(string home, FakeTimeProvider time, Action<OrchestrationOptions> configure, IDictionary<string, string?>? settings = null, Action<IServiceCollection>? services = null)
    {
        var host = Create(home, time, configure, settings, services);
        await Eventually.Within(host.Host.StartAsync()).ConfigureAwait(false);
        return host;
    }

    /// <summary>The flow runs of a deployment, oldest slot first.</summary>
    public async Task<IReadOnlyList<RunRecord>> RunsOfAsync(string deployment)
    {
        var runs = await Engine.Store.QueryRunsAsync(new RunQuery { Deployment = deployment, Kind = RunKind.Flow, Limit = 1000 }).ConfigureAwait(false);
        return [.. runs.OrderBy(r => r.ScheduledFor)];
    }

    /// <summary>
    /// Moves the clock to <paramref name="time"/> at once, then waits (in real time, bounded) for <paramref name="condition"/>:
    /// the scheduler's waits are timers on this clock, so they come due at the jump and the firing it leads to runs while
    /// the clock stands still.
    /// </summary>
    public async Task JumpToAsync(DateTimeOffset time, Func<Task<bool>> condition, string what)
    {
        Time.SetUtcNow(time);
        await Eventually.UntilAsync(condition, what).ConfigureAwait(false);
    }

    /// <summary>Waits until the deployment has <paramref name="count"/> runs that ended, and returns them.</summary>
    public async Task<IReadOnlyList<RunRecord>> EndedRunsAsync(string deployment, int count)
    {
        IReadOnlyList<RunRecord> runs = [];
        await Eventually.UntilAsync(async () => (runs = await RunsOfAsync(deployment).ConfigureAwait(false)).Count(r => r.State.IsFinal()) >= count, $"{count} ended runs of {deployment}").ConfigureAwait(false);
        return runs;
    }

    public async ValueTask DisposeAsync()
    {
        await Host.StopAsync().WaitAsync(Eventually.Limit).ConfigureAwait(false);
        Host.Dispose();
    }
}
