using System.Text.Json;
using Flows.CompilerServices;
using Flows.Engine;

namespace Flows;

/// <summary>
/// The flows the loaded assemblies declare, for callers that start them by name (a scheduler checking its deployments
/// when it starts, a command line): whether a flow exists, and whether parameters would be accepted, without running anything.
/// </summary>
public static class FlowCatalog
{
    /// <summary>True when a loaded assembly declares a flow named <paramref name="flowName"/>.</summary>
    public static bool Exists(string flowName)
    {
        ArgumentNullException.ThrowIfNull(flowName);
        return RunCatalog.FindFlow(flowName) is not null;
    }

    /// <summary>
    /// Checks parameters as a run by name checks them before anything is recorded, without running the flow or
    /// creating its class: every required parameter given, none unknown, each value readable as its parameter's type.
    /// A flow's <see cref="CancellationToken"/> and <see cref="SecretAttribute"/> parameters are not the caller's to give:
    /// a value for either is refused (a secret must come from its secret provider, never from parameters kept in code or configuration).
    /// </summary>
    /// <exception cref="ArgumentException">No flow has that name; the message lists the known ones.</exception>
    /// <exception cref="FlowParameterException">A parameter is missing, unknown, secret or of the wrong type; the message names the flow, the parameter and what was expected.</exception>
    public static void CheckParameters(string flowName, IReadOnlyDictionary<string, JsonElement>? parameters)
    {
        var (descriptor, binder) = RunByName.Bind(null, flowName, parameters, services: null, CancellationToken.None, refuseSecrets: true);
        descriptor.BindParameters(binder, engine: null);
    }
}
