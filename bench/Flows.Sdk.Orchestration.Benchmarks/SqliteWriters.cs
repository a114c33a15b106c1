using System.Collections.Concurrent;
using System.Diagnostics;
using Flows.Runs;
using Flows.Stores;
using Flows.Stores.Sqlite;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Quartz;

namespace Flows.Orchestration.Benchmarks;

/// <summary>
/// Should Quartz's SQLite job store share the run store's file? Two writers at full speed, alone and together: the
/// run store writing batches of one flow run and its task runs (each with two transitions) as fast as it can, and a
/// Quartz scheduler on <c>UseSqlite</c> firing <c>--triggers</c> simple triggers every second. Layouts: each writer
/// alone, both in one file (<c>flows.db</c>), both in two files of one folder (<c>quartz.db</c> in SQLite's default
/// rollback journal, and again with it switched to write-ahead logging). Prints run-store runs/s, Quartz fires/s,
/// trigger latency (actual fire time minus the slot) p50/p99, and every busy/locked error either writer met.
/// <code>dotnet run -c Release --project bench/Flows.Sdk.Orchestration.Benchmarks -- sqlite-writers [--seconds 15] [--triggers 200] [--batch 100]</code>
/// </summary>
internal static class SqliteWriters
{
    public const string Command = "sqlite-writers";

