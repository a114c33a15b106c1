using System.Diagnostics;
using System.Globalization;
using Flows.Cli;
using Flows.Runs;
using Flows.Stores;
using Flows.Stores.PostgreSql;
using Flows.Stores.Sql;
using Flows.Stores.Sqlite;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;
using Spectre.Console;

namespace Flows.Benchmarks;

/// <summary>
/// <c>flows runs</c> over a big history: seeds a store with <c>--runs</c> flow runs (1,000,000 by default; one in five
/// with a task run beside it, one in a thousand Failed, one in ten from a deployment, one a second up to now) with one
/// SQL statement generating the rows in the database, then times, per filter, the page query alone
/// (<see cref="IRunStore.QueryRunPageAsync"/>) and the whole command (<c>FlowsCommandLine.RunAsync(["runs", …])</c>
/// against a host on the store: parsing, the query, a table of 20 rows), warm, median of 7; and page 50 by token
/// against the same page by offset, and a page half-way down by offset.
/// <code>dotnet run -c Release --project bench/Flows.Sdk.Benchmarks -- history [--runs N] [--postgres "Host=..."]</code>
/// PostgreSQL comes from <c>--postgres</c> or <c>FLOWS_TEST_POSTGRES</c>; without either it is skipped with a note.
/// Exits 1 when a command takes 200 ms or more.
/// </summary>
public static class HistoryListing
{
    public const string Command = "history";

    private const int Rounds = 7;
    private static readonly TimeSpan Target = TimeSpan.FromMilliseconds(200);

