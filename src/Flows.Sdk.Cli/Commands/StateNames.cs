using Flows.Runs;

namespace Flows.Cli.Commands;

/// <summary>Reads run states as options give them: a state's name in any case (<c>failed</c>, <c>Failed</c>).</summary>
internal static class StateNames
{
    public static RunState Parse(string text, string option) =>
        Enum.TryParse<RunState>(text?.Trim(), ignoreCase: true, out var state) && Enum.IsDefined(state) && !int.TryParse(text, out _)
            ? state
            : throw new CommandLineException($"{option} '{text}' is not a run state: expected one of {string.Join(", ", Enum.GetNames<RunState>())}.");
}
