using Flows.Runs;
using Spectre.Console;

namespace Flows.Cli.Output;

/// <summary>The color of each run state in tables and trees: green done, red failed or crashed, yellow waiting, blue running.</summary>
internal static class StateStyles
{
    public static Color Of(RunState state) => state switch
    {
        RunState.Completed => Color.Green,
        RunState.Failed or RunState.Crashed => Color.Red,
        RunState.Cancelled => Color.Grey,
        RunState.Running => Color.Blue,
        _ => Color.Yellow,
    };
}
