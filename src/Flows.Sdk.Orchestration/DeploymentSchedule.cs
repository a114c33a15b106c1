namespace Flows.Orchestration;

/// <summary>
/// One schedule of a deployment as its definition holds it (<see cref="DeploymentInfo.ScheduleDefinitions"/>): a crontab
/// line with its time zone, or an interval with its anchor. Exactly one of <see cref="Cron"/> and <see cref="Every"/> is set.
/// </summary>
/// <param name="Cron">The crontab line as written (<c>0 6 * * 1-5</c>, <c>@daily</c>), or null for an interval.</param>
/// <param name="TimeZone">The crontab's IANA or Windows zone id as written; null means UTC. Null for an interval.</param>
/// <param name="Every">The interval, or null for a crontab.</param>
/// <param name="Anchor">The instant the interval's grid is laid from; null means the Unix epoch. Null for a crontab.</param>
public sealed record DeploymentSchedule(string? Cron, string? TimeZone, TimeSpan? Every, DateTimeOffset? Anchor);
