using System.Globalization;
using Flows.Orchestration.Scheduling;

namespace Flows.Orchestration.Tests.Scheduling;

public sealed class CrontabExpressionTests
{
    private const string Utc = "UTC";
    private const string NewYork = "America/New_York";

    // expression, zone, after, expected next fire time. Derived by hand from crontab(5) as cronie reads it, with
    // 2026-01-01 a Thursday, 2026-02-13 and 2026-03-13 Fridays, 2026-01-13 a Tuesday. New York leaves EST (-05:00)
    // for EDT (-04:00) at 2026-03-08 02:00 and returns at 2026-11-01 02:00.
    private static readonly object[] NextFireTimes =
    [
        // plain fields, strictly after
        new object[] { "* * * * *", Utc, "2026-01-01T00:00:00Z", "2026-01-01T00:01:00Z" },
        new object[] { "0 6 * * *", Utc, "2026-01-01T05:59:59Z", "2026-01-01T06:00:00Z" },
        new object[] { "0 6 * * *", Utc, "2026-01-01T06:00:00Z", "2026-01-02T06:00:00Z" },
        new object[] { "15,45 8 * * *", Utc, "2026-01-01T08:15:00Z", "2026-01-01T08:45:00Z" },

        // steps
        new object[] { "*/15 * * * *", Utc, "2026-01-01T10:07:00Z", "2026-01-01T10:15:00Z" },
        new object[] { "1-30/5 * * * *", Utc, "2026-01-01T10:27:00Z", "2026-01-01T11:01:00Z" },
        new object[] { "5/15 * * * *", Utc, "2026-01-01T10:21:00Z", "2026-01-01T10:35:00Z" },
        new object[] { "5/15 * * * *", Utc, "2026-01-01T10:50:00Z", "2026-01-01T11:05:00Z" },
        new object[] { "0 9-17/4 * * *", Utc, "2026-01-01T10:00:00Z", "2026-01-01T13:00:00Z" },
        new object[] { "0 12 */2 * *", Utc, "2026-01-01T12:00:00Z", "2026-01-03T12:00:00Z" },

        // day of month OR day of week when both are restricted
        new object[] { "0 0 13 * 5", Utc, "2026-01-10T00:00:00Z", "2026-01-13T00:00:00Z" },
        new object[] { "0 0 13 * 5", Utc, "2026-01-13T00:00:00Z", "2026-01-16T00:00:00Z" },
        new object[] { "0 0 13 * 5", Utc, "2026-02-06T00:00:00Z", "2026-02-13T00:00:00Z" },
        new object[] { "0 0 13 * 5", Utc, "2026-02-13T00:00:00Z", "2026-02-20T00:00:00Z" },
        new object[] { "0 0 1-7 * 1", Utc, "2026-01-07T00:00:00Z", "2026-01-12T00:00:00Z" },
        new object[] { "0 0 1 * 0-7", Utc, "2026-01-05T00:00:00Z", "2026-01-06T00:00:00Z" },

        // day of week: 0 and 7 are Sunday, names in any case, ranges through 7
        new object[] { "0 0 * * 0", Utc, "2026-01-01T00:00:00Z", "2026-01-04T00:00:00Z" },
        new object[] { "0 0 * * 7", Utc, "2026-01-01T00:00:00Z", "2026-01-04T00:00:00Z" },
        new object[] { "0 0 * * sun", Utc, "2026-01-01T00:00:00Z", "2026-01-04T00:00:00Z" },
        new object[] { "0 8 * * MON-FRI", Utc, "2026-01-02T08:00:00Z", "2026-01-05T08:00:00Z" },
        new object[] { "0 0 * * 5-7", Utc, "2026-01-03T00:00:00Z", "2026-01-04T00:00:00Z" },
        new object[] { "0 0 1 JAN,jul *", Utc, "2026-01-01T00:00:00Z", "2026-07-01T00:00:00Z" },
        new object[] { "0 0 1 Mar-May *", Utc, "2026-01-01T00:00:00Z", "2026-03-01T00:00:00Z" },

        // days that some months lack
        new object[] { "0 0 31 * *", Utc, "2026-02-01T00:00:00Z", "2026-03-31T00:00:00Z" },
        new object[] { "0 0 29 2 *", Utc, "2026-01-01T00:00:00Z", "2028-02-29T00:00:00Z" },

        // macros
        new object[] { "@yearly", Utc, "2026-01-01T00:00:00Z", "2027-01-01T00:00:00Z" },
        new object[] { "@annually", Utc, "2026-06-01T00:00:00Z", "2027-01-01T00:00:00Z" },
        new object[] { "@monthly", Utc, "2026-01-15T00:00:00Z", "2026-02-01T00:00:00Z" },
        new object[] { "@weekly", Utc, "2026-01-01T00:00:00Z", "2026-01-04T00:00:00Z" },
        new object[] { "@daily", Utc, "2026-01-01T12:00:00Z", "2026-01-02T00:00:00Z" },
        new object[] { "@midnight", Utc, "2026-01-01T12:00:00Z", "2026-01-02T00:00:00Z" },
        new object[] { "@hourly", Utc, "2026-01-01T12:30:00Z", "2026-01-01T13:00:00Z" },

        // a sixth, leading, seconds field
        new object[] { "30 * * * * *", Utc, "2026-01-01T10:00:00Z", "2026-01-01T10:00:30Z" },
        new object[] { "* 5 * * * *", Utc, "2026-01-01T10:05:58Z", "2026-01-01T10:05:59Z" },
        new object[] { "* 5 * * * *", Utc, "2026-01-01T10:05:59Z", "2026-01-01T11:05:00Z" },
        new object[] { "*/10 0 12 * * *", Utc, "2026-01-01T12:00:55Z", "2026-01-02T12:00:00Z" },
        new object[] { "0 0 0 13 * 5", Utc, "2026-01-10T00:00:00Z", "2026-01-13T00:00:00Z" },

        // New York: clock times are the zone's, on either side of daylight saving time
        new object[] { "0 6 * * *", NewYork, "2026-01-01T00:00:00-05:00", "2026-01-01T06:00:00-05:00" },
        new object[] { "0 12 * * *", NewYork, "2026-03-08T00:00:00-05:00", "2026-03-08T12:00:00-04:00" },
        new object[] { "0 0 13 * 5", NewYork, "2026-02-06T00:00:00-05:00", "2026-02-13T00:00:00-05:00" },

        // spring forward, 2026-03-08: 02:00-02:59 does not exist. cronie runs a fixed-time job whose time the
        // jump skipped right after the jump (03:00 EDT), once; wildcard jobs resume at the new time.
        new object[] { "30 2 * * *", NewYork, "2026-03-08T00:00:00-05:00", "2026-03-08T03:00:00-04:00" },
        new object[] { "30 2 * * *", NewYork, "2026-03-08T03:00:00-04:00", "2026-03-09T02:30:00-04:00" },
        new object[] { "0 2 * * *", NewYork, "2026-03-07T02:00:00-05:00", "2026-03-08T03:00:00-04:00" },
        new object[] { "0 2 * * *", NewYork, "2026-03-08T03:00:00-04:00", "2026-03-09T02:00:00-04:00" },
        new object[] { "0 3 * * *", NewYork, "2026-03-08T00:00:00-05:00", "2026-03-08T03:00:00-04:00" },
        new object[] { "*/30 * * * *", NewYork, "2026-03-08T01:30:00-05:00", "2026-03-08T03:00:00-04:00" },

        // fall back, 2026-11-01: 01:00-01:59 happens twice. cronie runs a fixed-time job once, at the first
        // 01:30 (EDT); wildcard jobs run in both copies of the hour.
        new object[] { "30 1 * * *", NewYork, "2026-11-01T00:00:00-04:00", "2026-11-01T01:30:00-04:00" },
        new object[] { "30 1 * * *", NewYork, "2026-11-01T01:30:00-04:00", "2026-11-02T01:30:00-05:00" },
        new object[] { "0 * * * *", NewYork, "2026-11-01T01:00:00-04:00", "2026-11-01T01:00:00-05:00" },
        // looked up from inside the second 01:00 hour (a host started then), the clock reads 01:30 once more ahead
        new object[] { "30 1 * * *", NewYork, "2026-11-01T01:10:00-05:00", "2026-11-01T01:30:00-05:00" },
        new object[] { "0 2 * * *", NewYork, "2026-11-01T00:00:00-04:00", "2026-11-01T02:00:00-05:00" },
    ];

