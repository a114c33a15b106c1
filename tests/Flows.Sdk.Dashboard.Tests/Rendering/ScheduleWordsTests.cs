using Flows.Dashboard.Rendering;
using Flows.Orchestration;

namespace Flows.Dashboard.Tests.Rendering;

/// <summary>Schedules in words: what a deployments page says for each kind of schedule.</summary>
public sealed class ScheduleWordsTests
{
    [TestCase("0 6 * * 1-5", "America/New_York", "every weekday at 06:00 America/New_York")]
    [TestCase("0 6 * * MON-FRI", "America/New_York", "every weekday at 06:00 America/New_York")]
    [TestCase("*/15 * * * *", null, "every 15 minutes")]
    [TestCase("0/5 * * * *", "Europe/Paris", "every 5 minutes")]
    [TestCase("* * * * *", null, "every minute")]
    [TestCase("30 2 1 * *", null, "at 02:30 UTC on day 1 of every month")]
    [TestCase("0 0 1,15 * *", "Europe/Paris", "at 00:00 Europe/Paris on days 1 and 15 of every month")]
    [TestCase("0 9 1 1,7 *", null, "at 09:00 UTC on day 1 of January and July")]
    [TestCase("0 6 * * *", "America/New_York", "every day at 06:00 America/New_York")]
    [TestCase("0 6,18 * * *", null, "every day at 06:00 and 18:00 UTC")]
    [TestCase("15 * * * *", null, "every hour at :15")]
    [TestCase("0 * * * *", null, "every hour")]
    [TestCase("@hourly", null, "every hour")]
    [TestCase("@daily", null, "every day at 00:00 UTC")]
    [TestCase("@weekly", "Asia/Tokyo", "every Sunday at 00:00 Asia/Tokyo")]
    [TestCase("0 12 * * 1,3,5", null, "every Monday, Wednesday and Friday at 12:00 UTC")]
    [TestCase("0 10 * * 6,0", null, "every Saturday and Sunday at 10:00 UTC")]
    [TestCase("0 10 * * 7", null, "every Sunday at 10:00 UTC")]
    [TestCase("5 */6 * * *", "America/New_York", "every 6 hours from 00:05 America/New_York")]
    [TestCase("0 0 6 * * 1-5", "America/New_York", "every weekday at 06:00 America/New_York")]
    public void ACrontab_ReadsAsPeopleSayIt(string cron, string? zone, string words) =>
        Assert.That(ScheduleWords.Describe(new DeploymentSchedule(cron, zone, null, null)), Is.EqualTo(words));

    [TestCase("5,35 */3 * * 2", "America/New_York", "cron 5,35 */3 * * 2 in America/New_York")]
    [TestCase("*/7 * * * *", null, "cron */7 * * * * in UTC")]
    [TestCase("0 6 1 * 1", null, "cron 0 6 1 * 1 in UTC")]
    [TestCase("30 0 6 * * *", null, "cron 30 0 6 * * * in UTC")]
    [TestCase("0 1,2,3,4,5 * * *", null, "cron 0 1,2,3,4,5 * * * in UTC")]
    public void ACrontabWordsCannotSayExactly_IsShownAsWritten_WithItsZone(string cron, string? zone, string words) =>
        Assert.That(ScheduleWords.Describe(new DeploymentSchedule(cron, zone, null, null)), Is.EqualTo(words));

    [TestCase("00:15:00", "every 15 minutes")]
    [TestCase("01:00:00", "every hour")]
    [TestCase("02:00:00", "every 2 hours")]
    [TestCase("01:30:00", "every 90 minutes")]
    [TestCase("1.00:00:00", "every day")]
    [TestCase("00:00:45", "every 45 seconds")]
    public void AnInterval_ReadsInItsLargestWholeUnit(string every, string words) =>
        Assert.That(ScheduleWords.Describe(new DeploymentSchedule(null, null, TimeSpan.Parse(every, System.Globalization.CultureInfo.InvariantCulture), null)), Is.EqualTo(words));

    [Test]
    public void AnAnchoredInterval_SaysWhereItsGridStarts() =>
        Assert.That(
            ScheduleWords.Describe(new DeploymentSchedule(null, null, TimeSpan.FromHours(1), new DateTimeOffset(2026, 1, 5, 0, 30, 0, TimeSpan.Zero))),
            Is.EqualTo("every hour from 2026-01-05 00:30:00 UTC"));
}
