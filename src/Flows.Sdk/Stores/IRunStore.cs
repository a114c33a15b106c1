using Flows.Runs;

namespace Flows.Stores;

/// <summary>
/// Where runs, their state transitions, log lines, artifacts and cached results are kept. The engine writes through
/// it; applications and tests read history from it. Implementations must be safe for concurrent use and
/// pass the shared conformance suite (tests/Flows.Sdk.Stores.Tests).
/// </summary>
public interface IRunStore
{
    /// <summary>
    /// True when writes complete before the call returns and cost next to nothing (an in-memory store): the engine
    /// then writes directly instead of batching writes through its background recorder.
    /// </summary>
    bool WritesInline => false;

    /// <summary>
    /// Prepares the store: creates or migrates its schema and marks runs left behind by processes that died as
    /// <see cref="RunState.Crashed"/>. Hosts call it on start; every other operation opens the store on first use.
    /// Throws <see cref="RunStoreException"/> naming the store when it cannot be used; the store is then left as it was,
    /// and a later call (or any use) tries again once a short backoff has passed.
    /// </summary>
    ValueTask OpenAsync(CancellationToken cancellationToken = default) => default;

    /// <summary>
    /// True when a write that failed with <paramref name="exception"/> may succeed if made again unchanged: a dropped
    /// connection, a server restarting, a locked database file. The engine's recorder waits for a store failing so,
    /// trying the same batch again, for its outage tolerance; any other error it takes to be about the data, and splits
    /// the batch to find the write at fault. Defaults to false.
    /// </summary>
    bool IsTransient(Exception exception) => false;

    /// <summary>Applies a batch of writes, all or nothing. Refuse with a non-transient error only what is wrong with the writes themselves.</summary>
    ValueTask WriteAsync(RunWriteBatch batch, CancellationToken cancellationToken = default);

    /// <summary>Inserts a run or replaces the stored snapshot of it.</summary>
    ValueTask SaveRunAsync(RunRecord run, CancellationToken cancellationToken = default) =>
        WriteAsync(new RunWriteBatch { Runs = [run] }, cancellationToken);

    /// <summary>
    /// Inserts <paramref name="run"/>, with a transition into its state at its <see cref="RunRecord.CreatedAt"/>, unless a
    /// run with its id is stored already, in which case nothing is written. Returns true when this call created the
    /// run: of callers racing to create one id, exactly one gets true, which is how a run id is claimed (a scheduled
    /// run's id derived from its deployment and slot, so a duplicate fire cannot start a second run).
    /// </summary>
    /// <remarks>
    /// The built-in stores make this atomic across processes (SQL stores: <c>INSERT … ON CONFLICT (id) DO NOTHING</c>
    /// and the transition in one transaction). This default implementation, for stores that do not override it,
    /// reads the run and then writes it: it is NOT atomic, and two processes can both get true. Override it in a store
    /// shared by processes that claim runs.
    /// </remarks>
    async ValueTask<bool> TryCreateRunAsync(RunRecord run, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(run);
        if (await GetRunAsync(run.Id, cancellationToken).ConfigureAwait(false) is not null)
        {
            return false;
        }

        await WriteAsync(RunWriteBatch.Creating(run), cancellationToken).ConfigureAwait(false);
        return true;
    }

    /// <summary>
    /// Claims a stored <see cref="RunState.Scheduled"/> or <see cref="RunState.Late"/> run to start it: moves it to
    /// <see cref="RunState.Pending"/>, owned by this store, and appends <paramref name="transitions"/> (a Late one, say),
    /// in one step. Returns true when this call claimed the run; false, writing nothing, when the run is not stored or is
    /// no longer Scheduled or Late. Of callers racing to start one run, exactly one gets true, which is how a scheduled
    /// run is started once however many processes try.
    /// </summary>
    /// <remarks>
    /// The built-in stores make this atomic across processes (SQL stores: <c>UPDATE … SET state = Pending WHERE id = @id
    /// AND state IN (Scheduled, Late)</c> and the transitions in one transaction). This default implementation, for
    /// stores that do not override it, reads the run and then writes it: it is NOT atomic, and two processes can both
    /// get true. Override it in a store shared by processes that start scheduled runs.
    /// </remarks>
    async ValueTask<bool> TryStartRunAsync(Guid runId, IReadOnlyList<StateTransition> transitions, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(transitions);
        if (await GetRunAsync(runId, cancellationToken).ConfigureAwait(false) is not { State: RunState.Scheduled or RunState.Late } run)
        {
            return false;
        }

        await WriteAsync(new RunWriteBatch { Runs = [run with { State = RunState.Pending }], Transitions = transitions }, cancellationToken).ConfigureAwait(false);
        return true;
    }

