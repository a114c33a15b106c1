using System.Data.Common;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Flows.Runs;

namespace Flows.Stores.Sql;

/// <summary>
/// Run statistics (<see cref="IRunStore.GetRunStatisticsAsync"/>) as grouped queries over the created-at range, and the
/// tag filter of <see cref="RunQuery.Tag"/>; with the SQL a database spells its own way (SQLite's by default).
/// </summary>
public abstract partial class SqlRunStore
{
    /// <summary>The most durations per flow the statistics read where the database cannot take percentiles itself.</summary>
    private const int MaxDurationsPerFlow = 20_000;

    /// <summary>
    /// An SQL condition true when the run's <c>tags</c> column (a JSON array of strings) holds the string <c>@tag</c>
    /// exactly. SQLite's <c>json_each</c> by default.
    /// </summary>
    protected virtual string TagMatchSql => "EXISTS (SELECT 1 FROM json_each(tags) WHERE value = @tag)";

    /// <summary>
    /// An SQL integer expression numbering the statistics bucket of a run's <c>created_at</c>: how many whole
    /// <c>@bucket</c> (a <see cref="Duration"/>) have passed since <c>@from</c> (a <see cref="Time"/>). SQLite's
    /// integer ticks by default.
    /// </summary>
    protected virtual string BucketSql => "((created_at - @from) / @bucket)";

    /// <summary>An SQL number expression of a run's duration, <c>ended_at − started_at</c>, in ticks (100 ns). SQLite's integer ticks by default.</summary>
    protected virtual string DurationTicksSql => "(ended_at - started_at)";

    /// <summary>
    /// True when the database has the ordered-set aggregate <c>percentile_cont</c> (PostgreSQL); otherwise the durations
    /// are read and the percentiles taken here, interpolated alike (at most 20,000 per flow: see the remarks of
    /// <see cref="GetRunStatisticsAsync"/>).
    /// </summary>
    protected virtual bool HasPercentileCont => false;

    /// <inheritdoc />
    /// <remarks>
    /// Two queries over the flow runs of the window (the partial created-at indexes of flow runs): counts grouped by
    /// bucket, state and flow; then the duration percentiles per flow of runs that started and ended, with
    /// <c>percentile_cont</c> where the database has it (PostgreSQL: exact). Elsewhere (SQLite) the durations are read
    /// and sorted here, exact up to 20,000 timed runs of a flow in the window; above that, taken over every k-th run by
    /// sequence (a systematic sample of at most 20,000), so a long window costs a bounded read.
    /// </remarks>
    public async ValueTask<RunStatistics> GetRunStatisticsAsync(RunStatisticsQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        query.Validate();
        var parameters = new List<(string, object?)> { ("from", Time(query.From)), ("to", Time(query.To)), ("bucket", Duration(query.BucketSize)) };
        var where = new List<string> { "kind = 0", "created_at >= @from", "created_at < @to" };
        if (query.Name is { } name)
        {
            where.Add("name = @name");
            parameters.Add(("name", name));
        }

        if (query.Deployment is { } deployment)
        {
            where.Add("deployment = @deployment");
            parameters.Add(("deployment", deployment));
        }

        if (query.Tag is { } tag)
        {
            where.Add(TagCondition(tag, parameters));
        }

        var filter = string.Join(" AND ", where);
        var groups = await ReadAsync(
            $"SELECT {BucketSql}, state, name, COUNT(*), SUM(CASE WHEN started_at IS NOT NULL AND ended_at IS NOT NULL THEN 1 ELSE 0 END) FROM {Runs} WHERE {filter} GROUP BY 1, 2, 3",
            parameters,
            r => (Bucket: r.GetInt64(0), State: (RunState)r.GetInt32(1), Name: r.GetString(2), Count: r.GetInt64(3), Timed: r.GetInt64(4)),
            cancellationToken).ConfigureAwait(false);
        var flows = groups.GroupBy(g => g.Name, StringComparer.Ordinal).Select(g => (Name: g.Key, Count: g.Sum(r => r.Count), Timed: g.Sum(r => r.Timed))).ToList();
        var timed = filter + " AND started_at IS NOT NULL AND ended_at IS NOT NULL";
        var durations = HasPercentileCont
            ? await PercentilesAsync(timed, parameters, cancellationToken).ConfigureAwait(false)
            : await PercentilesOfDurationsAsync(timed, parameters, flows.Where(f => f.Timed > 0).ToDictionary(f => f.Name, f => f.Timed, StringComparer.Ordinal), cancellationToken).ConfigureAwait(false);
        return RunStatisticsBuilder.Build(
            query,
            groups.GroupBy(g => g.Bucket, (bucket, rows) => (bucket, (IReadOnlyDictionary<RunState, long>)rows.GroupBy(r => r.State).ToDictionary(r => r.Key, r => r.Sum(x => x.Count)))),
            flows.Select(f => durations.TryGetValue(f.Name, out var d)
                ? new FlowRunStatistics(f.Name, f.Count, f.Timed, d.P50, d.P95)
                : new FlowRunStatistics(f.Name, f.Count, f.Timed, null, null)));
    }

