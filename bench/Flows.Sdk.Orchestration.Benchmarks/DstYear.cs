using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Time.Testing;
using Quartz;

namespace Flows.Orchestration.Benchmarks;

/// <summary>
/// A year of two daily crons in America/New_York (<c>0 2 * * *</c> and <c>30 1 * * *</c>) on a Quartz scheduler with
/// an in-memory job store, driven by a <see cref="FakeTimeProvider"/>: the clock is moved to each trigger's next fire
/// time and the loop waits (on a signal, bounded in real time) for that fire before moving on. Prints the fires per
/// local day where a day does not have exactly one, the two DST days in full, and how long the year took.
/// <code>dotnet run -c Release --project bench/Flows.Sdk.Orchestration.Benchmarks -- dst-year [--year 2026]</code>
/// </summary>
internal static class DstYear
{
    public const string Command = "dst-year";

    private static readonly TimeZoneInfo NewYork = TimeZoneInfo.FindSystemTimeZoneById("America/New_York");

    public static async Task<int> RunAsync(string[] args)
    {
        var year = BenchArgs.Int(args, "--year", 2026);
        var start = new DateTimeOffset(year, 1, 1, 0, 0, 0, NewYork.GetUtcOffset(new DateTime(year, 1, 1)));
        var end = start.AddYears(1);
        var clock = new FakeTimeProvider(start);
        var scheduler = await QuartzSchedulerBuilder
            .Create(q => q.UseInMemoryStore().UseDefaultThreadPool(maxConcurrency: 2).UseTimeProvider(clock))
            .BuildScheduler();
        var job = JobBuilder.Create<RecordFire>().WithIdentity("year").StoreDurably().Build();
        await scheduler.AddJob(job, new AddJobOptions());
        var crons = new Dictionary<string, string> { ["0 2 * * *"] = "0 0 2 * * ?", ["30 1 * * *"] = "0 30 1 * * ?" };
        foreach (var (crontab, quartz) in crons)
        {
            await scheduler.ScheduleJob(TriggerBuilder.Create(clock).WithIdentity(crontab).ForJob(job)
                .WithCronSchedule(quartz, c => c.InTimeZone(NewYork)).StartAt(start).Build());
        }

        await scheduler.Start();
        var watch = Stopwatch.StartNew();
        var fires = new List<(string Trigger, DateTimeOffset Slot, DateTimeOffset FiredAt)>();
        while (true)
        {
            var next = new List<(string Name, DateTimeOffset At)>();
            foreach (var name in crons.Keys)
            {
                if ((await scheduler.GetTrigger(new TriggerKey(name)))?.NextFireTimeUtc is { } at)
                {
                    next.Add((name, at));
                }
            }

            var due = next.Min(n => n.At);
            if (due >= end)
            {
                break;
            }

            clock.SetUtcNow(due);
            var expected = next.Count(n => n.At == due);
            for (var i = 0; i < expected; i++)
            {
                if (!RecordFire.Fired.TryTake(out var fire, TimeSpan.FromSeconds(10)))
                {
                    Console.WriteLine($"no fire within 10 s of real time after moving the clock to {due:O}");
                    return 1;
                }

                fires.Add(fire);
            }
        }

        watch.Stop();
        await scheduler.Shutdown(waitForJobsToComplete: true);
        Report(fires, start, end, watch.Elapsed);
        return 0;
    }

    private static void Report(List<(string Trigger, DateTimeOffset Slot, DateTimeOffset FiredAt)> fires, DateTimeOffset start, DateTimeOffset end, TimeSpan elapsed)
    {
        Console.WriteLine($"{fires.Count} fires from {start:yyyy-MM-dd} to {end:yyyy-MM-dd} (America/New_York) in {elapsed.TotalMilliseconds:N0} ms of real time");
        foreach (var trigger in fires.Select(f => f.Trigger).Distinct())
        {
            var perDay = fires.Where(f => f.Trigger == trigger)
                .GroupBy(f => DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(f.Slot, NewYork).DateTime))
                .ToDictionary(g => g.Key, g => g.ToList());
            var days = Enumerable.Range(0, (int)(end - start).TotalDays).Select(d => DateOnly.FromDateTime(start.DateTime).AddDays(d)).ToList();
            var odd = days.Where(d => !perDay.TryGetValue(d, out var f) || f.Count != 1).ToList();
            Console.WriteLine($"'{trigger}': {perDay.Values.Sum(f => f.Count)} fires on {perDay.Count} of {days.Count} local days; days without exactly one fire: {(odd.Count == 0 ? "none" : string.Join(", ", odd.Select(d => $"{d:yyyy-MM-dd} ({(perDay.TryGetValue(d, out var f) ? f.Count : 0)})")))}");
            foreach (var day in new[] { "03-07", "03-08", "03-09", "10-31", "11-01", "11-02" }.Select(md => DateOnly.ParseExact($"{start.Year}-{md}", "yyyy-MM-dd", CultureInfo.InvariantCulture)))
            {
                var list = perDay.TryGetValue(day, out var f) ? f : [];
                Console.WriteLine($"    {day:yyyy-MM-dd}: {list.Count} fire(s){string.Concat(list.Select(x => $"; slot {x.Slot.UtcDateTime:HH:mm}Z = {TimeZoneInfo.ConvertTime(x.Slot, NewYork):HH:mm zzz} local, fired at {x.FiredAt.UtcDateTime:HH:mm:ss}Z"))}");
            }
        }
    }

    /// <summary>Hands each fire's trigger, slot and actual fire time to the loop.</summary>
    internal sealed class RecordFire : IJob
    {
        public static BlockingCollection<(string Trigger, DateTimeOffset Slot, DateTimeOffset FiredAt)> Fired { get; } = [];

        public ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken)
        {
            Fired.Add((context.Trigger.Key.Name, context.ScheduledFireTimeUtc ?? context.FireTimeUtc, context.FireTimeUtc));
            return ValueTask.CompletedTask;
        }
    }
}
