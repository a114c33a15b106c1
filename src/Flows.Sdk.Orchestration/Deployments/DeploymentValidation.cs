using System.Text.Json;
using Flows.CompilerServices;
using Flows.Orchestration.Scheduling;

namespace Flows.Orchestration.Deployments;

/// <summary>
/// Checks every declared deployment before anything is scheduled - name, flow, parameters, schedules, zones,
/// policies - and either returns them all checked or throws one <see cref="DeploymentException"/> listing every problem.
/// </summary>
internal static class DeploymentValidation
{
    /// <summary>The longest name a deployment may have: Quartz's key columns hold 200 characters, and trigger names add a suffix.</summary>
    public const int MaxNameLength = 150;

    public static IReadOnlyList<Deployment> Validate(OrchestrationOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var declared = new List<DeploymentBuilder>();
        if (options.DeployFlowSchedules)
        {
            declared.AddRange(FromFlowAttributes());
        }

        declared.AddRange(options.Deployments);

        var errors = new List<DeploymentError>();
        var deployments = new List<Deployment>();
        var seen = new Dictionary<string, DeploymentBuilder>(StringComparer.Ordinal);
        foreach (var builder in declared)
        {
            var before = errors.Count;
            void Fail(string field, string problem) => errors.Add(new DeploymentError(builder.Name, field, problem));

            CheckName(builder, seen, Fail);
            var parameters = CheckFlowAndParameters(builder, Fail);
            var schedules = CheckSchedules(builder, Fail);
            CheckPolicies(builder, options, Fail);
            if (errors.Count == before)
            {
                deployments.Add(new Deployment(builder.Name, new DeploymentDefinition
                {
                    Flow = builder.Flow,
                    Schedules = builder.Schedules,
                    Parameters = new SortedDictionary<string, JsonElement>(parameters.ToDictionary(), StringComparer.Ordinal),
                    CatchUp = builder.CatchUpPolicy,
                    CatchUpLimit = builder.CatchUpLimit,
                    Overlap = builder.OverlapPolicy,
                    LateAfter = builder.LateAfterThreshold ?? options.LateAfter,
                    Description = builder.DescriptionText,
                    Tags = builder.TagList,
                    Queue = Queueing.QueueNames.ExecutionGroup(builder.QueueName),
                }, schedules));
            }
        }

        return errors.Count > 0 ? throw new DeploymentException(errors) : deployments;
    }

    /// <summary>A flow with <c>[Flow(Schedule = ...)]</c> is a deployment named after it, with no parameters.</summary>
    private static IEnumerable<DeploymentBuilder> FromFlowAttributes() =>
        RunCatalog.Flows
            .Where(f => !string.IsNullOrWhiteSpace(f.Options.Schedule))
            .Select(f => new DeploymentBuilder(f.Name, f.Name) { Origin = $"[Flow(Schedule = ...)] on {f.DeclaringType.Name}.{f.MethodName}" }
                .Cron(f.Options.Schedule!, f.Options.TimeZone));

    private static void CheckName(DeploymentBuilder builder, Dictionary<string, DeploymentBuilder> seen, Action<string, string> fail)
    {
        if (string.IsNullOrWhiteSpace(builder.Name))
        {
            fail("Name", "a non-empty name was expected");
        }
        else if (builder.Name.Length > MaxNameLength)
        {
            fail("Name", $"at most {MaxNameLength} characters were expected; it has {builder.Name.Length}");
        }
        else if (builder.Name.Any(c => char.IsControl(c) || c is '#' or '@'))
        {
            fail("Name", "a name without control characters, '#' or '@' was expected (they separate a deployment's trigger names)");
        }
        else if (!seen.TryAdd(builder.Name, builder))
        {
            fail("Name", $"a unique name was expected; it is declared by {seen[builder.Name].Origin} and again by {builder.Origin}");
        }
    }