    /// <summary>The condition of a tag filter, its parameters added: a LIKE on the JSON text first (cheap), then the exact test.</summary>
    private string TagCondition(string tag, List<(string, object?)> parameters)
    {
        // The tag as the tags column spells it inside its JSON array; a LIKE pattern of it escapes LIKE's own wildcards.
        var json = JsonSerializer.Serialize(tag);
        var pattern = "%" + json.Replace("!", "!!", StringComparison.Ordinal).Replace("%", "!%", StringComparison.Ordinal).Replace("_", "!_", StringComparison.Ordinal) + "%";
        parameters.Add(("tag", tag));
        parameters.Add(("tagLike", pattern));
        return $"(tags LIKE @tagLike ESCAPE '!' AND {TagMatchSql})";
    }

    /// <summary>Per flow, percentile_cont over its timed runs: exact, in the database.</summary>
    private async ValueTask<Dictionary<string, (TimeSpan? P50, TimeSpan? P95)>> PercentilesAsync(
        string filter, List<(string, object?)> parameters, CancellationToken cancellationToken)
    {
        var rows = await ReadAsync(
            $"SELECT name, percentile_cont(0.5) WITHIN GROUP (ORDER BY {DurationTicksSql}), percentile_cont(0.95) WITHIN GROUP (ORDER BY {DurationTicksSql}) "
            + $"FROM {Runs} WHERE {filter} GROUP BY name",
            parameters,
            r => (Name: r.GetString(0), P50: Ticks(r.GetDouble(1)), P95: Ticks(r.GetDouble(2))),
            cancellationToken).ConfigureAwait(false);
        return rows.ToDictionary(r => r.Name, r => ((TimeSpan?)r.P50, (TimeSpan?)r.P95), StringComparer.Ordinal);
    }

    /// <summary>
    /// Per flow, the percentiles of its timed runs' durations read and sorted here (cheaper on SQLite than ranking them
    /// with a window function). Bounded: of a flow with more than <see cref="MaxDurationsPerFlow"/> timed runs in the
    /// window, every k-th run by sequence is read, a systematic sample of at most that many.
    /// </summary>
    private async ValueTask<Dictionary<string, (TimeSpan? P50, TimeSpan? P95)>> PercentilesOfDurationsAsync(
        string filter, List<(string, object?)> parameters, Dictionary<string, long> timed, CancellationToken cancellationToken)
    {
        var sampled = timed.Where(t => t.Value > MaxDurationsPerFlow).Select((t, i) => (Name: t.Key, Every: (t.Value + MaxDurationsPerFlow - 1) / MaxDurationsPerFlow, Parameter: "sample" + i.ToString(CultureInfo.InvariantCulture))).ToList();
        var sample = string.Empty;
        var all = parameters;
        if (sampled.Count > 0)
        {
            all = [.. parameters, .. sampled.Select(s => (s.Parameter, (object?)s.Name))];
            sample = " AND seq % (CASE name " + string.Concat(sampled.Select(s => $"WHEN @{s.Parameter} THEN {s.Every.ToString(CultureInfo.InvariantCulture)} ")) + "ELSE 1 END) = 0";
        }

        var durations = new Dictionary<string, List<long>>(StringComparer.Ordinal);
        await foreach (var (name, ticks) in StreamAsync($"SELECT name, {DurationTicksSql} FROM {Runs} WHERE {filter}{sample}", all, r => (r.GetString(0), r.GetInt64(1)), cancellationToken).ConfigureAwait(false))
        {
            if (!durations.TryGetValue(name, out var list))
            {
                durations[name] = list = [];
            }

            list.Add(ticks);
        }

        return durations.ToDictionary(
            d => d.Key,
            d =>
            {
                var flow = RunStatisticsBuilder.Flow(d.Key, d.Value.Count, d.Value);
                return (flow.P50, flow.P95);
            },
            StringComparer.Ordinal);
    }

    private async IAsyncEnumerable<T> StreamAsync<T>(string sql, IEnumerable<(string, object?)> parameters, Func<DbDataReader, T> read, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await using var connection = await ConnectAsync(cancellationToken).ConfigureAwait(false);
        await using var command = Command(connection, null, sql, parameters);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            yield return read(reader);
        }
    }

    private static TimeSpan Ticks(double ticks) => TimeSpan.FromTicks((long)Math.Round(ticks));
}
