using System.Text.Json;

namespace Flows.Orchestration.Deployments;

/// <summary>Parameters given as an object (anonymous, dictionary or a <see cref="JsonElement"/> object) as the named JSON values a run by name takes.</summary>
internal static class JsonParameters
{
    /// <summary>The values, or null and what is wrong (<paramref name="error"/>).</summary>
    public static Dictionary<string, JsonElement>? From(object parameters, out string? error)
    {
        try
        {
            var element = parameters is JsonElement json ? json : JsonSerializer.SerializeToElement(parameters, parameters.GetType());
            if (element.ValueKind != JsonValueKind.Object)
            {
                error = $"a JSON object of named parameters was expected; {parameters.GetType().Name} serialises to a JSON {element.ValueKind.ToString().ToLowerInvariant()}";
                return null;
            }

            error = null;
            return element.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.Clone(), StringComparer.Ordinal);
        }
        catch (Exception ex) when (ex is NotSupportedException or JsonException or InvalidOperationException)
        {
            error = $"{parameters.GetType().Name} could not be serialised to JSON: {ex.Message}";
            return null;
        }
    }
}