    /// <summary>
    /// Claims a stored <see cref="RunState.Crashed"/> run whose attempt is <paramref name="attempt"/>, to make its next
    /// attempt under the same id: moves it to <see cref="RunState.Pending"/> with attempt <paramref name="attempt"/> + 1,
    /// owned by this store, its end and error cleared, and appends <paramref name="transitions"/> (the Pending one that
    /// says why), in one step. Returns true when this call claimed the run; false, writing nothing, when the run is not
    /// stored, is no longer Crashed, or has another attempt (someone retried it already). Of callers racing to retry one
    /// crash, exactly one gets true.
    /// </summary>
    /// <remarks>
    /// The built-in stores make this atomic across processes (SQL stores: <c>UPDATE … WHERE id = @id AND state = Crashed
    /// AND attempt = @attempt</c> and the transitions in one transaction). This default implementation, for stores that
    /// do not override it, reads the run and then writes it: it is NOT atomic. Override it in a store shared by processes.
    /// </remarks>
    async ValueTask<bool> TryClaimCrashedRunAsync(Guid runId, int attempt, IReadOnlyList<StateTransition> transitions, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(transitions);
        if (await GetRunAsync(runId, cancellationToken).ConfigureAwait(false) is not { State: RunState.Crashed } run || run.Attempt != attempt)
        {
            return false;
        }

        await WriteAsync(
            new RunWriteBatch { Runs = [run with { State = RunState.Pending, Attempt = attempt + 1, EndedAt = null, Error = null }], Transitions = transitions },
            cancellationToken).ConfigureAwait(false);
        return true;
    }

    /// <summary>
    /// Cancels a stored run that has not started: when it is <see cref="RunState.Scheduled"/> or <see cref="RunState.Late"/>,
    /// moves it to <see cref="RunState.Cancelled"/>, ended at <paramref name="cancelled"/>'s time with its message as the
    /// error, and appends <paramref name="cancelled"/>, in one step. Returns true when this call cancelled the run; false,
    /// writing nothing, when the run is not stored or has moved on (started, ended). Of a cancel and a start racing for
    /// one run, exactly one wins.
    /// </summary>
    /// <remarks>
    /// The built-in stores make this atomic across processes (SQL stores: <c>UPDATE … WHERE id = @id AND state IN
    /// (Scheduled, Late)</c> and the transition in one transaction). This default implementation, for stores that do not
    /// override it, reads the run and then writes it: it is NOT atomic. Override it in a store shared by processes.
    /// </remarks>
    async ValueTask<bool> TryCancelScheduledRunAsync(Guid runId, StateTransition cancelled, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(cancelled);
        if (await GetRunAsync(runId, cancellationToken).ConfigureAwait(false) is not { State: RunState.Scheduled or RunState.Late } run)
        {
            return false;
        }

        await WriteAsync(new RunWriteBatch { Runs = [Cancelled(run, cancelled)], Transitions = [cancelled] }, cancellationToken).ConfigureAwait(false);
        return true;
    }

    /// <summary>A run not started, as <see cref="TryCancelScheduledRunAsync"/> leaves it.</summary>
    internal static RunRecord Cancelled(RunRecord run, StateTransition cancelled) =>
        run with { State = RunState.Cancelled, EndedAt = cancelled.Timestamp, Error = cancelled.Message };

    /// <summary>Appends state transitions.</summary>
    ValueTask AddTransitionsAsync(IReadOnlyList<StateTransition> transitions, CancellationToken cancellationToken = default) =>
        WriteAsync(new RunWriteBatch { Transitions = transitions }, cancellationToken);

    /// <summary>Appends log lines.</summary>
    ValueTask AddLogsAsync(IReadOnlyList<RunLogEntry> entries, CancellationToken cancellationToken = default) =>
        WriteAsync(new RunWriteBatch { Logs = entries }, cancellationToken);

    /// <summary>One run by id, or null.</summary>
    ValueTask<RunRecord?> GetRunAsync(Guid runId, CancellationToken cancellationToken = default);

    /// <summary>Runs matching a query, newest first (runs created in the same tick: the later-created first), one page at a time.</summary>
    ValueTask<IReadOnlyList<RunRecord>> QueryRunsAsync(RunQuery query, CancellationToken cancellationToken = default);

    /// <summary>
    /// One page of runs matching <paramref name="query"/>, newest first, and a token for the next page. Give the token
    /// back as <see cref="RunQuery.PageToken"/>, with the same filters and limit, to continue after this page: unlike
    /// <see cref="RunQuery.Offset"/>, which makes the database walk past every skipped run, the built-in stores page by
    /// keyset (the last run's creation time and sequence), so page 50 costs what page 1 costs, and runs created
    /// meanwhile neither repeat nor shift a run off the page boundary.
    /// </summary>
    /// <remarks>
    /// This default implementation, for stores that do not override it, pages by offset inside its token (correct, but
    /// slower on big histories). A token is only meaningful to the store that issued it.
    /// </remarks>
    /// <exception cref="ArgumentException">The page token is not one a store issued.</exception>
    async ValueTask<RunPage> QueryRunPageAsync(RunQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        var offset = query.Offset + (query.PageToken is { } token ? RunPageToken.ParseOffset(token) : 0);
        var runs = await QueryRunsAsync(query with { Offset = offset, Limit = query.Limit + 1, PageToken = null }, cancellationToken).ConfigureAwait(false);
        return runs.Count > query.Limit
            ? new RunPage([.. runs.Take(query.Limit)], RunPageToken.Offset(offset + query.Limit))
            : new RunPage(runs, null);
    }