    public static async Task<int> RunAsync(string[] args)
    {
        var runs = int.Parse(Option(args, "--runs") ?? "1000000", CultureInfo.InvariantCulture);
        var postgres = Option(args, "--postgres") ?? Environment.GetEnvironmentVariable("FLOWS_TEST_POSTGRES");
        var met = true;
        var folder = Directory.CreateTempSubdirectory("flows-bench-history-");
        try
        {
            var path = Path.Combine(folder.FullName, "flows.db");
            met &= await MeasureAsync("SQLite", runs, async now =>
            {
                await using (var store = new SqliteRunStore(path))
                {
                    await store.OpenAsync();
                }

                await using var connection = new SqliteConnection($"Data Source={path}");
                await connection.OpenAsync();
                await using var command = connection.CreateCommand();
                command.CommandTimeout = 0;
                command.CommandText = $"""
                    WITH RECURSIVE s(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM s WHERE i < {runs - 1})
                    INSERT INTO flows_runs (id, kind, name, state, attempt, tags, created_at, started_at, ended_at, deployment)
                    SELECT randomblob(16), 0, 'flow-' || (i % 20), {States("i")}, 1, '[]', @base + i * 10000000, @base + i * 10000000, @base + i * 10000000 + 5000000,
                           CASE WHEN i % 10 = 0 THEN 'nightly-' || (i % 7) END
                    FROM s;
                    WITH RECURSIVE s(i) AS (SELECT 0 UNION ALL SELECT i + 5 FROM s WHERE i < {runs - 5})
                    INSERT INTO flows_runs (id, kind, name, state, attempt, tags, created_at, started_at, ended_at)
                    SELECT randomblob(16), 1, 'step-' || (i % 3), 4, 1, '[]', @base + i * 10000000 + 1, @base + i * 10000000 + 1, @base + i * 10000000 + 2
                    FROM s;
                    ANALYZE;
                    """;
                command.Parameters.AddWithValue("@base", (now - TimeSpan.FromSeconds(runs)).UtcTicks);
                await command.ExecuteNonQueryAsync();
                return (new SqliteRunStore(path), b => b.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["Flows:Store:Path"] = path }));
            });
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            folder.Delete(recursive: true);
        }

        if (postgres is null)
        {
            Console.WriteLine("PostgreSQL: skipped (no --postgres and no FLOWS_TEST_POSTGRES).");
            return met ? 0 : 1;
        }

        var schema = "flows_bench_history_" + Guid.NewGuid().ToString("N")[..8];
        try
        {
            met &= await MeasureAsync("PostgreSQL", runs, async now =>
            {
                await using (var store = new PostgreSqlRunStore(new PostgreSqlRunStoreOptions { ConnectionString = postgres, Schema = schema }))
                {
                    await store.OpenAsync();
                }

                await using var connection = new NpgsqlConnection(postgres);
                await connection.OpenAsync();
                await using var command = connection.CreateCommand();
                command.CommandTimeout = 0;
                command.CommandText = $"""
                    INSERT INTO "{schema}".flows_runs (id, kind, name, state, attempt, tags, created_at, started_at, ended_at, deployment)
                    SELECT gen_random_uuid(), 0, 'flow-' || (i % 20), {States("i")}, 1, '[]', @base + i * interval '1 second', @base + i * interval '1 second',
                           @base + i * interval '1 second' + interval '0.5 second', CASE WHEN i % 10 = 0 THEN 'nightly-' || (i % 7) END
                    FROM generate_series(0, {runs - 1}) i;
                    INSERT INTO "{schema}".flows_runs (id, kind, name, state, attempt, tags, created_at, started_at, ended_at)
                    SELECT gen_random_uuid(), 1, 'step-' || (i % 3), 4, 1, '[]', @base + i * interval '1 second' + interval '1 microsecond',
                           @base + i * interval '1 second', @base + i * interval '1 second'
                    FROM generate_series(0, {runs - 5}, 5) i;
                    VACUUM ANALYZE "{schema}".flows_runs;
                    """;
                command.Parameters.AddWithValue("base", now - TimeSpan.FromSeconds(runs));

                // VACUUM cannot run inside the implicit transaction of a multi-statement command: split it off.
                var text = command.CommandText;
                var vacuum = text.IndexOf("VACUUM", StringComparison.Ordinal);
                command.CommandText = text[..vacuum];
                await command.ExecuteNonQueryAsync();
                command.CommandText = text[vacuum..];
                command.Parameters.Clear();
                await command.ExecuteNonQueryAsync();
                return (
                    new PostgreSqlRunStore(new PostgreSqlRunStoreOptions { ConnectionString = postgres, Schema = schema }),
                    b =>
                    {
                        b.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["Flows:Store:ConnectionString"] = postgres, ["Flows:Store:Schema"] = schema });
                        b.Services.AddFlowsPostgreSqlStore();
                    });
            });
        }
        finally
        {
            await using var connection = new NpgsqlConnection(postgres);
            await connection.OpenAsync();
            await using var drop = new NpgsqlCommand($"DROP SCHEMA IF EXISTS \"{schema}\" CASCADE", connection);
            await drop.ExecuteNonQueryAsync();
        }

        return met ? 0 : 1;
    }

    /// <summary>One in a thousand Failed, one in a hundred Cancelled, the rest Completed.</summary>
    private static string States(string i) => $"CASE WHEN {i} % 1000 = 7 THEN {(int)RunState.Failed} WHEN {i} % 100 = 3 THEN {(int)RunState.Cancelled} ELSE {(int)RunState.Completed} END";

    private static async Task<bool> MeasureAsync(string name, int runs, Func<DateTimeOffset, Task<(SqlRunStore Store, Action<HostApplicationBuilder> Configure)>> seed)
    {
        var clock = Stopwatch.StartNew();
        var (store, configure) = await seed(DateTimeOffset.UtcNow);
        var seeded = clock.Elapsed;
        await using var _ = store;
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        configure(builder);
        builder.Services.AddFlows();
        using var host = builder.Build();
        Console.WriteLine();
        Console.WriteLine($"{name}: {runs:N0} flow runs and {runs / 5:N0} task runs seeded in {seeded.TotalSeconds:0.0} s ({Environment.ProcessorCount} cores). Median of {Rounds}, warm; a page is 20 runs.");
        Console.WriteLine();
        Console.WriteLine("| listing                         | query alone | `flows runs` command |");
        Console.WriteLine("|---------------------------------|------------:|---------------------:|");
        var met = true;
        (string Label, RunQuery Query, string[] Args)[] cases =
        [
            ("newest flow runs", new RunQuery { Kind = RunKind.Flow }, []),
            ("--flow flow-3", new RunQuery { Kind = RunKind.Flow, Name = "flow-3" }, ["--flow", "flow-3"]),
            ("--state Failed (1 in 1,000)", new RunQuery { Kind = RunKind.Flow, State = RunState.Failed }, ["--state", "Failed"]),
            ("--deployment nightly-3", new RunQuery { Kind = RunKind.Flow, Deployment = "nightly-3" }, ["--deployment", "nightly-3"]),
            ("--since 2h", new RunQuery { Kind = RunKind.Flow, CreatedAfter = DateTimeOffset.UtcNow.AddHours(-2) }, ["--since", "2h"]),
        ];
        foreach (var (label, query, args) in cases)
        {
            var alone = await TimeAsync(() => store.QueryRunPageAsync(query with { Limit = 20 }).AsTask());
            var command = await TimeAsync(() => CommandAsync(host, ["runs", "--limit", "20", .. args]));
            met &= command < Target;
            Console.WriteLine($"| {label,-31} | {Ms(alone),11} | {Ms(command),20} |");
        }

        // Page 50 by token: the token of page 49's end, got by paging there.
        string? token = null;
        for (var page = 1; page < 50; page++)
        {
            token = (await store.QueryRunPageAsync(new RunQuery { Kind = RunKind.Flow, Limit = 20, PageToken = token })).NextPageToken;
        }

        var byToken = await TimeAsync(() => store.QueryRunPageAsync(new RunQuery { Kind = RunKind.Flow, Limit = 20, PageToken = token }).AsTask());
        var byTokenCommand = await TimeAsync(() => CommandAsync(host, ["runs", "--limit", "20", "--page-token", token!]));
        var byOffset = await TimeAsync(() => store.QueryRunsAsync(new RunQuery { Kind = RunKind.Flow, Limit = 20, Offset = 49 * 20 }).AsTask());
        var deepOffset = await TimeAsync(() => store.QueryRunsAsync(new RunQuery { Kind = RunKind.Flow, Limit = 20, Offset = runs / 2 }).AsTask());
        met &= byTokenCommand < Target;
        Console.WriteLine($"| page 50 by --page-token         | {Ms(byToken),11} | {Ms(byTokenCommand),20} |");
        Console.WriteLine($"| page 50 by Offset (980)         | {Ms(byOffset),11} |                    - |");
        Console.WriteLine($"| Offset {runs / 2,-24:N0} | {Ms(deepOffset),11} |                    - |");

        // Pruning the older half, in batches of 500 flow runs, while a writer keeps saving runs: how long it takes and
        // the longest a single write waited meanwhile.
        var cutoff = DateTimeOffset.UtcNow - TimeSpan.FromSeconds(runs / 2);
        using var stopWriter = new CancellationTokenSource();
        var writer = Task.Run(() => WriteMeanwhileAsync(store, stopWriter.Token));
        clock.Restart();
        var pruned = await store.PruneAsync(new PruneRequest { EndedBefore = cutoff });
        var took = clock.Elapsed;
        await stopWriter.CancelAsync();
        var (writes, slowest) = await writer;
        Console.WriteLine();
        Console.WriteLine(
            $"Prune of runs ended before the middle: {pruned.FlowRuns:N0} top-level runs ({pruned.Runs:N0} runs in all) in {took.TotalSeconds:0.0} s "
            + $"({pruned.FlowRuns / took.TotalSeconds:N0} top-level runs / s); a writer saving one run at a time meanwhile made {writes:N0} writes, the slowest {Ms(slowest)}.");
        return met;
    }

    private static async Task<(int Writes, TimeSpan Slowest)> WriteMeanwhileAsync(IRunStore store, CancellationToken stop)
    {
        var writes = 0;
        var slowest = TimeSpan.Zero;
        while (!stop.IsCancellationRequested)
        {
            var clock = Stopwatch.StartNew();
            var id = Guid.CreateVersion7();
            await store.SaveRunAsync(new RunRecord { Id = id, FlowRunId = id, Kind = RunKind.Flow, Name = "writer", State = RunState.Running, CreatedAt = DateTimeOffset.UtcNow }, CancellationToken.None);
            slowest = clock.Elapsed > slowest ? clock.Elapsed : slowest;
            writes++;
        }

        return (writes, slowest);
    }

    private static async Task CommandAsync(IHost host, string[] args)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(TextWriter.Null), Ansi = AnsiSupport.No });
        var exit = await FlowsCommandLine.RunAsync(args, host, new FlowsCommandLineOptions { Output = console, Error = console, StoreOnly = true });
        if (exit != 0)
        {
            throw new InvalidOperationException($"flows {string.Join(' ', args)} exited with {exit}.");
        }
    }

    private static async Task<TimeSpan> TimeAsync(Func<Task> action)
    {
        await action();
        var times = new List<TimeSpan>();
        for (var i = 0; i < Rounds; i++)
        {
            var clock = Stopwatch.StartNew();
            await action();
            times.Add(clock.Elapsed);
        }

        times.Sort();
        return times[Rounds / 2];
    }

    private static string Ms(TimeSpan time) => time.TotalMilliseconds.ToString("0.0", CultureInfo.InvariantCulture) + " ms";

    private static string? Option(string[] args, string name)
    {
        var index = Array.IndexOf(args, name);
        return index >= 0 && index + 1 < args.Length ? args[index + 1] : null;
    }
}
