using System.ComponentModel;
using System.Text.Json;
using Flows.Engine;
using Flows.Secrets.Masking;
using Microsoft.Extensions.DependencyInjection;

namespace Flows.CompilerServices;

/// <summary>
/// Turns named JSON values into a flow's typed arguments for runs by name (<see cref="FlowEngine.RunAsync(string, IReadOnlyDictionary{string, System.Text.Json.JsonElement}, CancellationToken)"/>).
/// Generated binders call one method per parameter; every failure names the flow, the parameter and the
/// expected type, and is thrown before the flow's body runs. A wrong value is quoted (known secrets masked, then cut
/// to 80 characters), except a <see cref="SecretAttribute"/> parameter's, which is never shown.
/// For generated code; not a stable API for hand-written code.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public sealed class ParameterBinder
{
    private readonly RunDescriptor _descriptor;
    private readonly IReadOnlyDictionary<string, JsonElement> _values;
    private readonly IServiceProvider? _services;
    private readonly SecretMasker _masker;

    /// <param name="descriptor">The flow.</param>
    /// <param name="values">The parameters given, by name.</param>
    /// <param name="services">Where an instance flow's instance comes from; null when the parameters are only checked or recorded, and no instance is created.</param>
    /// <param name="masker">Masks known secret values in the errors' quotes.</param>
    /// <param name="cancellationToken">The token passed to the run.</param>
    internal ParameterBinder(RunDescriptor descriptor, IReadOnlyDictionary<string, JsonElement> values, IServiceProvider? services, SecretMasker masker, CancellationToken cancellationToken)
    {
        _descriptor = descriptor;
        _values = values;
        _services = services;
        _masker = masker;
        CancellationToken = cancellationToken;
    }

    /// <summary>The token passed to the run.</summary>
    public CancellationToken CancellationToken { get; }

    /// <summary>The instance an instance flow runs on: from the engine's services, or created with its constructor dependencies.</summary>
    public T Instance<T>() where T : class => _services is null ? null! : ActivatorUtilities.GetServiceOrCreateInstance<T>(_services);

    /// <summary>A parameter without a default: missing is an error.</summary>
    public T Required<T>(string name)
    {
        if (!_values.TryGetValue(name, out var element))
        {
            throw Error(name, $"is missing; expected {Describe(name)}.");
        }

        return Convert<T>(name, element);
    }

    /// <summary>A parameter with a default, used when the value is not given.</summary>
    public T Optional<T>(string name, T defaultValue) =>
        _values.TryGetValue(name, out var element) ? Convert<T>(name, element) : defaultValue;

    /// <summary>
    /// Fails when a value was given for a name the flow does not have; with <paramref name="refuseSecrets"/>, also for a
    /// <see cref="SecretAttribute"/> parameter, whose value then must come from its secret (parameters a deployment
    /// keeps in code or configuration must not carry one). A run by name takes a secret given as it is, and records it masked.
    /// </summary>
    internal void RejectUnknown(bool refuseSecrets = false)
    {
        foreach (var name in _values.Keys)
        {
            if (refuseSecrets && _descriptor.Parameters.FirstOrDefault(p => p.Name == name) is { SecretName: { } secret })
            {
                throw Error(name, $"is a [Secret] parameter: its value is resolved from the secret '{secret}' when the run starts, never given with the run's parameters. Remove it from the parameters.");
            }

            if (!_descriptor.Parameters.Any(p => !p.IsCancellationToken && p.Name == name))
            {
                var known = string.Join(", ", _descriptor.Parameters.Where(p => !p.IsCancellationToken).Select(p => p.Name));
                throw Error(name, $"is not a parameter of this flow; its parameters are: {(known.Length == 0 ? "(none)" : known)}.");
            }
        }
    }

    private T Convert<T>(string name, JsonElement element)
    {
        try
        {
            var value = element.Deserialize<T>(FlowJson.Options);
            if (value is null && element.ValueKind == JsonValueKind.Null && default(T) is not null)
            {
                throw Error(name, $"is null; expected {Describe(name)}.");
            }

            return value!;
        }
        catch (JsonException ex)
        {
            throw Error(name, $"expected {Describe(name)} but got {Show(name, element)}.", ex);
        }
        catch (NotSupportedException ex)
        {
            throw Error(name, $"of type {Describe(name)} cannot be read from JSON: {ex.Message}", ex);
        }
    }

    private string Describe(string name) =>
        _descriptor.Parameters.FirstOrDefault(p => p.Name == name)?.TypeDisplay ?? "a value";

    /// <summary>
    /// The value as given, for the error: masked before it is cut, so a secret across the cut leaves no prefix behind,
    /// and only its JSON kind for a secret parameter, whose value may be the secret itself, mistyped.
    /// </summary>
    private string Show(string name, JsonElement element)
    {
        var kind = $"a JSON {element.ValueKind.ToString().ToLowerInvariant()}";
        if (_descriptor.Parameters.FirstOrDefault(p => p.Name == name)?.SecretName is not null)
        {
            return $"{kind} (the value of a [Secret] parameter is not shown)";
        }

        var text = _masker.Redact(element.GetRawText());
        if (text.Length > 80)
        {
            text = string.Concat(text.AsSpan(0, 77), "...");
        }

        return $"{text} ({kind})";
    }

    private FlowParameterException Error(string parameter, string problem, Exception? inner = null) =>
        new(_descriptor.Name, parameter, $"Flow '{_descriptor.Name}': parameter '{parameter}' {problem}", inner);
}
