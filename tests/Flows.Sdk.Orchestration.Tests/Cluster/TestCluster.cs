using System.Globalization;
using Flows.Runs;
using Flows.Stores;
using Flows.Stores.PostgreSql;

namespace Flows.Orchestration.Tests.Cluster;

/// <summary>
/// Replicas of one clustered application - Flows.Sdk.ClusterHelper child processes on a PostgreSQL database of the
/// test's own - and, on demand, a fourth process that is only a client (<see cref="IFlowClient"/>). The test reads what
/// the processes wrote to the store through <see cref="Store"/> and what they did through their lines
/// (<see cref="RunLines"/>). Disposing kills what is still running and drops the database.
/// </summary>
internal sealed class TestCluster : IAsyncDisposable
{
    /// <summary>The application (and so Quartz scheduler) name every process of a test cluster shares.</summary>
    public const string Application = "cluster-test";

    private const string Helper = "Flows.Sdk.ClusterHelper";

    private readonly ThrowAwayDatabase _database;
    private readonly ThrowAwayCluster? _server;
    private readonly Dictionary<string, string> _common;
    private readonly List<HelperProcess> _processes = [];
    private HelperProcess? _client;

    private TestCluster(ThrowAwayDatabase database, ThrowAwayCluster? server, IReadOnlyDictionary<string, string>? settings)
    {
        _database = database;
        _server = server;
        Store = database.OpenStore();
        _common = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["Flows:Store:ConnectionString"] = database.ConnectionString,
            ["Flows:Orchestration:Application"] = Application,
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            _common[key] = value;
        }
    }

    /// <summary>The run store the processes share, opened by the test.</summary>
    public PostgreSqlRunStore Store { get; }

    public string ConnectionString => _database.ConnectionString;

    /// <summary>The replicas started so far, killed ones included, in order of start.</summary>
    public IReadOnlyList<HelperProcess> Replicas => [.. _processes.Where(p => p != _client)];

    /// <summary>What every process wrote about the runs of its flows (<c>RUN</c> lines), in no particular order between processes.</summary>
    public IReadOnlyList<RunLine> RunLines => [.. Replicas.SelectMany(p => p.Lines).Select(RunLine.TryParse).OfType<RunLine>()];

    /// <summary>
    /// A fresh database on <paramref name="server"/> (the shared test server unless given; the cluster then owns it and
    /// stops it last) and <paramref name="replicas"/> replicas named <c>r1</c>, <c>r2</c>, ... on it, each configured by
    /// <paramref name="settings"/>; returns once all are ready.
    /// </summary>
    public static async Task<TestCluster> StartAsync(int replicas, IReadOnlyDictionary<string, string>? settings = null, ThrowAwayCluster? server = null)
    {
        ThrowAwayDatabase database;
        try
        {
            database = await ThrowAwayDatabase.CreateAsync(server?.ConnectionString);
        }
        catch
        {
            if (server is not null)
            {
                await server.DisposeAsync();
            }

            throw;
        }

        var cluster = new TestCluster(database, server, settings);
        try
        {
            await cluster.StartReplicasAsync([.. Enumerable.Range(1, replicas).Select(i => ("r" + i.ToString(CultureInfo.InvariantCulture), (IReadOnlyDictionary<string, string>?)null))]);
            return cluster;
        }
        catch
        {
            await cluster.WriteOutputAsync(TestContext.Out);
            await cluster.DisposeAsync();
            throw;
        }
    }

    /// <summary>Starts replicas at once, each with its own settings on top of the cluster's, and waits until all are ready.</summary>
    public async Task<IReadOnlyList<HelperProcess>> StartReplicasAsync(IReadOnlyList<(string Name, IReadOnlyDictionary<string, string>? Settings)> replicas)
    {
        var started = replicas.Select(r => Start(r.Name, r.Settings)).ToList();
        await Eventually.Within(Task.WhenAll(started.Select(p => p.ReadyAsync())));
        return started;
    }

    public HelperProcess Replica(string name) => Replicas.Single(p => p.Name == name);

    /// <summary>
    /// Enqueues <paramref name="count"/> runs of <paramref name="flow"/> from the client process, with
    /// <paramref name="parameters"/> (<c>name=value</c>), in <paramref name="queue"/> (the default queue when null);
    /// returns their run ids once all are enqueued.
    /// </summary>
    public async Task<IReadOnlyList<Guid>> EnqueueAsync(string flow, int count, string? queue = null, params string[] parameters)
    {
        var client = await ClientAsync();
        var before = Answers(client, "ENQUEUED").Count;
        await client.SendAsync($"enqueue {flow} {count.ToString(CultureInfo.InvariantCulture)} {queue ?? "-"} {string.Join(' ', parameters)}".TrimEnd());
        // A thousand enqueues, a few transactions each, take longer than a single wait's limit on a loaded machine.
        await Eventually.UntilAsync(
            () => Task.FromResult(Answers(client, "ENQUEUED").Count >= before + count || Answers(client, "ERROR").Count > 0),
            $"{count} runs of {flow} enqueued",
            TimeSpan.FromSeconds(30 + (count / 10)));
        Assert.That(Answers(client, "ERROR"), Is.Empty, "the client's errors");
        return [.. Answers(client, "ENQUEUED").Skip(before).Select(a => Guid.Parse(a[1]))];
    }

    /// <summary>Asks the client process to cancel <paramref name="run"/>; returns its answer (true: it was cancelled).</summary>
    public async Task<bool> CancelAsync(Guid run)
    {
        var client = await ClientAsync();
        var before = client.Lines.Count;
        await client.SendAsync($"cancel {run}");
        string[]? answer = null;
        await Eventually.Until(
            () => (answer = client.Lines.Skip(before).Select(l => l.Split(' ')).FirstOrDefault(a => a[0] == "ERROR" || (a is ["CANCEL", var id, _] && id == run.ToString()))) is not null,
            $"the client's answer to cancel {run}");
        Assert.That(answer![0], Is.EqualTo("CANCEL"), string.Join(' ', answer));
        return bool.Parse(answer[2]);
    }

    /// <summary>The deployments in the job store, as the client process lists them: name, code version, description.</summary>
    public async Task<IReadOnlyList<(string Name, string CodeVersion, string Description)>> DeploymentsAsync()
    {
        var client = await ClientAsync();
        var before = client.Lines.Count;
        await client.SendAsync("deployments");
        await Eventually.Until(() => client.Lines.Skip(before).Any(l => l.StartsWith("DEPLOYMENTS ", StringComparison.Ordinal) || l.StartsWith("ERROR ", StringComparison.Ordinal)), "the client's list of deployments");
        var answer = client.Lines.Skip(before).ToList();
        Assert.That(answer.Where(l => l.StartsWith("ERROR ", StringComparison.Ordinal)), Is.Empty, "the client's errors");
        return [.. answer.Where(l => l.StartsWith("DEPLOYMENT ", StringComparison.Ordinal)).Select(l => l.Split(' ', 4)).Select(p => (p[1], p[2], p[3]))];
    }

    /// <summary>The flow runs of <paramref name="flow"/> in the store.</summary>
    public async Task<IReadOnlyList<RunRecord>> RunsOfAsync(string flow) =>
        await Store.QueryRunsAsync(new RunQuery { Name = flow, Kind = RunKind.Flow, Limit = 100_000 });

    /// <summary>Waits, bounded by <paramref name="limit"/>, until every run of <paramref name="runs"/> has ended; returns their records.</summary>
    public async Task<IReadOnlyList<RunRecord>> EndedAsync(IReadOnlyCollection<Guid> runs, TimeSpan limit)
    {
        IReadOnlyList<RunRecord> ended = [];
        await Eventually.UntilAsync(
            async () =>
            {
                var wanted = runs.ToHashSet();
                ended = [.. (await Store.QueryRunsAsync(new RunQuery { Kind = RunKind.Flow, Limit = 100_000 })).Where(r => wanted.Contains(r.Id) && r.State.IsFinal())];
                return ended.Count == runs.Count;
            },
            $"{runs.Count} runs ended",
            limit);
        return ended;
    }

    /// <summary>Waits, bounded by <paramref name="limit"/>, until the record of <paramref name="run"/> satisfies <paramref name="condition"/>; returns it.</summary>
    public async Task<RunRecord> RunWhenAsync(Guid run, Func<RunRecord, bool> condition, string what, TimeSpan limit)
    {
        RunRecord? record = null;
        await Eventually.UntilAsync(async () => (record = await Store.GetRunAsync(run)) is { } r && condition(r), $"run {run} {what}", limit);
        return record!;
    }

    /// <summary>Waits until some replica wrote <paramref name="what"/> about <paramref name="run"/>; returns the line.</summary>
    public async Task<RunLine> LineAsync(Guid run, string what)
    {
        RunLine? line = null;
        await Eventually.Until(() => (line = RunLines.FirstOrDefault(l => l.RunId == run && l.What == what)) is not null, $"a replica wrote {what} for run {run}");
        return line!;
    }

    /// <summary>The store owner id of a process, by its pid (from the store's owners table).</summary>
    public async Task<Guid> OwnerOfAsync(int pid) =>
        (Guid)(await TestPostgres.ScalarAsync(ConnectionString, $"SELECT id FROM flows.flows_owners WHERE pid = {pid.ToString(CultureInfo.InvariantCulture)}"))!;

    /// <summary>Every process's output, for a failed test's report.</summary>
    public async Task WriteOutputAsync(TextWriter writer)
    {
        foreach (var process in _processes)
        {
            await writer.WriteLineAsync($"--- {process.Name}\n{process.Output}");
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            foreach (var process in _processes)
            {
                await process.DisposeAsync();
            }

            await Store.DisposeAsync();
        }
        finally
        {
            try
            {
                await _database.DisposeAsync();
            }
            finally
            {
                if (_server is not null)
                {
                    await _server.DisposeAsync();
                }
            }
        }
    }

    private static List<string[]> Answers(HelperProcess client, string kind) =>
        [.. client.Lines.Where(l => l.StartsWith(kind + " ", StringComparison.Ordinal)).Select(l => l.Split(' '))];

    private HelperProcess Start(string name, IReadOnlyDictionary<string, string>? settings)
    {
        var all = new Dictionary<string, string>(_common, StringComparer.Ordinal) { ["Helper:Name"] = name };
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            all[key] = value;
        }

        var process = HelperProcess.Start(Helper, name, all);
        _processes.Add(process);
        return process;
    }

    private async Task<HelperProcess> ClientAsync()
    {
        if (_client is null)
        {
            _client = Start("client", new Dictionary<string, string> { ["Helper:Mode"] = "client" });
            await Eventually.Within(_client.ReadyAsync());
        }

        return _client;
    }
}

/// <summary>A <c>RUN</c> line of a replica: what happened to which run, on which replica, when (see the helper's Replica.Line).</summary>
internal sealed record RunLine(string What, string Name, Guid RunId, Guid FlowRunId, int Attempt, string Replica, DateTimeOffset At)
{
    public static RunLine? TryParse(string line)
    {
        var p = line.Split(' ');
        return p is ["RUN", var what, var name, var run, var flowRun, var attempt, var replica, var at]
            ? new RunLine(what, name, Guid.Parse(run), Guid.Parse(flowRun), int.Parse(attempt, CultureInfo.InvariantCulture), replica,
                DateTimeOffset.FromUnixTimeMilliseconds(long.Parse(at, CultureInfo.InvariantCulture)))
            : null;
    }
}