    private static readonly object[] BadExpressions =
    [
        new object[] { "", "empty" },
        new object[] { "   ", "empty" },
        new object[] { "* * * *", "expected 5 fields (minute hour day-of-month month day-of-week) or 6 with seconds first, but found 4" },
        new object[] { "0 0 0 1 1 * 2026", "but found 7" },
        new object[] { "61 * * * *", "field 'minute' (1st): '61' is out of range 0-59" },
        new object[] { "0 24 * * *", "field 'hour' (2nd): '24' is out of range 0-23" },
        new object[] { "0 0 0 * *", "field 'day of month' (3rd): '0' is out of range 1-31" },
        new object[] { "0 0 * 13 *", "field 'month' (4th): '13' is out of range 1-12" },
        new object[] { "0 0 * * 8", "field 'day of week' (5th): '8' is out of range 0-7" },
        new object[] { "60 * * * * *", "field 'second' (1st): '60' is out of range 0-59" },
        new object[] { "0 0 0 * * 8", "field 'day of week' (6th): '8' is out of range 0-7" },
        new object[] { "99999999999 * * * *", "field 'minute' (1st): '99999999999' is out of range 0-59" },
        new object[] { "*/0 * * * *", "field 'minute' (1st): step 0 in '*/0' is out of range 1-60" },
        new object[] { "*/x * * * *", "step 'x' in '*/x' is not a number" },
        new object[] { "/5 * * * *", "'/5' has nothing before the '/'" },
        new object[] { "0 22-2 * * *", "field 'hour' (2nd): range '22-2' is reversed; crontab ranges go from low to high (to wrap, list two ranges: '22-23,0-2')" },
        new object[] { "0 0 * FOO *", "field 'month' (4th): 'FOO' is neither a number 1-12 nor a name JAN-DEC" },
        new object[] { "0 0 * * MONDAY", "field 'day of week' (5th): 'MONDAY' is neither a number 0-7 nor a name SUN-SAT" },
        new object[] { "0 0 * * MON-", "field 'day of week' (5th): a range is missing a value" },
        new object[] { "a * * * *", "field 'minute' (1st): 'a' is not a number 0-59" },
        new object[] { "1,,2 * * * *", "field 'minute' (1st): a list has an empty element" },
        new object[] { "0 0 ? * MON", "field 'day of month' (3rd): '?' uses '?', which is Quartz cron syntax that crontab does not have; write '*'" },
        new object[] { "0 0 L * *", "field 'day of month' (3rd): 'L' uses 'L' or 'W' (last day, nearest weekday), which is Quartz cron syntax that crontab does not have" },
        new object[] { "0 0 15W * *", "'15W' uses 'L' or 'W'" },
        new object[] { "0 0 * * 5L", "field 'day of week' (5th): '5L' uses 'L' or 'W'" },
        new object[] { "0 0 * * 6#3", "field 'day of week' (5th): '6#3' uses '#' (nth weekday of the month), which is Quartz cron syntax that crontab does not have" },
        new object[] { "@reboot", "'@reboot' runs when cron itself starts, which is not a schedule" },
        new object[] { "@fortnightly", "'@fortnightly' is not a crontab macro; expected @yearly, @annually, @monthly, @weekly, @daily, @midnight or @hourly" },
        new object[] { "0 0 */2 * 1", "fields 'day of month' ('*/2') and 'day of week' ('1') both leave days out and one starts with '*'" },
    ];

