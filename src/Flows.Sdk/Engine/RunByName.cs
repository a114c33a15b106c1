using System.Text.Json;
using Flows.CompilerServices;
using Flows.Runs;

namespace Flows.Engine;

/// <summary>Runs a flow found by its name, with parameters given as JSON values (<see cref="FlowEngine.RunAsync"/>).</summary>
internal static class RunByName
{
    /// <summary>
    /// Runs the flow on <paramref name="engine"/> and returns its run's record whatever its state; throws
    /// <see cref="FlowParameterException"/> before anything is recorded when a parameter is missing, unknown or of the
    /// wrong type, and <see cref="InvalidOperationException"/> when the flow failed before its run was recorded.
    /// </summary>
    public static async Task<RunRecord> RunAsync(FlowEngine engine, string flowName, IReadOnlyDictionary<string, JsonElement>? parameters, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(flowName);
        var descriptor = RunCatalog.FindFlow(flowName) ?? throw UnknownFlow(flowName);
        var binder = new ParameterBinder(descriptor, parameters ?? new Dictionary<string, JsonElement>(), engine.Services, engine.Secrets.Masker, cancellationToken);
        binder.RejectUnknown();

        var runId = RunIds.Next(engine.TimeProvider.GetUtcNow());
        using (engine.Use())
        {
            try
            {
                await descriptor.RunByNameAsync(engine, binder, runId, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not FlowParameterException)
            {
                // A run that started and failed is reported through its record; anything before that is an error.
                if (await engine.Store.GetRunAsync(runId, cancellationToken).ConfigureAwait(false) is null)
                {
                    throw new InvalidOperationException($"Flow '{flowName}' could not start: {ex.Message}", ex);
                }
            }
        }

        return await engine.Store.GetRunAsync(runId, cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidOperationException($"Flow '{flowName}' ran but its run {runId} is not in the store.");
    }

    private static ArgumentException UnknownFlow(string name)
    {
        var known = string.Join(", ", RunCatalog.Flows.Select(f => f.Name));
        return new ArgumentException(
            $"No flow is named '{name}'. Known flows: {(known.Length == 0 ? "(none; is the assembly that declares it loaded?)" : known)}.",
            nameof(name));
    }
}
