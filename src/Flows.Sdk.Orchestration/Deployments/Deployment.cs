using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

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

    /// <summary>The version of <see cref="CanonicalJson"/>'s form, hashed with it: a new form is a deliberate, one-time rewrite.</summary>
    internal const string HashFormat = "1";

    /// <summary>
    /// The definition as hashed: defaults, nulls and empty lists left out, so a field added to the definition later
    /// (with a default) does not change the hash of every stored deployment, and an upgrade rewrites none of them.
    /// </summary>
    private static readonly JsonSerializerOptions Canonical = new()
    {
        Converters = { new JsonStringEnumConverter() },
        TypeInfoResolver = new DefaultJsonTypeInfoResolver
        {
            Modifiers =
            {
                type =>
                {
                    foreach (var property in type.Properties)
                    {
                        // Replaces the ignore condition, so it leaves out nulls and value-type defaults itself.
                        var empty = property.PropertyType.IsValueType ? Activator.CreateInstance(property.PropertyType) : null;
                        property.ShouldSerialize = (_, value) => value is not (null or System.Collections.ICollection { Count: 0 }) && !value.Equals(empty);
                    }
                },
            },
        },
    };

    public Deployment(string name, DeploymentDefinition definition, IReadOnlyList<Schedule> schedules)
    {
        Name = name;
        Definition = definition;
        Schedules = schedules;
        DefinitionJson = JsonSerializer.Serialize(definition, Json);
        CanonicalJson = JsonSerializer.Serialize(definition, Canonical);
        Hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(HashFormat + "\n" + CanonicalJson)))[..32];
    }

    /// <summary>What <see cref="Hash"/> is computed over (after <see cref="HashFormat"/>).</summary>
    internal string CanonicalJson { get; }

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

    /// <summary>The queue its runs go to; null for <see cref="OrchestrationOptions.DefaultQueue"/> (so a deployment stored before queues keeps its hash).</summary>
    public string? Queue { get; init; }

    public static DeploymentDefinition Read(string json) =>
        JsonSerializer.Deserialize<DeploymentDefinition>(json, Deployment.Json)
        ?? throw new InvalidOperationException("A deployment's stored definition is empty.");
}