    [TestCaseSource(nameof(NextFireTimes))]
    public void NextAfter_IsTheNextTimeCrontabRunsAt(string expression, string zone, string after, string expected)
    {
        var crontab = CrontabExpression.Parse(expression);

        var next = crontab.NextAfter(Instant(after), TimeZoneInfo.FindSystemTimeZoneById(zone));

        Assert.That(next, Is.EqualTo(Instant(expected)), string.Join(" | ", crontab.QuartzExpressions));
    }

    [TestCaseSource(nameof(BadExpressions))]
    public void TryParse_NamesTheFieldAndWhatIsWrong(string expression, string fragment)
    {
        var parsed = CrontabExpression.TryParse(expression, out var result, out var error);

        Assert.Multiple(() =>
        {
            Assert.That(parsed, Is.False);
            Assert.That(result, Is.Null);
            Assert.That(error, Does.Contain(fragment));
        });
    }

    [Test]
    public void Parse_ThrowsAFormatExceptionQuotingTheExpressionAndTheProblem()
    {
        Assert.That(
            () => CrontabExpression.Parse("0 0 * * 8"),
            Throws.InstanceOf<FormatException>().With.Message.EqualTo("'0 0 * * 8' is not a valid crontab expression: field 'day of week' (5th): '8' is out of range 0-7"));
    }

    [Test]
    public void QuartzExpressions_AreTwoWhenBothDayFieldsAreRestricted()
    {
        var crontab = CrontabExpression.Parse("0 0 13 * 5");

        Assert.That(crontab.QuartzExpressions, Is.EqualTo(new[] { "0 0 0 13 * ?", "0 0 0 ? * 6" }));
    }

