using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Flows.Orchestration.Deployments;

/// <summary>
/// A deployment after its checks: what the job store holds for it (<see cref="Definition"/>, serialised into the job)
/// and its schedules ready to compute slots.
/// </summary>
internal sealed class Deployment
{
    internal static readonly JsonSerializerOptions Json = new()
    {
        Converters = { new JsonStringEnumConverter() },
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public Deployment(string name, DeploymentDefinition definition, IReadOnlyList<Schedule> schedules)
    {
        Name = name;
        Definition = definition;
        Schedules = schedules;
        DefinitionJson = JsonSerializer.Serialize(definition, Json);
        Hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(DefinitionJson)))[..32];
    }

    public string Name { get; }

    /// <summary>A deployment as its job stores it (written by this or another node's code, checked when it was written).</summary>
    public static Deployment FromStored(string name, string definitionJson)
    {
        var definition = DeploymentDefinition.Read(definitionJson);
        var schedules = definition.Schedules.Select(spec => spec.Cron is not null
            ? Schedule.ForCron(spec, Scheduling.CrontabExpression.Parse(spec.Cron), spec.TimeZone is null ? TimeZoneInfo.Utc : TimeZoneInfo.FindSystemTimeZoneById(spec.TimeZone))
            : Schedule.ForInterval(spec, spec.Every!.Value, spec.Anchor ?? DateTimeOffset.UnixEpoch)).ToList();
        return new Deployment(name, definition, schedules);
    }

    public DeploymentDefinition Definition { get; }

    public IReadOnlyList<Schedule> Schedules { get; }

    /// <summary>The definition as stored in the job: everything a firing needs, so a node runs what the store says.</summary>
    public string DefinitionJson { get; }

    /// <summary>The content hash of <see cref="DefinitionJson"/>: reconcile rewrites a stored deployment only when it differs.</summary>
    public string Hash { get; }

    /// <summary>Every slot of every schedule in [from, to), oldest first, a slot two schedules share once; at most <paramref name="max"/> + 1 (so a caller can tell "more than max").</summary>
    public IReadOnlyList<DateTimeOffset> SlotsIn(DateTimeOffset from, DateTimeOffset to, int max)
    {
        var slots = new SortedSet<DateTimeOffset>();
        foreach (var schedule in Schedules)
        {
            foreach (var slot in schedule.SlotsIn(from, to))
            {
                slots.Add(slot);
                if (slots.Count > max + 1)
                {
                    // Later slots of this schedule cannot displace earlier ones of another: trim and stop this one.
                    slots.Remove(slots.Max);
                    break;
                }
            }
        }

        return [.. slots];
    }
}

/// <summary>What a deployment is, as stored in its job and hashed: the flow, its schedules, parameters and policies.</summary>
internal sealed record DeploymentDefinition
{
    public required string Flow { get; init; }

    public required IReadOnlyList<ScheduleSpec> Schedules { get; init; }

    /// <summary>Sorted by name, so the hash does not depend on the order they were written in.</summary>
    public required SortedDictionary<string, JsonElement> Parameters { get; init; }

    public CatchUp CatchUp { get; init; }

    public int CatchUpLimit { get; init; }

    public DeploymentOverlap Overlap { get; init; }

    public TimeSpan LateAfter { get; init; }

    public string? Description { get; init; }

    public IReadOnlyList<string> Tags { get; init; } = [];

    public static DeploymentDefinition Read(string json) =>
        JsonSerializer.Deserialize<DeploymentDefinition>(json, Deployment.Json)
        ?? throw new InvalidOperationException("A deployment's stored definition is empty.");
}
