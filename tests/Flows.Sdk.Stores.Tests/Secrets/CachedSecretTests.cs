using System.Text;
using Flows.Runs;
using Flows.Secrets;
using Flows.Stores;
using Flows.Stores.Sqlite;
using Microsoft.Data.Sqlite;

namespace Flows.Stores.Tests.Secrets;

/// <summary>
/// Cached results and their keys, on a real SQLite file: no form of a secret reaches the file or its write-ahead log,
/// a hit teaches the masker the task's secrets, and two different secrets never share an entry.
/// </summary>
[NonParallelizable] // StoreJobs counts its calls in static fields.
public sealed class CachedSecretTests
{
    private const string Secret = "Kq7-cache-leak-5e1d0a";
    private const string OtherSecret = "Zw4-another-key-77b3c1";

    private TempFolder _folder = null!;

    private string DbPath => _folder.File("flows.db");

    [SetUp]
    public void CreateFolder()
    {
        _folder = TestStores.NewFolder();
        StoreJobs.KeyedCalls = 0;
    }

    [TearDown]
    public void DeleteFolder()
    {
        SqliteConnection.ClearAllPools();
        _folder.Dispose();
    }

    [Test]
    public async Task CachedTasksWithSecrets_LeaveNoFormOfTheSecretInTheSqliteFileOrItsWal()
    {
        await using var store = new SqliteRunStore(DbPath);
        await using (var engine = Engine(store, Secret))
        using (engine.Use())
        {
            // Each twice: a miss that keeps (or refuses to keep) its result, then a hit or a second miss.
            Assert.That(StoreJobs.KeyedEcho("OH"), Is.EqualTo("OH?key=" + Secret), "the caller gets the real value");
            Assert.That(StoreJobs.KeyedEcho("OH"), Is.EqualTo("OH?key=" + Secret));
            StoreJobs.KeyedCount("OH");
            StoreJobs.KeyedCount("OH");
        }

        var runs = await store.QueryRunsAsync(new RunQuery { Name = "store-keyed-count" });
        Assert.That(runs.Select(r => r.State), Is.EqualTo(new[] { RunState.Cached, RunState.Completed }), "the result without a secret is cached");
        AssertNoFormOfTheSecretIn(DbPath, DbPath + "-wal");

        await store.DisposeAsync();
        SqliteConnection.ClearAllPools();
        AssertNoFormOfTheSecretIn(DbPath, DbPath + "-wal");
    }

    [Test]
    public async Task ASecretReadInTheTaskBody_AndReturnedEncoded_IsNotCached_NorStoredInClear()
    {
        await using var store = new SqliteRunStore(DbPath);
        await using (var engine = Engine(store, Secret))
        using (engine.Use())
        {
            await StoreJobs.BodySecret("OH");
            await StoreJobs.BodySecret("OH");
        }

        var runs = await store.QueryRunsAsync(new RunQuery { Name = "store-body-secret" });
        Assert.That(runs.Select(r => r.State), Is.EqualTo(new[] { RunState.Completed, RunState.Completed }), "never cached");
        await store.DisposeAsync();
        SqliteConnection.ClearAllPools();
        var basic = Convert.ToBase64String(Encoding.UTF8.GetBytes("etl:" + Secret));
        var bytes = File.ReadAllBytes(DbPath).Concat(File.Exists(DbPath + "-wal") ? File.ReadAllBytes(DbPath + "-wal") : []).ToArray();
        Assert.That(bytes.AsSpan().IndexOf(Encoding.UTF8.GetBytes(basic[4..^4])), Is.EqualTo(-1), "the base64 of the secret is not in the file");
        AssertNoFormOfTheSecretIn(DbPath, DbPath + "-wal");
    }

    [Test]
    public async Task AResultShowingASecret_IsNotCached_AndTheRunSaysWhy()
    {
        await using var store = new SqliteRunStore(DbPath);
        await using (var engine = Engine(store, Secret))
        using (engine.Use())
        {
            StoreJobs.KeyedEcho("PA");
            StoreJobs.KeyedEcho("PA");
        }

        var runs = await store.QueryRunsAsync(new RunQuery { Name = "store-keyed-echo" });
        Assert.That(runs.Select(r => r.State), Is.EqualTo(new[] { RunState.Completed, RunState.Completed }));
        Assert.That(runs.Select(r => r.Result), Is.All.EqualTo("\"PA?key=***\""));
        var logs = await store.GetLogsAsync(runs[1].Id);
        Assert.That(logs.Select(l => l.Message), Has.Some.Contains("its result shows a secret value, so it was not cached"));
    }

    [Test]
    public async Task ACacheHitInAFreshProcess_TeachesItsMaskerTheTasksSecrets()
    {
        await using (var store = new SqliteRunStore(DbPath))
        await using (var first = Engine(store, Secret))
        using (first.Use())
        {
            StoreJobs.KeyedCount("OH");
        }

        await using var reopened = new SqliteRunStore(DbPath);
        await using var next = Engine(reopened, Secret);
        using (next.Use())
        {
            StoreJobs.KeyedCount("OH");
        }

        Assert.That(StoreJobs.KeyedCalls, Is.EqualTo(1), "the second call was a hit");
        Assert.That(next.Redact("key " + Secret), Is.EqualTo("key ***"), "the hit resolved the secret, so it is masked from then on");
    }

    [Test]
    public async Task TwoDifferentSecrets_DoNotShareACacheEntry()
    {
        await using var store = new SqliteRunStore(DbPath);
        string withFirst;
        string withOther;
        await using (var first = Engine(store, Secret))
        using (first.Use())
        {
            withFirst = StoreJobs.KeyedCount("OH");
        }

        await using (var other = Engine(store, OtherSecret))
        using (other.Use())
        {
            withOther = StoreJobs.KeyedCount("OH");
        }

        Assert.That(StoreJobs.KeyedCalls, Is.EqualTo(2), "another secret is another call");
        Assert.That(withOther, Is.Not.EqualTo(withFirst));
        var keys = (await store.QueryRunsAsync(new RunQuery { Name = "store-keyed-count" })).Select(r => r.CacheKey).ToList();
        Assert.That(keys.Distinct().Count(), Is.EqualTo(2));
    }

    private static FlowEngine Engine(IRunStore store, string secret)
    {
        var options = new FlowEngineOptions { Store = store };
        options.Secrets.Providers.Add(new InlineSecretProvider([new("store-api-key", secret)]));
        return new FlowEngine(options);
    }

    /// <summary>The secret as text is stored in a SQLite file: UTF-8 (the database's encoding) and UTF-16, raw and as JSON.</summary>
    private static void AssertNoFormOfTheSecretIn(params string[] paths)
    {
        var forms = new[] { Secret, System.Text.Json.JsonEncodedText.Encode(Secret).Value }
            .SelectMany(text => new[] { ("UTF-8", Encoding.UTF8.GetBytes(text)), ("UTF-16", Encoding.Unicode.GetBytes(text)), ("UTF-16BE", Encoding.BigEndianUnicode.GetBytes(text)) })
            .ToList();
        foreach (var path in paths.Where(File.Exists))
        {
            var bytes = ReadShared(path);
            foreach (var (encoding, form) in forms)
            {
                Assert.That(bytes.AsSpan().IndexOf(form), Is.EqualTo(-1), $"{Path.GetFileName(path)} holds the secret as {encoding}");
            }
        }
    }

    /// <summary>The file's bytes while SQLite may still have it open.</summary>
    private static byte[] ReadShared(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }
}