    /// <summary>
    /// Flow runs created in the query's window, matching its filters, added up: how many in each state, in each bucket of
    /// time by state, and per flow how many and the median and 95th percentile durations of those that started and
    /// ended. What a dashboard draws its counts and charts from, without reading the runs.
    /// </summary>
    /// <remarks>
    /// The built-in stores answer with grouped queries over their indexes (SQL stores: <c>GROUP BY</c> on the created-at
    /// range, percentiles with <c>percentile_cont</c> on PostgreSQL and ranked rows on SQLite), costing in proportion to
    /// the runs in the window, not the history. This default implementation, for stores that do not override it, reads
    /// the window's runs page by page (correct, but slower).
    /// </remarks>
    /// <exception cref="ArgumentException">The window is empty, the bucket size not positive, or the buckets too many.</exception>
    async ValueTask<RunStatistics> GetRunStatisticsAsync(RunStatisticsQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        var statistics = new RunStatisticsBuilder(query);
        var page = query.ToRunQuery() with { Limit = 1000 };
        while (true)
        {
            var found = await QueryRunPageAsync(page, cancellationToken).ConfigureAwait(false);
            foreach (var run in found.Runs)
            {
                statistics.Add(run);
            }

            if (found.NextPageToken is not { } next)
            {
                return statistics.Build();
            }

            page = page with { PageToken = next };
        }
    }

    /// <summary>
    /// Asks that a run in progress (<see cref="RunState.Pending"/>, <see cref="RunState.Running"/> or
    /// <see cref="RunState.Retrying"/>) be cancelled, with <paramref name="reason"/>: the engine running it, in whatever
    /// process, finds the request (SQL stores: within about a second) and cancels the run through its token; it ends
    /// <see cref="RunState.Cancelled"/> with the reason in its error. Returns true when the request was stored; false
    /// when the run is not stored or is not in progress (ended, or Scheduled or Late: cancel those with
    /// <see cref="TryCancelScheduledRunAsync"/>). Asking again replaces the reason.
    /// </summary>
    /// <remarks>This default implementation, for stores that do not override it, throws <see cref="NotSupportedException"/>.</remarks>
    ValueTask<bool> RequestCancelAsync(Guid runId, string reason, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException($"The run store {GetType().Name} cannot keep cancel requests: cancel the run in the process running it.");

    /// <summary>
    /// The cancel requests (<see cref="RequestCancelAsync"/>) stored for any of <paramref name="runIds"/>: how an engine
    /// finds requests for its own runs in progress. Defaults to none.
    /// </summary>
    ValueTask<IReadOnlyList<RunCancelRequest>> GetCancelRequestsAsync(IReadOnlyCollection<Guid> runIds, CancellationToken cancellationToken = default) =>
        new([]);

    /// <summary>
    /// Deletes history: flow runs that ended before <see cref="PruneRequest.EndedBefore"/> (Completed and Cancelled, and
    /// Failed, Crashed and TimedOut unless <see cref="PruneRequest.KeepFailed"/>) with everything of theirs (their task
    /// runs and subflows, transitions, log lines and artifacts), and cache entries that expired before that time. Never a
    /// run in progress, Scheduled or Late. Works in batches of <see cref="PruneRequest.BatchSize"/> flow runs, each its
    /// own transaction, so writers are held back only briefly; cancelling stops between batches, keeping what was done.
    /// </summary>
    /// <remarks>This default implementation, for stores that do not override it, throws <see cref="NotSupportedException"/>.</remarks>
    ValueTask<PruneResult> PruneAsync(PruneRequest request, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException($"The run store {GetType().Name} cannot prune its history.");

    /// <summary>A run's transitions in the order they happened.</summary>
    ValueTask<IReadOnlyList<StateTransition>> GetTransitionsAsync(Guid runId, CancellationToken cancellationToken = default);

    /// <summary>Log lines of a run in the order they were written; for a flow run, also those of its task runs.</summary>
    ValueTask<IReadOnlyList<RunLogEntry>> GetLogsAsync(Guid runId, CancellationToken cancellationToken = default);

    /// <summary>Artifacts of a run in the order they were created; for a flow run, also those of its task runs.</summary>
    ValueTask<IReadOnlyList<RunArtifact>> GetArtifactsAsync(Guid runId, CancellationToken cancellationToken = default);

    /// <summary>The cache entry with this key, expired or not, or null.</summary>
    ValueTask<CacheEntry?> GetCacheEntryAsync(string key, CancellationToken cancellationToken = default);
}
