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
/// store: a run never waits for a notification. Reading the events is in NotificationProcessor.Events.cs; this file
/// claims, groups and delivers them.
/// </summary>
internal sealed partial class NotificationProcessor
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
