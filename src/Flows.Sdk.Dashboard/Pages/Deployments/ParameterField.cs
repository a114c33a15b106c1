using System.Globalization;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;
using Flows.CompilerServices;

namespace Flows.Dashboard.Pages.Deployments;

/// <summary>How a parameter is typed into the run form: the control its type gets, and what the browser checks.</summary>
internal enum FieldKind
{
    /// <summary>A checkbox: <c>bool</c>.</summary>
    Checkbox,

    /// <summary>A number with step 1: the integer types.</summary>
    Integer,

    /// <summary>A number with any step: <c>float</c>, <c>double</c>, <c>decimal</c>.</summary>
    Number,

    /// <summary>A select of the names: an enum.</summary>
    Choice,

    /// <summary>Text a pattern checks: dates, times, spans, GUIDs.</summary>
    Pattern,

    /// <summary>Plain text: <c>string</c>, <c>char</c>.</summary>
    Text,

    /// <summary>A JSON textarea: arrays, lists, objects.</summary>
    Json,
}

/// <summary>
/// One parameter of a flow as a field of the run form: its control, the browser's checks (required, step, range,
/// pattern) and the flow's default (read from the method, shown as a placeholder). A [Secret] or
/// <see cref="CancellationToken"/> parameter is never a field.
/// </summary>
internal sealed record ParameterField(
    ParameterDescriptor Parameter,
    FieldKind Kind,
    bool Required,
    string? Pattern = null,
    string? Hint = null,
    string? Min = null,
    string? Max = null,
    string? Default = null,
    IReadOnlyList<string>? Choices = null)
{
    private static readonly JsonSerializerOptions DefaultJson = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };

    public string Name => Parameter.Name;

    /// <summary>The form field's name (prefixed, so no parameter meets the antiforgery token's).</summary>
    public string FormName => "p." + Parameter.Name;

    /// <summary>The element id of the control (and its error).</summary>
    public string Id => "param-" + Parameter.Name;

    /// <summary>The fields of <paramref name="flow"/>'s parameters a caller gives, in declaration order.</summary>
    public static IReadOnlyList<ParameterField> Of(RunDescriptor flow)
    {
        var defaults = Defaults(flow);
        return [.. flow.Parameters.Where(p => !p.IsCancellationToken && p.SecretName is null).Select(p => For(p, defaults.GetValueOrDefault(p.Name)))];
    }

    /// <summary>The [Secret] parameters: listed on the form as resolved when the run starts, never as fields.</summary>
    public static IReadOnlyList<ParameterDescriptor> Secrets(RunDescriptor flow) =>
        [.. flow.Parameters.Where(p => !p.IsCancellationToken && p.SecretName is not null)];

    internal static ParameterField For(ParameterDescriptor parameter, string? defaultText)
    {
        var type = Nullable.GetUnderlyingType(parameter.Type) ?? parameter.Type;
        var required = !parameter.HasDefault;
        var field = new ParameterField(parameter, FieldKind.Text, required, Default: defaultText);
        return Type.GetTypeCode(type) switch
        {
            _ when type.IsEnum => field with { Kind = FieldKind.Choice, Choices = Enum.GetNames(type) },
            TypeCode.Boolean => field with { Kind = FieldKind.Checkbox, Required = false },
            TypeCode.SByte or TypeCode.Byte or TypeCode.Int16 or TypeCode.UInt16 or TypeCode.Int32 or TypeCode.UInt32 or TypeCode.Int64 or TypeCode.UInt64 =>
                field with { Kind = FieldKind.Integer, Min = Limit(type, "MinValue"), Max = Limit(type, "MaxValue") },
            TypeCode.Single or TypeCode.Double or TypeCode.Decimal => field with { Kind = FieldKind.Number },
            TypeCode.Char => field with { Hint = "one character" },
            TypeCode.String => field,
            TypeCode.DateTime => field with { Kind = FieldKind.Pattern, Pattern = DateTimePattern, Hint = "a date and time, as 2026-01-05T06:00:00Z (or a date, 2026-01-05)" },
            _ when type == typeof(DateTimeOffset) => field with { Kind = FieldKind.Pattern, Pattern = DateTimePattern, Hint = "a date and time with its offset, as 2026-01-05T06:00:00Z or 2026-01-05T06:00:00-05:00" },
            _ when type == typeof(DateOnly) => field with { Kind = FieldKind.Pattern, Pattern = @"\d{4}-\d{2}-\d{2}", Hint = "a date, as 2026-01-05" },
            _ when type == typeof(TimeOnly) => field with { Kind = FieldKind.Pattern, Pattern = @"\d{2}:\d{2}(:\d{2}(\.\d{1,7})?)?", Hint = "a time of day, as 06:30 or 06:30:00" },
            _ when type == typeof(TimeSpan) => field with { Kind = FieldKind.Pattern, Pattern = @"-?(\d+\.)?\d{1,2}:\d{2}:\d{2}(\.\d{1,7})?", Hint = "a duration, as 01:30:00 or 2.00:00:00 (days.hours:minutes:seconds)" },
            _ when type == typeof(Guid) => field with { Kind = FieldKind.Pattern, Pattern = "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}", Hint = "a GUID, as 0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b" },
            _ when type != typeof(string) && typeof(System.Collections.IEnumerable).IsAssignableFrom(type) =>
                field with { Kind = FieldKind.Json, Hint = "a JSON array, as [\"a\", \"b\"], or a comma-separated list" },
            _ => field with { Kind = FieldKind.Json, Hint = "a JSON value, as {\"name\": \"value\"}" },
        };
    }

    /// <summary>ISO 8601 as System.Text.Json reads it: a date, or a date and time, optionally with Z or an offset.</summary>
    private const string DateTimePattern = @"\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,7})?)?(Z|[+\-]\d{2}:\d{2})?)?";

    private static string? Limit(Type type, string name) =>
        type.GetField(name, BindingFlags.Public | BindingFlags.Static)?.GetValue(null) is IFormattable value ? value.ToString(null, CultureInfo.InvariantCulture) : null;

    /// <summary>
    /// The defaults the flow's method declares, as text a field takes (<c>0.5</c>, <c>Calm</c>, <c>true</c>), found on
    /// the method the descriptor names; none when the method cannot be told apart from an overload.
    /// </summary>
    private static Dictionary<string, string> Defaults(RunDescriptor flow)
    {
        var names = flow.Parameters.Select(p => p.Name).ToList();
        var methods = flow.DeclaringType
            .GetMethods(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly)
            .Where(m => m.Name == flow.MethodName && m.GetParameters().Select(p => p.Name).SequenceEqual(names))
            .ToList();
        var defaults = new Dictionary<string, string>(StringComparer.Ordinal);
        if (methods.Count != 1)
        {
            return defaults;
        }

        foreach (var parameter in methods[0].GetParameters().Where(p => p.HasDefaultValue && p.DefaultValue is not null))
        {
            var value = parameter.ParameterType.IsEnum || Nullable.GetUnderlyingType(parameter.ParameterType)?.IsEnum == true
                ? Enum.ToObject(Nullable.GetUnderlyingType(parameter.ParameterType) ?? parameter.ParameterType, parameter.DefaultValue!)
                : parameter.DefaultValue!;
            defaults[parameter.Name!] = Text(JsonSerializer.SerializeToElement(value, value.GetType(), DefaultJson));
        }

        return defaults;
    }

    /// <summary>A JSON value as a field shows it: a string without its quotes, anything else as JSON.</summary>
    public static string Text(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString() ?? string.Empty,
        JsonValueKind.True => "true",
        JsonValueKind.False => "false",
        _ => value.GetRawText(),
    };
}
