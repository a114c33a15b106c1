using Spectre.Console;

namespace Flows.Cli;

/// <summary>
/// Where the <c>flows</c> command line writes and how it reads the clock. The defaults are the process's console, the
/// system clock and the machine's time zone; tests give a recording console and a fixed clock and zone.
/// </summary>
public sealed class FlowsCommandLineOptions
{
    /// <summary>Where output goes (tables, trees, JSON); null for standard output.</summary>
    public IAnsiConsole? Output { get; init; }

    /// <summary>Where errors and progress notes go; null for standard error.</summary>
    public IAnsiConsole? Error { get; init; }

    /// <summary>The clock that relative times ("3m ago") and <c>--since</c> count from; null for the system clock.</summary>
    public TimeProvider? TimeProvider { get; init; }

    /// <summary>The zone local times are shown in (without <c>--utc</c>); null for the machine's.</summary>
    public TimeZoneInfo? TimeZone { get; init; }

    /// <summary>The command's name in usage lines and help: <c>flows</c> unless the application calls itself otherwise.</summary>
    public string Name { get; init; } = "flows";

    /// <summary>
    /// Reads an environment variable (<c>NO_COLOR</c>); null for the process's environment. Tests give their own so
    /// parallel tests do not share one.
    /// </summary>
    public Func<string, string?>? Environment { get; init; }

    /// <summary>
    /// True for the standalone tool, which has a store but none of the application's code: the verbs that need the
    /// application's flows or deployments (<c>list</c>, <c>run</c>, <c>retry</c>, <c>deployments</c>, <c>backfill</c>,
    /// <c>serve</c>) say so and exit with 2.
    /// </summary>
    public bool StoreOnly { get; init; }
}
