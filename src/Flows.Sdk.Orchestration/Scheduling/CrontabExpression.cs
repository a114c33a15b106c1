using System.Diagnostics.CodeAnalysis;
using Quartz;

namespace Flows.Orchestration.Scheduling;

/// <summary>
/// A schedule written as crontab (cronie's reading), with the Quartz cron expressions that fire at the same times.
/// </summary>
/// <remarks>
/// <para>
/// Five fields, <c>minute hour day-of-month month day-of-week</c>, or six with a leading <c>second</c> field (as
/// Quartz, Hangfire and Cronos read six fields). Each field takes <c>*</c>, values, lists (<c>1,15</c>), ranges
/// (<c>1-5</c>) and steps (<c>*/15</c>, <c>1-30/5</c>, and <c>5/15</c> meaning <c>5-59/15</c> as cronie reads it).
/// Months take <c>JAN</c>-<c>DEC</c> and days of the week <c>SUN</c>-<c>SAT</c> (any case); day-of-week 0 and 7
/// are both Sunday. The macros <c>@yearly</c>, <c>@annually</c>, <c>@monthly</c>, <c>@weekly</c>,
/// <c>@daily</c>, <c>@midnight</c> and <c>@hourly</c> stand for their usual lines. Quartz-only syntax
/// (<c>?</c>, <c>L</c>, <c>W</c>, <c>#</c>) is rejected: crontab does not have it.
/// </para>
/// <para>
/// Crontab's day rule: when day-of-month and day-of-week are both restricted, a day matches if <em>either</em>
/// matches (<c>0 0 13 * 5</c> runs on the 13th and on every Friday). A Quartz expression cannot say that (one of
/// its two day fields must be <c>?</c>), so such a line becomes two Quartz expressions, one per day field, and
/// the schedule fires at the union of their times. A slot both produce (Friday the 13th) is one slot: the
/// scheduled run's key is derived from the deployment and the slot, so the second fire finds the run already
/// there. As in cronie, a day field written starting with <c>*</c> (even <c>*/2</c>) turns the rule into
/// "both must match"; that is accepted only when the other day field names every day.
/// </para>
/// </remarks>
public sealed class CrontabExpression
{
    private ZonedExpressions? _lastZone;

    private CrontabExpression(string expression, bool hasSeconds, IReadOnlyList<string> quartzExpressions)
    {
        Expression = expression;
        HasSeconds = hasSeconds;
        // An expression that can never fire (the day-of-month half of "0 0 30 2 1": 30 February) is dropped: Quartz
        // refuses to schedule a trigger that never fires, and the union of the others' times is the same.
        QuartzExpressions = [.. quartzExpressions.Where(quartz => new CronExpression(quartz).GetNextValidTimeAfter(DateTimeOffset.UnixEpoch) is not null)];
    }

    /// <summary>The expression as written.</summary>
    public string Expression { get; }

    /// <summary>Whether the expression has six fields, the first being seconds. Five-field expressions fire at second 0.</summary>
    public bool HasSeconds { get; }

    /// <summary>
    /// The Quartz cron expressions whose union of fire times is exactly this expression's: two when both day fields
    /// are restricted (one with day-of-week <c>?</c>, one with day-of-month <c>?</c>), fewer when one of them never
    /// fires, none for an expression that never fires (<c>0 0 30 2 *</c>). Internal: Quartz's dialect is not Flows' API.
    /// </summary>
    internal IReadOnlyList<string> QuartzExpressions { get; }

    /// <summary>Reads a crontab expression.</summary>
    /// <param name="expression">The expression, e.g. <c>0 6 * * 1-5</c> or <c>@daily</c>.</param>
    /// <returns>The parsed expression.</returns>
    /// <exception cref="FormatException">
    /// The expression is not valid crontab; the message names the field and what is wrong, e.g.
    /// <c>field 'day of week' (5th): '8' is out of range 0-7</c>.
    /// </exception>
    public static CrontabExpression Parse(string expression)
    {
        if (!TryParse(expression, out var result, out var error))
        {
            throw new FormatException($"'{expression}' is not a valid crontab expression: {error}");
        }

        return result;
    }

    /// <summary>Reads a crontab expression without throwing.</summary>
    /// <param name="expression">The expression, e.g. <c>0 6 * * 1-5</c> or <c>@daily</c>.</param>
    /// <param name="result">The parsed expression, or <see langword="null"/> when it is not valid.</param>
    /// <param name="error">
    /// When not valid, what is wrong and in which field, e.g. <c>field 'minute' (1st): '61' is out of range 0-59</c>;
    /// otherwise <see langword="null"/>.
    /// </param>
    /// <returns>Whether the expression is valid crontab.</returns>
    public static bool TryParse(string expression, [NotNullWhen(true)] out CrontabExpression? result, [NotNullWhen(false)] out string? error)
    {
        if (!CrontabSyntax.TryParse(expression, out var fields, out var problem))
        {
            result = null;
            error = problem!;
            return false;
        }

        result = new CrontabExpression(expression, fields!.HasSeconds, fields.QuartzExpressions);
        error = null;
        return true;
    }

    /// <summary>
    /// The first fire time strictly after <paramref name="after"/>, reading the expression in
    /// <paramref name="zone"/>: the earliest answer of the Quartz cron expressions this line is translated to (one, or two
    /// when both day fields are restricted), so it agrees with what the deployment's triggers fire at, daylight-saving
    /// days included.
    /// </summary>
    /// <param name="after">The instant to look after.</param>
    /// <param name="zone">The time zone the expression's clock times are read in.</param>
    /// <returns>The next fire time, or <see langword="null"/> when there is none (e.g. <c>0 0 30 2 *</c>).</returns>
    public DateTimeOffset? NextAfter(DateTimeOffset after, TimeZoneInfo zone)
    {
        ArgumentNullException.ThrowIfNull(zone);
        DateTimeOffset? next = null;
        foreach (var quartz in In(zone))
        {
            var candidate = quartz.GetNextValidTimeAfter(after);
            if (candidate is { } time && (next is null || time < next))
            {
                next = time;
            }
        }

        return next;
    }

    /// <inheritdoc />
    public override string ToString() => Expression;

    // Callers walk one schedule in one zone many times (a simulated year); Quartz's expressions are immutable, so
    // the last zone's are kept and swapped whole.
    private CronExpression[] In(TimeZoneInfo zone)
    {
        if (_lastZone is { } last && (ReferenceEquals(last.Zone, zone) || last.Zone.Equals(zone)))
        {
            return last.Expressions;
        }

        var expressions = QuartzExpressions.Select(quartz => new CronExpression(quartz, zone)).ToArray();
        _lastZone = new ZonedExpressions(zone, expressions);
        return expressions;
    }

    private sealed record ZonedExpressions(TimeZoneInfo Zone, CronExpression[] Expressions);
}
