using System.Globalization;
using System.Text.Json;
using Flows.Runs;

namespace Flows.Stores.Sql;

/// <summary>
/// Run statistics (<see cref="IRunStore.GetRunStatisticsAsync"/>) as grouped queries over the created-at range, and the
/// tag filter of <see cref="RunQuery.Tag"/>; with the SQL a database spells its own way (SQLite's by default).
/// </summary>
public abstract partial class SqlRunStore
{
    private static readonly double[] Percentiles = [0.5, 0.95];

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
    /// True when the database has the ordered-set aggregate <c>percentile_cont</c> (PostgreSQL); otherwise percentiles are
    /// read as the two ranked rows around each (a window function), and interpolated alike.
    /// </summary>
    protected virtual bool HasPercentileCont => false;

    /// <inheritdoc />
    /// <remarks>
    /// Three grouped queries over the flow runs of the window (the partial created-at indexes of flow runs): counts by
    /// bucket and state, counts per flow, and per flow the duration percentiles of runs that started and ended.
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
        var buckets = await ReadAsync(
            $"SELECT {BucketSql}, state, COUNT(*) FROM {Runs} WHERE {filter} GROUP BY 1, 2",
            parameters,
            r => (Bucket: r.GetInt64(0), State: (RunState)r.GetInt32(1), Count: r.GetInt64(2)),
            cancellationToken).ConfigureAwait(false);
        var counts = await ReadAsync(
            $"SELECT name, COUNT(*) FROM {Runs} WHERE {filter} GROUP BY name",
            parameters,
            r => (Name: r.GetString(0), Count: r.GetInt64(1)),
            cancellationToken).ConfigureAwait(false);
        var durations = await DurationPercentilesAsync(filter + " AND started_at IS NOT NULL AND ended_at IS NOT NULL", parameters, cancellationToken).ConfigureAwait(false);
        return RunStatisticsBuilder.Build(
            query,
            buckets.GroupBy(b => b.Bucket, (bucket, rows) => (bucket, (IReadOnlyDictionary<RunState, long>)rows.ToDictionary(r => r.State, r => r.Count))),
            counts.Select(c => durations.TryGetValue(c.Name, out var d)
                ? new FlowRunStatistics(c.Name, c.Count, d.Timed, d.P50, d.P95)
                : new FlowRunStatistics(c.Name, c.Count, 0, null, null)));
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

    private async ValueTask<Dictionary<string, (long Timed, TimeSpan? P50, TimeSpan? P95)>> DurationPercentilesAsync(
        string filter, List<(string, object?)> parameters, CancellationToken cancellationToken)
    {
        if (HasPercentileCont)
        {
            var rows = await ReadAsync(
                $"SELECT name, COUNT(*), percentile_cont(0.5) WITHIN GROUP (ORDER BY {DurationTicksSql}), percentile_cont(0.95) WITHIN GROUP (ORDER BY {DurationTicksSql}) "
                + $"FROM {Runs} WHERE {filter} GROUP BY name",
                parameters,
                r => (Name: r.GetString(0), Timed: r.GetInt64(1), P50: Ticks(r.GetDouble(2)), P95: Ticks(r.GetDouble(3))),
                cancellationToken).ConfigureAwait(false);
            return rows.ToDictionary(r => r.Name, r => (r.Timed, (TimeSpan?)r.P50, (TimeSpan?)r.P95), StringComparer.Ordinal);
        }

        // Only the rows at the ranks each percentile falls between, numbered per flow in duration order.
        var ranks = string.Join(
            " OR ",
            Percentiles.Select(p => p.ToString("R", CultureInfo.InvariantCulture))
                .Select(p => $"rn = CAST((n - 1) * {p} AS INTEGER) OR rn = CAST((n - 1) * {p} AS INTEGER) + 1"));
        var ranked = await ReadAsync(
            $"SELECT name, n, rn, d FROM (SELECT name, {DurationTicksSql} AS d, ROW_NUMBER() OVER (PARTITION BY name ORDER BY {DurationTicksSql}) - 1 AS rn, "
            + $"COUNT(*) OVER (PARTITION BY name) AS n FROM {Runs} WHERE {filter}) AS timed WHERE {ranks}",
            parameters,
            r => (Name: r.GetString(0), Count: r.GetInt64(1), Rank: r.GetInt64(2), Ticks: r.GetInt64(3)),
            cancellationToken).ConfigureAwait(false);
        return ranked.GroupBy(r => r.Name, StringComparer.Ordinal).ToDictionary(
            g => g.Key,
            g =>
            {
                var count = g.First().Count;
                var at = g.ToDictionary(r => r.Rank, r => r.Ticks);
                return (count, RunStatisticsBuilder.Percentile(count, Percentiles[0], rank => at[rank]), RunStatisticsBuilder.Percentile(count, Percentiles[1], rank => at[rank]));
            },
            StringComparer.Ordinal);
    }

    private static TimeSpan Ticks(double ticks) => TimeSpan.FromTicks((long)Math.Round(ticks));
}
