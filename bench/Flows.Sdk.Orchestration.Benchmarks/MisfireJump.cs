using System.Diagnostics;
using Microsoft.Extensions.Time.Testing;
using Quartz;

namespace Flows.Orchestration.Benchmarks;

/// <summary>
/// What a Quartz cron trigger does when a <see cref="FakeTimeProvider"/> jumps over ten of its slots at once (the shape
/// of an outage), per misfire instruction: the fires seen within two seconds of real time, with their slots.
/// <code>dotnet run -c Release --project bench/Flows.Sdk.Orchestration.Benchmarks -- misfire-jump</code>
/// </summary>
internal static class MisfireJump
{
    public const string Command = "misfire-jump";

    public static async Task<int> RunAsync()
    {
        foreach (var (name, apply) in new (string, Action<CronScheduleBuilder>)[]
                 {
                     ("smart policy (default)", _ => { }),
                     ("FireAndProceed", c => c.WithMisfireInstruction(CronTriggerMisfireInstruction.FireAndProceed)),
                     ("DoNothing", c => c.WithMisfireInstruction(CronTriggerMisfireInstruction.DoNothing)),
                     ("IgnoreMisfires", c => c.WithMisfireInstruction(CronTriggerMisfireInstruction.IgnoreMisfires)),
                 })
        {
            var start = new DateTimeOffset(2026, 1, 1, 0, 30, 0, TimeSpan.Zero);
            var clock = new FakeTimeProvider(start);
            var scheduler = await QuartzSchedulerBuilder
                .Create(q => q.UseInMemoryStore().UseDefaultThreadPool(maxConcurrency: 2).UseTimeProvider(clock)
                    .ConfigureScheduler(s => s.InstanceName = "misfire-" + name))
                .BuildScheduler();
            var job = JobBuilder.Create<DstYear.RecordFire>().WithIdentity("hourly").Build();
            await scheduler.ScheduleJob(job, TriggerBuilder.Create(clock).WithIdentity(name).StartAt(start)
                .WithCronSchedule("0 0 * * * ?", c => apply(c.InTimeZone(TimeZoneInfo.Utc))).Build());
            await scheduler.Start();
            clock.Advance(TimeSpan.FromMinutes(30));
            DstYear.RecordFire.Fired.TryTake(out _, TimeSpan.FromSeconds(10));
            clock.Advance(TimeSpan.FromHours(10) + TimeSpan.FromMinutes(5));
            var seen = new List<string>();
            var quiet = Stopwatch.StartNew();
            while (DstYear.RecordFire.Fired.TryTake(out var fire, TimeSpan.FromSeconds(2)))
            {
                seen.Add($"{fire.Slot.UtcDateTime:HH:mm}Z (fired {fire.FiredAt.UtcDateTime:HH:mm}Z)");
            }

            var next = (await scheduler.GetTrigger(new TriggerKey(name)))?.NextFireTimeUtc;
            Console.WriteLine($"{name}: after jumping from 01:00Z to 11:05Z over 10 hourly slots: {seen.Count} fire(s) [{string.Join(", ", seen)}]; next slot {next?.UtcDateTime:HH:mm}Z");
            await scheduler.Shutdown(waitForJobsToComplete: true);
        }

        return 0;
    }
}
