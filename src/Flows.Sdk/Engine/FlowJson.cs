using System.Text.Json;
using System.Text.Json.Serialization;

namespace Flows.Engine;

/// <summary>The JSON settings used for parameters and results.</summary>
internal static class FlowJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        NumberHandling = JsonNumberHandling.Strict,
        Converters = { new JsonStringEnumConverter() },
    };
}
