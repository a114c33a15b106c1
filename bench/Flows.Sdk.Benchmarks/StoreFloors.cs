using System.Diagnostics;
using System.Text.Json;
using Flows.Runs;
using Flows.Stores;
using Flows.Stores.PostgreSql;
using Flows.Stores.Sqlite;
using Microsoft.Data.Sqlite;
using Npgsql;
using NpgsqlTypes;
using SQLitePCL;

namespace Flows.Benchmarks;

/// <summary>
/// The floor a store's throughput is judged against: the rows the engine writes for a flow of task runs, inserted with
/// no engine at all into a fresh copy of the same schema (migrated by the store itself, so with the same indexes), one
/// transaction per <see cref="RunsPerTransaction"/> runs as the recorder batches them. The rows are built before the
/// clock starts, from one task run and its transitions as the engine stored them, so only the inserts are timed.
/// SQLite: prepared statements stepped through SQLite's own API. PostgreSQL: binary COPY (Npgsql's <c>BeginBinaryImport</c>).
/// </summary>
internal static class StoreFloors
{
    /// <summary>The recorder's largest batch (<c>RunRecorder.MaxBatch</c>): 8,192 writes, each a run with its transitions.</summary>
    public const int RunsPerTransaction = 8192;

    private const string RunColumns =
        "id, kind, name, flow_run_id, parent_run_id, state, attempt, parameters, result, cache_key, error, tags, version, created_at, started_at, ended_at, owner_id";

    private const string TransitionColumns = "run_id, state, at, attempt, message";

    /// <summary>
    /// One task run as the engine stored it, and its transitions: what every row of the floor copies; and how far
    /// apart the engine created its runs (<paramref name="Spacing"/>), so the floor's ids and times spread as the
    /// engine's did (version 7 ids carry their millisecond, which decides where each lands in the id index).
    /// </summary>
    public sealed record Template(RunRecord Run, IReadOnlyList<StateTransition> Transitions, TimeSpan Spacing)
    {
        public static async Task<Template> ReadAsync(IRunStore store, double engineRunsPerSecond)
        {
            var runs = await store.QueryRunsAsync(new RunQuery { Kind = RunKind.Task, Name = "bench-store-step", Limit = 1 });
            var run = runs.Single();
            return new Template(run, await store.GetTransitionsAsync(run.Id), TimeSpan.FromSeconds(1 / engineRunsPerSecond));
        }

        public string Tags => JsonSerializer.Serialize(Run.Tags);

        /// <summary>Run <paramref name="i"/>: created at the engine's pace, its id from that time, the rest as the template.</summary>
        public (Guid Id, DateTimeOffset Created, DateTimeOffset Started, DateTimeOffset Ended) Row(int i, DateTimeOffset start)
        {
            var created = start + (Spacing * i);
            return (Guid.CreateVersion7(created), created, created + (Spacing / 3), created + (Spacing * 2 / 3));
        }
    }

    /// <summary>Task runs per second inserted into a fresh SQLite file with the store's schema, journal mode and synchronous setting.</summary>
    public static async Task<double> SqliteAsync(Template template, int taskRuns, string path)
    {
        await using (var migrate = new SqliteRunStore(path))
        {
            await migrate.OpenAsync();
        }

        var owner = Guid.NewGuid().ToByteArray();
        var start = DateTimeOffset.UtcNow;
        var rows = Enumerable.Range(0, taskRuns).Select(i => template.Row(i, start)).Select(r => (Id: r.Id.ToByteArray(), r.Created, r.Started, r.Ended)).ToArray();
        var run = template.Run;
        var flow = run.FlowRunId!.Value.ToByteArray();
        var parent = run.ParentRunId!.Value.ToByteArray();
        var tags = template.Tags;

        await using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        await connection.OpenAsync();
        await using (var pragma = new SqliteCommand("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;", connection))
        {
            await pragma.ExecuteNonQueryAsync();
        }

        var db = connection.Handle!;
        Check(raw.sqlite3_prepare_v2(db, $"INSERT INTO flows_runs ({RunColumns}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)", out var insertRun), db);
        Check(raw.sqlite3_prepare_v2(db, $"INSERT INTO flows_transitions ({TransitionColumns}) VALUES (?1, ?2, ?3, ?4, ?5)", out var insertTransition), db);
        using (insertRun)
        using (insertTransition)
        {
            var clock = Stopwatch.StartNew();
            for (var first = 0; first < taskRuns; first += RunsPerTransaction)
            {
                Check(raw.sqlite3_exec(db, "BEGIN"), db);
                var end = Math.Min(taskRuns, first + RunsPerTransaction);
                for (var i = first; i < end; i++)
                {
                    var (id, created, started, ended) = rows[i];
                    Check(raw.sqlite3_bind_blob(insertRun, 1, id), db);
                    Check(raw.sqlite3_bind_int(insertRun, 2, (int)run.Kind), db);
                    Check(raw.sqlite3_bind_text(insertRun, 3, run.Name), db);
                    Check(raw.sqlite3_bind_blob(insertRun, 4, flow), db);
                    Check(raw.sqlite3_bind_blob(insertRun, 5, parent), db);
                    Check(raw.sqlite3_bind_int(insertRun, 6, (int)run.State), db);
                    Check(raw.sqlite3_bind_int(insertRun, 7, run.Attempt), db);
                    Check(BindText(insertRun, 8, run.Parameters), db);
                    Check(BindText(insertRun, 9, run.Result), db);
                    Check(BindText(insertRun, 10, run.CacheKey), db);
                    Check(BindText(insertRun, 11, run.Error), db);
                    Check(raw.sqlite3_bind_text(insertRun, 12, tags), db);
                    Check(BindText(insertRun, 13, run.Version), db);
                    Check(raw.sqlite3_bind_int64(insertRun, 14, created.UtcTicks), db);
                    Check(raw.sqlite3_bind_int64(insertRun, 15, started.UtcTicks), db);
                    Check(raw.sqlite3_bind_int64(insertRun, 16, ended.UtcTicks), db);
                    Check(raw.sqlite3_bind_blob(insertRun, 17, owner), db);
                    Step(insertRun, db);
                    foreach (var t in template.Transitions)
                    {
                        Check(raw.sqlite3_bind_blob(insertTransition, 1, id), db);
                        Check(raw.sqlite3_bind_int(insertTransition, 2, (int)t.State), db);
                        Check(raw.sqlite3_bind_int64(insertTransition, 3, t.State == RunState.Pending ? created.UtcTicks : t.State == RunState.Running ? started.UtcTicks : ended.UtcTicks), db);
                        Check(raw.sqlite3_bind_int(insertTransition, 4, t.Attempt), db);
                        Check(BindText(insertTransition, 5, t.Message), db);
                        Step(insertTransition, db);
                    }
                }

                Check(raw.sqlite3_exec(db, "COMMIT"), db);
            }

            clock.Stop();
            return taskRuns / clock.Elapsed.TotalSeconds;
        }
    }

