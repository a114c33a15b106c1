using Flows.Notifications.Delivery;
using Flows.Notifications.Rules;
using Flows.Runs;
using Flows.Stores;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Flows.Notifications.Tests.Delivery;

/// <summary>A notification processor over a run store, on a fake clock, with recording channels: the tests write runs and tick.</summary>
internal sealed class ProcessorHarness
{
    public ProcessorHarness(Action<NotificationsOptions> configure, IRunStore? store = null, FakeTimeProvider? time = null, params string[] channels)
    {
        Time = time ?? new FakeTimeProvider(new DateTimeOffset(2026, 12, 1, 8, 0, 0, TimeSpan.Zero));
        Store = store ?? new InMemoryRunStore(Time);
        Channels = channels.ToDictionary(c => c, c => new RecordingChannel(c));
        Options = new NotificationsOptions();
        foreach (var channel in Channels.Values)
        {
            Options.Channel(channel);
        }

        configure(Options);
        Processor = new NotificationProcessor(Store, NotificationRules.Create(Options, []), Options, Time, s => s, NullLogger.Instance);
    }

    public FakeTimeProvider Time { get; }

    public IRunStore Store { get; }

    public NotificationsOptions Options { get; }

    public NotificationProcessor Processor { get; }

    public IReadOnlyDictionary<string, RecordingChannel> Channels { get; }

    public RecordingChannel this[string channel] => Channels[channel];

    public Task TickAsync() => Processor.TickAsync(CancellationToken.None);

    /// <summary>Stores a flow run that ended in <paramref name="state"/> now, or <paramref name="endedAgo"/> (its end recorded late).</summary>
    public async Task<RunRecord> EndedAsync(string flow, RunState state, string? deployment = null, string? error = null, TimeSpan? endedAgo = null)
    {
        var now = Time.GetUtcNow() - (endedAgo ?? TimeSpan.Zero);
        var run = new RunRecord
        {
            Id = Guid.CreateVersion7(),
            Kind = RunKind.Flow,
            Name = flow,
            State = state,
            Attempt = 1,
            Deployment = deployment,
            Error = error ?? (state.IsSuccess() ? null : $"{flow} went wrong\nat line 2\nat line 3"),
            Parameters = """{"region":"north"}""",
            CreatedAt = now - TimeSpan.FromSeconds(30),
            StartedAt = now - TimeSpan.FromSeconds(20),
            EndedAt = now,
        };
        await Store.SaveRunAsync(run);
        return run;
    }

    /// <summary>Stores a flow run in a state it has not left: Scheduled for <paramref name="at"/>, or Running since it.</summary>
    public async Task<RunRecord> OpenAsync(string flow, RunState state, DateTimeOffset at, string? deployment = null)
    {
        var run = new RunRecord
        {
            Id = Guid.CreateVersion7(),
            Kind = RunKind.Flow,
            Name = flow,
            State = state,
            Deployment = deployment,
            ScheduledFor = state == RunState.Scheduled ? at : null,
            CreatedAt = at - TimeSpan.FromMinutes(1),
            StartedAt = state == RunState.Running ? at : null,
        };
        await Store.SaveRunAsync(run);
        return run;
    }

    /// <summary>The notifications recorded about <paramref name="run"/>.</summary>
    public Task<IReadOnlyList<NotificationRecord>> RecordsAsync(RunRecord run) => Processor.Store.GetNotificationsAsync(run.Id);
}