    private static IReadOnlyDictionary<string, JsonElement> CheckFlowAndParameters(DeploymentBuilder builder, Action<string, string> fail)
    {
        var parameters = builder.ParameterValues ?? new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        if (builder.ParametersError is { } error)
        {
            fail("Parameters", error);
            return parameters;
        }

        if (string.IsNullOrWhiteSpace(builder.Flow) || !FlowCatalog.Exists(builder.Flow))
        {
            var known = string.Join(", ", RunCatalog.Flows.Select(f => f.Name));
            fail("Flow", $"the name of a loaded flow was expected; no flow is named '{builder.Flow}' (known flows: {(known.Length == 0 ? "none" : known)})");
            return parameters;
        }

        try
        {
            FlowCatalog.CheckParameters(builder.Flow, parameters);
        }
        catch (FlowParameterException ex)
        {
            var field = builder.Origin == "Deploy" ? $"Parameters.{ex.ParameterName}" : "Parameters";
            var hint = builder.Origin == "Deploy" ? string.Empty : $" ({builder.Origin} runs the flow with no parameters, so each must have a default)";
            fail(field, ex.Message + hint);
        }
        catch (ArgumentException ex)
        {
            fail("Flow", ex.Message);
        }

        return parameters;
    }

    private static List<Schedule> CheckSchedules(DeploymentBuilder builder, Action<string, string> fail)
    {
        var schedules = new List<Schedule>();
        if (builder.Schedules.Count == 0)
        {
            fail("Schedules", "at least one schedule was expected: call Cron(...) or Interval(...)");
        }

        var cron = 0;
        var interval = 0;
        foreach (var spec in builder.Schedules)
        {
            if (spec.Cron is not null)
            {
                var field = builder.Origin == "Deploy" ? $"Cron[{cron++}]" : "Schedule";
                var zone = CheckZone(spec.TimeZone, builder.Origin == "Deploy" ? $"{field}.timeZone" : "TimeZone", fail);
                if (!CrontabExpression.TryParse(spec.Cron, out var crontab, out var problem))
                {
                    fail(field, $"'{spec.Cron}' is not a valid crontab expression: {problem}");
                }
                else if (crontab.NextAfter(DateTimeOffset.UnixEpoch, TimeZoneInfo.Utc) is null)
                {
                    // Crontab has no year, so an expression that fires at no time after 1970 never fires at all.
                    fail(field, $"a crontab expression that fires was expected; '{spec.Cron}' names no day that exists (such as 30 February)");
                }
                else if (zone is not null)
                {
                    schedules.Add(Schedule.ForCron(spec, crontab!, zone));
                }
            }
            else
            {
                var field = $"Interval[{interval++}]";
                var every = spec.Every.GetValueOrDefault();
                if (every < TimeSpan.FromSeconds(1) || every.Ticks % TimeSpan.TicksPerSecond != 0)
                {
                    fail(field, $"a whole number of seconds, at least one, was expected; it is {every}");
                }
                else
                {
                    schedules.Add(Schedule.ForInterval(spec, every, spec.Anchor ?? DateTimeOffset.UnixEpoch));
                }
            }
        }

        return schedules;
    }

    private static TimeZoneInfo? CheckZone(string? timeZone, string field, Action<string, string> fail)
    {
        if (timeZone is null)
        {
            return TimeZoneInfo.Utc;
        }

        if (TimeZoneInfo.TryFindSystemTimeZoneById(timeZone, out var zone))
        {
            return zone;
        }

        fail(field, $"an IANA or Windows time zone id (such as America/New_York) was expected; '{timeZone}' is not known on this machine");
        return null;
    }

    private static void CheckPolicies(DeploymentBuilder builder, OrchestrationOptions options, Action<string, string> fail)
    {
        if (!Enum.IsDefined(builder.CatchUpPolicy))
        {
            fail("CatchUp", $"None, Latest or All was expected; it is {(int)builder.CatchUpPolicy}");
        }

        if (builder.CatchUpLimit < 1)
        {
            fail("CatchUp.limit", $"at least 1 was expected; it is {builder.CatchUpLimit}");
        }

        if (!Enum.IsDefined(builder.OverlapPolicy))
        {
            fail("Overlap", $"Allow, Skip, Queue or CancelRunning was expected; it is {(int)builder.OverlapPolicy}");
        }

        if (builder.QueueName is { } queue && Queueing.QueueNames.Problem(queue) is { } problem)
        {
            fail("Queue", problem);
        }

        var lateAfter = builder.LateAfterThreshold ?? options.LateAfter;
        if (lateAfter < TimeSpan.Zero)
        {
            fail(builder.LateAfterThreshold is null ? "LateAfter (Flows:Orchestration:LateAfter)" : "LateAfter", $"zero or more was expected; it is {lateAfter}");
        }
    }
}