    public static async Task<int> RunAsync(string[] args)
    {
        var seconds = BenchArgs.Int(args, "--seconds", 15);
        var triggers = BenchArgs.Int(args, "--triggers", 200);
        var batch = BenchArgs.Int(args, "--batch", 100);
        Console.WriteLine($"{seconds} s per layout; run store: batches of 1 flow run + {batch - 1} task runs; Quartz: {triggers} triggers every 1 s ({Environment.ProcessorCount} cores, load average {BenchArgs.LoadAverage()}).");
        Console.WriteLine();
        Console.WriteLine("| layout | run store runs/s | Quartz fires/s | latency p50 ms | latency p99 ms | run-store busy errors | Quartz busy/locked log lines | Quartz errors |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var layout in new[] { Layout.RunStoreAlone, Layout.QuartzAlone, Layout.OneFile, Layout.TwoFiles, Layout.TwoFilesWal })
        {
            var folder = Directory.CreateTempSubdirectory("flows-sqlite-writers-");
            try
            {
                Console.WriteLine(await MeasureAsync(layout, folder.FullName, TimeSpan.FromSeconds(seconds), triggers, batch));
            }
            finally
            {
                SqliteConnection.ClearAllPools();
                folder.Delete(recursive: true);
            }
        }

        return 0;
    }

    private enum Layout
    {
        RunStoreAlone,
        QuartzAlone,
        OneFile,
        TwoFiles,
        TwoFilesWal,
    }

    private static async Task<string> MeasureAsync(Layout layout, string folder, TimeSpan duration, int triggers, int batch)
    {
        var runsPath = Path.Combine(folder, "flows.db");
        var quartzPath = layout == Layout.OneFile ? runsPath : Path.Combine(folder, "quartz.db");
        var withRunStore = layout != Layout.QuartzAlone;
        var withQuartz = layout != Layout.RunStoreAlone;
        await using var store = new SqliteRunStore(runsPath);
        await store.OpenAsync();
        if (layout == Layout.TwoFilesWal)
        {
            await using var connection = new SqliteConnection($"Data Source={quartzPath}");
            await connection.OpenAsync();
            await using var wal = connection.CreateCommand();
            wal.CommandText = "PRAGMA journal_mode=WAL";
            await wal.ExecuteScalarAsync();
        }

        var log = new CountingLoggerProvider();
        IScheduler? scheduler = null;
        if (withQuartz)
        {
            scheduler = await QuartzSchedulerBuilder.Create(q =>
            {
                q.Services.AddLogging(b => b.AddProvider(log));
                q.ConfigureScheduler(s => s.InstanceName = "bench-" + layout);
                q.UseDefaultThreadPool(maxConcurrency: 10);
                q.UsePersistentStore(s =>
                {
                    s.UseSqlite($"Data Source={quartzPath};Default Timeout=30");
                    s.ProvisionSchema();
                });
            }).BuildScheduler();
            await scheduler.Clear();
            var start = DateTimeOffset.UtcNow.AddSeconds(2);
            for (var i = 0; i < triggers; i++)
            {
                var job = JobBuilder.Create<LatencyJob>().WithIdentity("job-" + i).Build();
                await scheduler.ScheduleJob(job, TriggerBuilder.Create().WithIdentity("trigger-" + i).StartAt(start)
                    .WithSimpleSchedule(s => s.WithInterval(TimeSpan.FromSeconds(1)).RepeatForever()).Build());
            }

            await scheduler.Start();
            // Measure from the first slot, not from start-up.
            while (DateTimeOffset.UtcNow < start)
            {
                await Task.Delay(50);
            }
        }

        LatencyJob.Reset();
        var runs = 0L;
        var busy = 0;
        var watch = Stopwatch.StartNew();
        if (withRunStore)
        {
            while (watch.Elapsed < duration)
            {
                try
                {
                    await store.WriteAsync(Batch(batch));
                    runs += batch;
                }
                catch (RunStoreException ex) when (ex.ToString().Contains("busy", StringComparison.OrdinalIgnoreCase) || ex.ToString().Contains("locked", StringComparison.OrdinalIgnoreCase))
                {
                    busy++;
                }
            }
        }
        else
        {
            await Task.Delay(duration);
        }

        var elapsed = watch.Elapsed.TotalSeconds;
        var fires = LatencyJob.Latencies.ToArray();
        if (scheduler is not null)
        {
            await scheduler.Shutdown(waitForJobsToComplete: true);
        }

        Array.Sort(fires);
        return $"| {layout} | {(withRunStore ? (runs / elapsed).ToString("N0") : "-")} | {(withQuartz ? (fires.Length / elapsed).ToString("N0") : "-")} | {(withQuartz ? BenchArgs.Percentile(fires, 0.50).ToString("N0") : "-")} | {(withQuartz ? BenchArgs.Percentile(fires, 0.99).ToString("N0") : "-")} | {busy} | {log.BusyOrLocked} | {log.Errors} |";
    }

    private static RunWriteBatch Batch(int size)
    {
        var now = DateTimeOffset.UtcNow;
        var flow = Guid.CreateVersion7();
        var runs = new RunRecord[size];
        var transitions = new StateTransition[size * 2];
        for (var i = 0; i < size; i++)
        {
            var id = i == 0 ? flow : Guid.CreateVersion7();
            runs[i] = new RunRecord
            {
                Id = id,
                Kind = i == 0 ? RunKind.Flow : RunKind.Task,
                Name = i == 0 ? "bench-flow" : "bench-task",
                FlowRunId = i == 0 ? null : flow,
                ParentRunId = i == 0 ? null : flow,
                State = RunState.Completed,
                CreatedAt = now,
                StartedAt = now,
                EndedAt = now,
            };
            transitions[2 * i] = new StateTransition(id, RunState.Running, now, 1);
            transitions[(2 * i) + 1] = new StateTransition(id, RunState.Completed, now, 1);
        }

        return new RunWriteBatch { Runs = runs, Transitions = transitions };
    }

    /// <summary>Records how late each fire started after its slot, in milliseconds.</summary>
    internal sealed class LatencyJob : IJob
    {
        public static ConcurrentBag<double> Latencies { get; private set; } = [];

        public static void Reset() => Latencies = [];

        public ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken)
        {
            if (context.ScheduledFireTimeUtc is { } slot)
            {
                Latencies.Add((DateTimeOffset.UtcNow - slot).TotalMilliseconds);
            }

            return ValueTask.CompletedTask;
        }
    }

    /// <summary>Counts Quartz's error log lines, and those that mention a busy or locked database.</summary>
    private sealed class CountingLoggerProvider : ILoggerProvider, ILogger
    {
        private int _busyOrLocked;
        private int _errors;

        public int BusyOrLocked => _busyOrLocked;

        public int Errors => _errors;

        public ILogger CreateLogger(string categoryName) => this;

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var text = formatter(state, exception) + exception;
            if (text.Contains("busy", StringComparison.OrdinalIgnoreCase) || text.Contains("locked", StringComparison.OrdinalIgnoreCase))
            {
                Interlocked.Increment(ref _busyOrLocked);
            }

            if (logLevel >= LogLevel.Error)
            {
                Interlocked.Increment(ref _errors);
            }
        }

        public void Dispose()
        {
        }
    }
}
