namespace Flows.Orchestration.Deployments;

/// <summary>One schedule as declared: a crontab with its zone, or an interval with its anchor. Checked by <see cref="DeploymentValidation"/>.</summary>
internal sealed record ScheduleSpec(string? Cron, string? TimeZone, TimeSpan? Every, DateTimeOffset? Anchor)
{
    /// <summary>How the schedule reads in a listing or an error: <c>cron '0 6 * * *' in America/New_York</c>, <c>every 00:15:00</c>.</summary>
    public string Describe() => Cron is not null
        ? $"cron '{Cron}' in {TimeZone ?? "UTC"}"
        : Anchor is { } anchor ? $"every {Every} from {anchor:O}" : $"every {Every}";
}