    [TestCase("*/15 9-17 * * mon-fri", false, "0 0,15,30,45 9-17 ? * 2-6")]
    [TestCase("0 6 * * *", false, "0 0 6 * * ?")]
    [TestCase("0 0 * * 0,7", false, "0 0 0 ? * 1")]
    [TestCase("5 0 0 1 */3 *", true, "5 0 0 1 1,4,7,10 ?")]
    [TestCase("@weekly", false, "0 0 0 ? * 1")]
    [TestCase("* */20 * * * *", true, "0-59 0,20,40 * * * ?")]
    public void QuartzExpressions_SayTheSameInQuartzNumbering(string expression, bool hasSeconds, string quartz)
    {
        var crontab = CrontabExpression.Parse(expression);

        Assert.Multiple(() =>
        {
            Assert.That(crontab.Expression, Is.EqualTo(expression));
            Assert.That(crontab.HasSeconds, Is.EqualTo(hasSeconds));
            Assert.That(crontab.QuartzExpressions, Is.EqualTo(new[] { quartz }));
        });
    }

    [Test]
    public void NextAfter_ReadsEachCallInItsOwnZone()
    {
        var crontab = CrontabExpression.Parse("0 6 * * *");
        var newYork = TimeZoneInfo.FindSystemTimeZoneById(NewYork);
        var after = Instant("2026-01-01T00:00:00Z");

        var times = new[] { crontab.NextAfter(after, TimeZoneInfo.Utc), crontab.NextAfter(after, newYork), crontab.NextAfter(after, TimeZoneInfo.Utc) };

        Assert.That(times, Is.EqualTo(new DateTimeOffset?[] { Instant("2026-01-01T06:00:00Z"), Instant("2026-01-01T11:00:00Z"), Instant("2026-01-01T06:00:00Z") }));
    }

    [TestCase("0 2 * * *", "2026-03-08T03:00:00-04:00")]
    [TestCase("30 2 * * *", "2026-03-08T03:00:00-04:00")]
    [TestCase("30 1 * * *", "2026-11-01T01:30:00-04:00")]
    public void NextAfter_OverTheYear2026InNewYork_FiresOnceEveryDay(string expression, string onTheDstDay)
    {
        var zone = TimeZoneInfo.FindSystemTimeZoneById(NewYork);

        var fires = FiresIn2026(CrontabExpression.Parse(expression), zone);

        var days = fires.Select(fire => DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(fire, zone).DateTime)).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(fires, Has.Count.EqualTo(365));
            Assert.That(days, Is.Unique);
            Assert.That(fires, Does.Contain(Instant(onTheDstDay)));
        });
    }

    [Test]
    public void NextAfter_OverTheYear2026_FiresOnEveryThirteenthAndEveryFridayOnce()
    {
        var expected = Enumerable.Range(0, 365)
            .Select(day => new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero).AddDays(day))
            .Where(day => day.Day == 13 || day.DayOfWeek == DayOfWeek.Friday)
            .ToList();

        var fires = FiresIn2026(CrontabExpression.Parse("0 0 13 * 5"), TimeZoneInfo.Utc);

        Assert.That(fires, Is.EqualTo(expected));
    }

    [Test]
    public void NextAfter_IsNullWhenTheExpressionNeverFires()
    {
        var crontab = CrontabExpression.Parse("0 0 30 2 *");

        Assert.That(crontab.NextAfter(Instant("2026-01-01T00:00:00Z"), TimeZoneInfo.Utc), Is.Null);
    }

    // Every fire time from 2026-01-01 00:00 to 2027-01-01 00:00 in the zone, the first included.
    private static List<DateTimeOffset> FiresIn2026(CrontabExpression crontab, TimeZoneInfo zone)
    {
        var start = new DateTimeOffset(2026, 1, 1, 0, 0, 0, zone.GetUtcOffset(new DateTime(2026, 1, 1)));
        var end = new DateTimeOffset(2027, 1, 1, 0, 0, 0, zone.GetUtcOffset(new DateTime(2027, 1, 1)));
        var fires = new List<DateTimeOffset>();
        for (var next = crontab.NextAfter(start.AddTicks(-1), zone); next < end; next = crontab.NextAfter(next.Value, zone))
        {
            fires.Add(next.Value);
        }

        return fires;
    }

    private static DateTimeOffset Instant(string text) => DateTimeOffset.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.None);
}
