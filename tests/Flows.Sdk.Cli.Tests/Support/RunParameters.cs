using System.Text.Json;

namespace Flows.Cli.Tests.Support;

/// <summary>Parameters for <see cref="FlowEngine.RunAsync(string, IReadOnlyDictionary{string, JsonElement}?, CancellationToken)"/> from an anonymous object.</summary>
public static class RunParameters
{
    public static IReadOnlyDictionary<string, JsonElement> Of(object values) =>
        JsonSerializer.SerializeToElement(values).EnumerateObject().ToDictionary(p => p.Name, p => p.Value.Clone());
}
