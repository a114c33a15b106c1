using System.Text.Json;
using Flows.CompilerServices;
using Flows.Orchestration;

namespace Flows.Cli.Commands;

/// <summary>
/// Reads a run's parameters from the command line: <c>--params-file f.json</c> (a JSON object) first, then each
/// <c>--param name=value</c> over it. A value is read against the parameter's type by <see cref="ParameterText"/> (the
/// dashboard's run form reads its fields the same way): as text for a string or enum; as a JSON value otherwise, and
/// as text when it is not JSON; a collection also takes a comma-separated list (<c>states=OH,PA</c>).
/// Whether the values then bind (missing, unknown, wrong type) is the engine's check, which names the flow, the
/// parameter and the expected type.
/// </summary>
internal static class RunParameters
{
    /// <summary>The parameters for <paramref name="flow"/>, or a <see cref="CommandLineException"/> naming the option or the file and what was expected.</summary>
    public static Dictionary<string, JsonElement> Read(RunDescriptor flow, IEnumerable<string> pairs, string? paramsFile)
    {
        var values = paramsFile is null ? new Dictionary<string, JsonElement>(StringComparer.Ordinal) : ReadFile(flow, paramsFile);
        var given = new HashSet<string>(StringComparer.Ordinal);
        foreach (var pair in pairs)
        {
            var equals = pair.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
            {
                throw new CommandLineException($"--param '{Shown(flow, pair)}' is not a parameter: expected name=value (as in --param name=Ada).");
            }

            var name = pair[..equals].Trim();
            var parameter = Find(flow, name);
            if (!given.Add(name))
            {
                throw new CommandLineException($"Flow '{flow.Name}': parameter '{name}' is given twice with --param; give it once (a list as name=a,b or name=[\"a\",\"b\"]).");
            }

            values[name] = ParameterText.ToJson(parameter.Type, pair[(equals + 1)..]);
        }

        return values;
    }

    /// <summary>Recorded parameters (a run's, or a deployment's) with what <paramref name="overrides"/> gives over them.</summary>
    public static Dictionary<string, JsonElement> Merge(IEnumerable<KeyValuePair<string, JsonElement>> recorded, IReadOnlyDictionary<string, JsonElement> overrides)
    {
        var merged = new Dictionary<string, JsonElement>(recorded, StringComparer.Ordinal);
        foreach (var (name, value) in overrides)
        {
            merged[name] = value;
        }

        return merged;
    }

    /// <summary>
    /// The parameter; an error naming the flow and listing its parameters when it has none of that name, and refusing a
    /// [Secret] parameter, whose value comes from its secret provider and never from a command line (shell history, ps).
    /// </summary>
    private static ParameterDescriptor Find(RunDescriptor flow, string name)
    {
        var parameter = flow.Parameters.FirstOrDefault(p => !p.IsCancellationToken && string.Equals(p.Name, name, StringComparison.Ordinal));
        if (parameter is null)
        {
            var known = string.Join(", ", flow.Parameters.Where(p => !p.IsCancellationToken && p.SecretName is null).Select(p => $"{p.Name} ({p.TypeDisplay})"));
            throw new CommandLineException($"Flow '{flow.Name}' has no parameter '{name}'; its parameters are: {(known.Length == 0 ? "(none)" : known)}.");
        }

        if (parameter.SecretName is { } secret)
        {
            throw new CommandLineException(
                $"Flow '{flow.Name}': parameter '{name}' is a [Secret] parameter: its value comes from the secret '{secret}' when the run starts, never from the command line. Remove it.");
        }

        return parameter;
    }

    private static Dictionary<string, JsonElement> ReadFile(RunDescriptor flow, string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or NotSupportedException)
        {
            throw new CommandLineException($"--params-file '{path}' cannot be read: {ex.Message}");
        }

        JsonElement root;
        try
        {
            using var document = JsonDocument.Parse(text);
            root = document.RootElement.Clone();
        }
        catch (JsonException ex)
        {
            throw new CommandLineException($"--params-file '{path}' is not JSON ({ex.Message}): expected an object of parameters, as in {{\"name\": \"Ada\", \"times\": 2}}.");
        }

        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new CommandLineException($"--params-file '{path}' holds a JSON {root.ValueKind.ToString().ToLowerInvariant()}: expected an object of parameters, as in {{\"name\": \"Ada\", \"times\": 2}}.");
        }

        var values = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        foreach (var property in root.EnumerateObject())
        {
            Find(flow, property.Name);
            values[property.Name] = property.Value;
        }

        return values;
    }

    /// <summary>A --param as an error may quote it: only the name when it names a [Secret] parameter.</summary>
    private static string Shown(RunDescriptor flow, string pair) =>
        flow.Parameters.Any(p => p.SecretName is not null && pair.StartsWith(p.Name, StringComparison.Ordinal)) ? "(a value for a [Secret] parameter, not shown)" : pair;
}
