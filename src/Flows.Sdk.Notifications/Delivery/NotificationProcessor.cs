using System.Globalization;
using Flows.Notifications.Channels;
using Flows.Notifications.Logging;
using Flows.Notifications.Rules;
using Flows.Runs;
using Flows.Stores;
using Microsoft.Extensions.Logging;

namespace Flows.Notifications.Delivery;

/// <summary>
/// Reads run events from the run store and notifies them: one tick (<see cref="TickAsync"/>) reads the flow runs that
/// ended since the last one, Late and Stalled runs and Silent deployments, matches them against the rules, claims each
/// event once through <see cref="INotificationStore"/> (of every process sharing the store, the one whose claim wins
/// sends), groups further events of an incident, and delivers what is due, retrying with backoff. It only reads the
/// store: a run never waits for a notification.
/// </summary>
internal sealed class NotificationProcessor
{
    /// <summary>The most runs of one kind a tick reads.</summary>
    internal const int ReadLimit = 1000;

    private const RunEvent EndedEvents = RunEvent.AnyFailure | RunEvent.Cancelled | RunEvent.Completed | RunEvent.Recovered;

    private readonly IRunStore _runs;
    private readonly INotificationStore _notifications;
    private readonly NotificationRules _rules;
    private readonly NotificationsOptions _options;
    private readonly TimeProvider _time;
    private readonly Func<string, string> _redact;
    private readonly ILogger _logger;
    private readonly Guid _ownerId;
    private readonly DateTimeOffset _watchingSince;
    private readonly List<Delivery> _pending = [];
    private readonly Dictionary<(Guid, RunState), DateTimeOffset> _seen = [];
    private DateTimeOffset _since;

    public NotificationProcessor(IRunStore runs, NotificationRules rules, NotificationsOptions options, TimeProvider time, Func<string, string> redact, ILogger logger)
    {
        _runs = runs;
        _rules = rules;
        _options = options;
        _time = time;
        _redact = redact;
        _logger = logger;
        _ownerId = runs is IRunOwners owners ? owners.OwnerId : Guid.CreateVersion7();
        if (runs is INotificationStore shared)
        {
            _notifications = shared;
        }
        else
        {
            _notifications = new LocalNotificationStore();
            NotificationLog.StoreNotShared(logger, runs.GetType().Name);
        }

        _watchingSince = time.GetUtcNow();

        // Runs that ended shortly before this process started are read too (a restart loses nothing); those another
        // process, or this one before it restarted, notified already are skipped by their claim.
        _since = _watchingSince - options.GroupingWindow;
    }

    /// <summary>Where this process records notifications: the run store, or one of its own when the run store keeps none.</summary>
    internal INotificationStore Store => _notifications;

    /// <summary>Deliveries waiting (claimed by this process, not sent yet).</summary>
    internal int PendingCount => _pending.Count;

    /// <summary>When the next delivery is due, or null when none waits.</summary>
    internal DateTimeOffset? NextDeliveryAt => _pending.Count == 0 ? null : _pending.Min(d => d.Record.NextAttemptAt ?? _time.GetUtcNow());

