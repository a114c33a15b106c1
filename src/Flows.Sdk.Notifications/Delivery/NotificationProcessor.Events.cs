using System.Globalization;
using Flows.Notifications.Rules;
using Flows.Runs;
using Flows.Stores;

namespace Flows.Notifications.Delivery;

/// <summary>
/// The events of a tick, read from the run store and matched against the rules: flow runs that ended (and the
/// recoveries they make), runs Late or Stalled, deployments Silent past their window. Each match is raised once per
/// rule and channel (see <see cref="RaiseAsync"/>).
/// </summary>
internal sealed partial class NotificationProcessor
{
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
}