    /// <summary>Task runs per second binary-copied into a fresh PostgreSQL schema migrated by the store.</summary>
    public static async Task<double> PostgreSqlAsync(Template template, int taskRuns, string connectionString, string schema)
    {
        await using (var migrate = new PostgreSqlRunStore(new PostgreSqlRunStoreOptions { ConnectionString = connectionString, Schema = schema }))
        {
            await migrate.OpenAsync();
        }

        var owner = Guid.NewGuid();
        var start = DateTimeOffset.UtcNow;
        var rows = Enumerable.Range(0, taskRuns).Select(i => template.Row(i, start)).ToArray();
        var run = template.Run;
        var tags = template.Tags;

        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        var clock = Stopwatch.StartNew();
        for (var first = 0; first < taskRuns; first += RunsPerTransaction)
        {
            var end = Math.Min(taskRuns, first + RunsPerTransaction);
            await using var transaction = await connection.BeginTransactionAsync();
            using (var copy = connection.BeginBinaryImport($"COPY \"{schema}\".flows_runs ({RunColumns}) FROM STDIN (FORMAT BINARY)"))
            {
                for (var i = first; i < end; i++)
                {
                    var (id, created, started, ended) = rows[i];
                    copy.StartRow();
                    copy.Write(id, NpgsqlDbType.Uuid);
                    copy.Write((int)run.Kind, NpgsqlDbType.Integer);
                    copy.Write(run.Name, NpgsqlDbType.Text);
                    copy.Write(run.FlowRunId!.Value, NpgsqlDbType.Uuid);
                    copy.Write(run.ParentRunId!.Value, NpgsqlDbType.Uuid);
                    copy.Write((int)run.State, NpgsqlDbType.Integer);
                    copy.Write(run.Attempt, NpgsqlDbType.Integer);
                    WriteText(copy, run.Parameters);
                    WriteText(copy, run.Result);
                    WriteText(copy, run.CacheKey);
                    WriteText(copy, run.Error);
                    copy.Write(tags, NpgsqlDbType.Text);
                    WriteText(copy, run.Version);
                    copy.Write(created, NpgsqlDbType.TimestampTz);
                    copy.Write(started, NpgsqlDbType.TimestampTz);
                    copy.Write(ended, NpgsqlDbType.TimestampTz);
                    copy.Write(owner, NpgsqlDbType.Uuid);
                }

                copy.Complete();
            }

            using (var copy = connection.BeginBinaryImport($"COPY \"{schema}\".flows_transitions ({TransitionColumns}) FROM STDIN (FORMAT BINARY)"))
            {
                for (var i = first; i < end; i++)
                {
                    var (id, created, started, ended) = rows[i];
                    foreach (var t in template.Transitions)
                    {
                        copy.StartRow();
                        copy.Write(id, NpgsqlDbType.Uuid);
                        copy.Write((int)t.State, NpgsqlDbType.Integer);
                        copy.Write(t.State == RunState.Pending ? created : t.State == RunState.Running ? started : ended, NpgsqlDbType.TimestampTz);
                        copy.Write(t.Attempt, NpgsqlDbType.Integer);
                        WriteText(copy, t.Message);
                    }
                }

                copy.Complete();
            }

            await transaction.CommitAsync();
        }

        clock.Stop();
        return taskRuns / clock.Elapsed.TotalSeconds;
    }

    private static void WriteText(NpgsqlBinaryImporter copy, string? text)
    {
        if (text is null)
        {
            copy.WriteNull();
        }
        else
        {
            copy.Write(text, NpgsqlDbType.Text);
        }
    }

    private static int BindText(sqlite3_stmt statement, int index, string? text) =>
        text is null ? raw.sqlite3_bind_null(statement, index) : raw.sqlite3_bind_text(statement, index, text);

    private static void Step(sqlite3_stmt statement, sqlite3 db)
    {
        var done = raw.sqlite3_step(statement);
        if (done != raw.SQLITE_DONE)
        {
            Check(done, db);
        }

        raw.sqlite3_reset(statement);
    }

    private static void Check(int result, sqlite3 db)
    {
        if (result is not (raw.SQLITE_OK or raw.SQLITE_DONE or raw.SQLITE_ROW))
        {
            SqliteException.ThrowExceptionForRC(result, db);
        }
    }
}