    /// <summary>Reads events, takes over abandoned notifications, and delivers what is due.</summary>
    public async Task TickAsync(CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        var since = _since;
        var ended = await ReadEndedRunsAsync(now, cancellationToken).ConfigureAwait(false);
        await ReadOpenRunsAsync(now, since, ended, cancellationToken).ConfigureAwait(false);
        await ReadSilentDeploymentsAsync(now, cancellationToken).ConfigureAwait(false);
        await TakeOverAsync(cancellationToken).ConfigureAwait(false);
        await DeliverDueAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Delivers the notifications whose attempt is due.</summary>
    public async Task DeliverDueAsync(CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        var due = _pending.Where(d => (d.Record.NextAttemptAt ?? now) <= now).ToList();

        // One channel after another would let a webhook that hangs until its timeout hold up every mail: each channel's
        // deliveries go in order, the channels side by side.
        await Task.WhenAll(due.GroupBy(d => d.Record.Channel, StringComparer.Ordinal).Select(channel => DeliverInOrderAsync(channel, cancellationToken))).ConfigureAwait(false);
    }

    private async Task DeliverInOrderAsync(IEnumerable<Delivery> deliveries, CancellationToken cancellationToken)
    {
        foreach (var delivery in deliveries)
        {
            await AttemptAsync(delivery, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Replaces <paramref name="delivery"/> among the pending by <paramref name="next"/> (null: it is done); deliveries of several channels end at once.</summary>
    private void Settle(Delivery delivery, Delivery? next)
    {
        lock (_pending)
        {
            _pending.Remove(delivery);
            if (next is not null)
            {
                _pending.Add(next);
            }
        }
    }

    /// <summary>Notifies the flow runs that ended since the last read; returns them.</summary>
    private async Task<List<RunRecord>> ReadEndedRunsAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (!_rules.Rules.Any(r => (r.Rule.Events & (EndedEvents | RunEvent.Late)) != 0))
        {
            return [];
        }

        var ended = new List<RunRecord>();
        var query = new RunQuery { Kind = RunKind.Flow, EndedAfter = _since, Limit = ReadLimit };
        while (true)
        {
            var page = await _runs.QueryRunPageAsync(query, cancellationToken).ConfigureAwait(false);
            ended.AddRange(page.Runs.Where(r => r.ParentRunId is null && r.State.IsFinal() && r.EndedAt is not null));
            if (page.NextPageToken is not { } next)
            {
                break;
            }

            query = query with { PageToken = next };
        }

        // Oldest first: a failure is grouped or notified before the completion that recovers from it.
        foreach (var run in ended.OrderBy(r => r.EndedAt).ThenBy(r => r.Id))
        {
            if (!_seen.TryAdd((run.Id, run.State), run.EndedAt!.Value))
            {
                continue;
            }

            var kind = EventOf(run.State);
            foreach (var rule in _rules.Rules.Where(r => r.Watches(run)))
            {
                if (rule.Rule.Events.HasFlag(kind))
                {
                    await RaiseAsync(rule, kind, run, null, now, cancellationToken).ConfigureAwait(false);
                }

                if (kind == RunEvent.Completed && rule.Rule.Events.HasFlag(RunEvent.Recovered))
                {
                    await RecoverAsync(rule, run, now, cancellationToken).ConfigureAwait(false);
                }
            }
        }

        // Read again ReadBack (or a poll interval, if longer) back next time: a run whose end was committed late (the
        // engine holding its writes through a store outage) or stamped by a clock behind this one's is still seen; the
        // runs seen already are skipped here, and those another process notified by their claim.
        _since = now - (_options.ReadBack > _options.PollInterval ? _options.ReadBack : _options.PollInterval);
        foreach (var key in _seen.Where(s => s.Value < _since).Select(s => s.Key).ToList())
        {
            _seen.Remove(key);
        }

        return ended;
    }

    private async Task ReadOpenRunsAsync(DateTimeOffset now, DateTimeOffset since, List<RunRecord> ended, CancellationToken cancellationToken)
    {
        var late = _rules.Rules.Where(r => r.Rule.Events.HasFlag(RunEvent.Late)).ToList();
        IReadOnlyList<RunRecord> running = [];
        if (late.Count > 0 || _rules.Rules.Any(r => r.Rule.Events.HasFlag(RunEvent.Stalled)))
        {
            running = await _runs.QueryRunsAsync(new RunQuery { Kind = RunKind.Flow, State = RunState.Running, Limit = ReadLimit }, cancellationToken).ConfigureAwait(false);
        }

        if (late.Any(r => r.Rule.LateAfter is null))
        {
            await ReadStartedLateAsync(now, since, ended.Concat(running), late, cancellationToken).ConfigureAwait(false);
        }

        if (late.Any(r => r.Rule.LateAfter is not null))
        {
            var waiting = new List<RunRecord>();
            foreach (var state in new[] { RunState.Scheduled, RunState.Late })
            {
                waiting.AddRange(await _runs.QueryRunsAsync(new RunQuery { Kind = RunKind.Flow, State = state, Limit = ReadLimit }, cancellationToken).ConfigureAwait(false));
            }

            foreach (var rule in late.Where(r => r.Rule.LateAfter is not null))
            {
                foreach (var run in waiting.Where(r => rule.Watches(r) && IsLate(rule.Rule, r, now)))
                {
                    await RaiseAsync(rule, RunEvent.Late, run, null, now, cancellationToken).ConfigureAwait(false);
                }
            }
        }

        var stalled = _rules.Rules.Where(r => r.Rule.Events.HasFlag(RunEvent.Stalled)).ToList();
        if (stalled.Count > 0)
        {
            foreach (var rule in stalled)
            {
                foreach (var run in running.Where(r => r.ParentRunId is null && rule.Watches(r) && r.StartedAt + rule.Rule.RunningLongerThan <= now))
                {
                    await RaiseAsync(rule, RunEvent.Stalled, run, null, now, cancellationToken).ConfigureAwait(false);
                }
            }
        }
    }

    private static bool IsLate(NotificationRule rule, RunRecord run, DateTimeOffset now) => run.ScheduledFor + rule.LateAfter <= now;

    /// <summary>
    /// For rules with no threshold of their own: the scheduled runs that started since the last read with a Late
    /// transition (their deployment's threshold was passed when they started).
    /// </summary>
    private async Task ReadStartedLateAsync(DateTimeOffset now, DateTimeOffset since, IEnumerable<RunRecord> started, List<CompiledRule> late, CancellationToken cancellationToken)
    {
        var rules = late.Where(r => r.Rule.LateAfter is null).ToList();
        foreach (var run in started.Where(r => r.ScheduledFor is not null && r.StartedAt >= since && r.ParentRunId is null).DistinctBy(r => r.Id))
        {
            var watching = rules.Where(r => r.Watches(run)).ToList();
            if (watching.Count == 0)
            {
                continue;
            }

            var transitions = await _runs.GetTransitionsAsync(run.Id, cancellationToken).ConfigureAwait(false);
            if (!transitions.Any(t => t.State == RunState.Late))
            {
                continue;
            }

            foreach (var rule in watching)
            {
                await RaiseAsync(rule, RunEvent.Late, run, null, now, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private async Task ReadSilentDeploymentsAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        foreach (var rule in _rules.Rules.Where(r => r.Rule.NotSucceededWithin is not null && r.Rule.Events.HasFlag(RunEvent.Silent)))
        {
            var (deployment, window) = rule.Rule.NotSucceededWithin!.Value;
            var last = (await _runs.QueryRunsAsync(new RunQuery { Kind = RunKind.Flow, Deployment = deployment, State = RunState.Completed, Limit = 1 }, cancellationToken).ConfigureAwait(false)).FirstOrDefault();
            var since = last?.EndedAt ?? _watchingSince;
            if (since + window <= now)
            {
                // One event per silence: keyed by the last completion (or none), so every process names it alike.
                var silence = last?.EndedAt is { } at ? at.UtcTicks.ToString(CultureInfo.InvariantCulture) : "never";
                await RaiseAsync(rule, RunEvent.Silent, last, (deployment, silence, now - since), now, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private static RunEvent EventOf(RunState state) => state switch
    {
        RunState.Failed => RunEvent.Failed,
        RunState.Crashed => RunEvent.Crashed,
        RunState.TimedOut => RunEvent.TimedOut,
        RunState.Cancelled => RunEvent.Cancelled,
        _ => RunEvent.Completed,
    };

    /// <summary>The incident an event belongs to: its rule, deployment (or flow), kind (every failure is one kind) and channel.</summary>
    private static string IncidentKey(NotificationRule rule, string scope, RunEvent kind, string channel) =>
        $"{rule.Name}|{scope}|{((RunEvent.AnyFailure & kind) != 0 ? "failure" : kind.ToString())}|{channel}";

    private static string Scope(string flow, string? deployment) => deployment is null ? "flow:" + flow : "deployment:" + deployment;

    private async Task RaiseAsync(CompiledRule compiled, RunEvent kind, RunRecord? run, (string Deployment, string Silence, TimeSpan For)? silent, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var rule = compiled.Rule;
        var flow = run?.Name ?? silent!.Value.Deployment;
        var deployment = silent?.Deployment ?? run?.Deployment;
        var scope = Scope(flow, deployment);
        foreach (var channel in rule.Channels)
        {
            var eventKey = silent is { } s ? $"{rule.Name}|{scope}|Silent|{s.Silence}|{channel}" : $"{rule.Name}|{run!.Id}|{kind}|{channel}";
            var incidentKey = IncidentKey(rule, scope, kind, channel);
            var head = await _notifications.GetLatestOfIncidentAsync(incidentKey, cancellationToken).ConfigureAwait(false);
            var window = rule.GroupFor ?? _options.GroupingWindow;
            var record = new NotificationRecord
            {
                Id = Guid.CreateVersion7(now),
                EventKey = eventKey,
                IncidentKey = incidentKey,
                Rule = rule.Name,
                Channel = channel,
                Event = kind.ToString(),
                RunId = run is not null && silent is null ? run.Id : null,
                Flow = flow,
                Deployment = deployment,
                CreatedAt = now,
                NextAttemptAt = now,
                OwnerId = _ownerId,
            };

            // Grouped only into a notification sent or being sent: after one that could not be delivered, the next event
            // is notified rather than counted into something nobody received.
            if (head is { Status: NotificationStatus.Sent or NotificationStatus.Pending } && head.Event != nameof(RunEvent.Recovered) && head.CreatedAt + window > now)
            {
                await GroupAsync(record with { Status = NotificationStatus.Grouped, GroupedInto = head.Id, NextAttemptAt = null }, head, cancellationToken).ConfigureAwait(false);
                continue;
            }

            if (await _notifications.TryClaimAsync(record, cancellationToken).ConfigureAwait(false))
            {
                _pending.Add(new Delivery(record, run, silent?.For));
            }
        }
    }

    private async Task GroupAsync(NotificationRecord grouped, NotificationRecord head, CancellationToken cancellationToken)
    {
        // Grouped records are kept under their own incident key: the incident's latest record stays its head (or the
        // Recovered that closed it), whose count grows. The claim makes this event count once; the addition is atomic in
        // the store, so replicas grouping into one head at once, and the head's sender recording its attempts, lose none.
        if (!await _notifications.TryClaimAsync(grouped with { IncidentKey = grouped.IncidentKey + "|grouped" }, cancellationToken).ConfigureAwait(false))
        {
            return;
        }

        // Null only when the head was pruned meanwhile: the event stays recorded as grouped, the log tells the count it read.
        var count = await _notifications.AddToCountAsync(head.Id, 1, cancellationToken).ConfigureAwait(false);
        NotificationLog.Grouped(_logger, grouped.Event, grouped.Flow, grouped.Rule, grouped.Channel, count ?? head.Count + 1);
    }

    private async Task RecoverAsync(CompiledRule compiled, RunRecord run, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var rule = compiled.Rule;
        var scope = Scope(run.Name, run.Deployment);
        foreach (var channel in rule.Channels)
        {
            var incidentKey = IncidentKey(rule, scope, RunEvent.Failed, channel);
            var head = await _notifications.GetLatestOfIncidentAsync(incidentKey, cancellationToken).ConfigureAwait(false);
            if (head is null || head.Event == nameof(RunEvent.Recovered) || head.Status == NotificationStatus.Grouped)
            {
                continue;
            }

            var record = new NotificationRecord
            {
                Id = Guid.CreateVersion7(now),
                EventKey = $"{rule.Name}|{run.Id}|Recovered|{channel}",
                IncidentKey = incidentKey,
                Rule = rule.Name,
                Channel = channel,
                Event = nameof(RunEvent.Recovered),
                RunId = run.Id,
                Flow = run.Name,
                Deployment = run.Deployment,
                Count = head.Count,
                CreatedAt = now,
                NextAttemptAt = now,
                OwnerId = _ownerId,
            };
            if (await _notifications.TryClaimAsync(record, cancellationToken).ConfigureAwait(false))
            {
                // The incident's span, from its first notification to this recovery, for the message.
                _pending.Add(new Delivery(record, run, null, head.CreatedAt));
            }
        }
    }

    private async Task TakeOverAsync(CancellationToken cancellationToken)
    {
        var taken = await _notifications.TakeOverAbandonedAsync(_ownerId, 50, cancellationToken).ConfigureAwait(false);
        if (taken.Count == 0)
        {
            return;
        }

        foreach (var record in taken.Where(t => _pending.TrueForAll(d => d.Record.Id != t.Id)))
        {
            var run = record.RunId is { } id ? await _runs.GetRunAsync(id, cancellationToken).ConfigureAwait(false) : null;
            _pending.Add(new Delivery(record with { OwnerId = _ownerId }, run, null));
        }

        NotificationLog.TakenOver(_logger, taken.Count);
    }

    private async Task AttemptAsync(Delivery delivery, CancellationToken cancellationToken)
    {
        if (delivery.Unrecorded is { } unrecorded)
        {
            // Sent or tried already; only the store has not heard.
            await RecordAsync(delivery, unrecorded, delivery.Next, cancellationToken).ConfigureAwait(false);
            return;
        }

        var record = await WithStoredCountAsync(delivery.Record, cancellationToken).ConfigureAwait(false);
        var channel = _rules.Channels.GetValueOrDefault(record.Channel);
        var attempt = record.Attempts + 1;
        try
        {
            if (channel is null)
            {
                throw new InvalidOperationException($"The channel '{record.Channel}' is not declared in this process.");
            }

            await channel.SendAsync(NotificationMessages.Build(record, delivery.Run, delivery.SilentFor, delivery.IncidentSince, _options, _time.GetUtcNow()), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            var error = _redact($"{e.GetType().Name}: {e.Message}");
            if (attempt >= Math.Max(1, _options.DeliveryAttempts))
            {
                NotificationLog.Failed(_logger, record.Event, record.Flow, record.Channel, attempt, error);
                await RecordAsync(delivery, record with { Status = NotificationStatus.Failed, Attempts = attempt, Error = error, NextAttemptAt = null }, null, cancellationToken).ConfigureAwait(false);
                return;
            }

            var delay = _options.DeliveryBackoff * Math.Pow(2, attempt - 1);
            var retry = record with { Attempts = attempt, Error = error, NextAttemptAt = _time.GetUtcNow() + delay };
            NotificationLog.AttemptFailed(_logger, record.Event, record.Flow, record.Channel, attempt, _options.DeliveryAttempts, delay.TotalSeconds, error);
            await RecordAsync(delivery, retry, delivery with { Record = retry }, cancellationToken).ConfigureAwait(false);
            return;
        }

        NotificationLog.Sent(_logger, record.Event, record.Flow, record.Rule, record.Channel, attempt);
        await RecordAsync(delivery, record with { Status = NotificationStatus.Sent, Attempts = attempt, SentAt = _time.GetUtcNow(), NextAttemptAt = null }, null, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Records an attempt's <paramref name="outcome"/>, then replaces the delivery by <paramref name="next"/> (null: done).
    /// A store that cannot be written keeps the outcome here, written again a poll interval later: a notification sent
    /// is never sent again for want of its record, and one that stays Pending under a live owner is never left behind.
    /// </summary>
    private async Task RecordAsync(Delivery delivery, NotificationRecord outcome, Delivery? next, CancellationToken cancellationToken)
    {
        try
        {
            await _notifications.UpdateAsync(outcome, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception) when (!cancellationToken.IsCancellationRequested)
        {
            var later = delivery.Record with { NextAttemptAt = _time.GetUtcNow() + _options.PollInterval };
            Settle(delivery, delivery with { Record = later, Unrecorded = outcome, Next = next });
            throw;
        }

        Settle(delivery, next);
    }

    /// <summary>The record with its count as stored now: the events grouped into it since it was claimed, by any process, are told.</summary>
    private async Task<NotificationRecord> WithStoredCountAsync(NotificationRecord record, CancellationToken cancellationToken)
    {
        var stored = await _notifications.GetNotificationAsync(record.Id, cancellationToken).ConfigureAwait(false);
        return stored is null ? record : record with { Count = stored.Count };
    }

    /// <summary>A notification this process claimed and sends, with the run it is about (null for a Silent deployment).</summary>
    /// <remarks><see cref="Unrecorded"/>: an attempt's outcome the store could not take yet, and <see cref="Next"/> what follows it.</remarks>
    private sealed record Delivery(NotificationRecord Record, RunRecord? Run, TimeSpan? SilentFor, DateTimeOffset? IncidentSince = null)
    {
        public NotificationRecord? Unrecorded { get; init; }

        public Delivery? Next { get; init; }
    }
}
