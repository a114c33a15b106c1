using System.Collections;
using System.Text.Json;

namespace Flows.Orchestration;

/// <summary>
/// A flow parameter typed as text (on a command line, in a web form) as the JSON value a run by name takes, read against
/// the parameter's type: as text for a string, char or enum parameter; as a JSON value otherwise (<c>3</c>,
/// <c>true</c>, <c>[1,2]</c>, <c>{"a":1}</c>), and as text when it is not JSON (a date, a GUID, a time span); a
/// collection also takes a comma-separated list (<c>OH,PA</c>). Whether the value then binds is the engine's check
/// (<see cref="FlowCatalog.CheckParameters"/>), which names the flow, the parameter and the expected type.
/// </summary>
public static class ParameterText
{
    /// <summary>The JSON value <paramref name="text"/> stands for as a <paramref name="type"/> parameter (see the class's summary).</summary>
    /// <param name="type">The parameter's declared type (a nullable type is read as its underlying type).</param>
    /// <param name="text">The text as typed.</param>
    public static JsonElement ToJson(Type type, string text)
    {
        ArgumentNullException.ThrowIfNull(type);
        ArgumentNullException.ThrowIfNull(text);
        var target = Nullable.GetUnderlyingType(type) ?? type;
        if (IsText(target))
        {
            return JsonSerializer.SerializeToElement(text);
        }

        if (TryJson(text) is { } json)
        {
            return json;
        }

        if (ElementType(target) is { } element)
        {
            var items = text.Length == 0 ? [] : text.Split(',').Select(item => ToJson(element, item.Trim())).ToArray();
            return JsonSerializer.SerializeToElement(items);
        }

        // Not JSON: text, for types read from JSON strings (dates, GUIDs, spans); the engine says when it is not one.
        return JsonSerializer.SerializeToElement(text);
    }

    private static bool IsText(Type type) => type == typeof(string) || type == typeof(char) || type.IsEnum;

    private static Type? ElementType(Type type)
    {
        if (type == typeof(string) || !typeof(IEnumerable).IsAssignableFrom(type))
        {
            return null;
        }

        if (type.IsArray)
        {
            return type.GetElementType();
        }

        var enumerable = type.IsGenericType && type.GetGenericTypeDefinition() == typeof(IEnumerable<>)
            ? type
            : type.GetInterfaces().FirstOrDefault(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IEnumerable<>));
        return enumerable?.GetGenericArguments()[0] is { } item && !item.IsGenericType ? item : null;
    }

    private static JsonElement? TryJson(string text)
    {
        try
        {
            using var document = JsonDocument.Parse(text);
            return document.RootElement.Clone();
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
