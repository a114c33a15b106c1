using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;

namespace Flows.Cli.Commands;

/// <summary>
/// Sends the host's console log lines to standard error while a command runs, so its standard output is only its
/// result (<c>flows run x --json | jq</c>): a host's default console logger writes to standard output, and a run logs.
/// </summary>
internal static class ConsoleLogs
{
    /// <summary>
    /// Every console logger of <paramref name="services"/> writes every level to standard error from now on. The console
    /// loggers read their options object on each line (the monitor's current value), so changing it takes effect at once.
    /// </summary>
    public static void ToStandardError(IServiceProvider services)
    {
        if (services.GetService<IOptionsMonitor<ConsoleLoggerOptions>>() is { } options)
        {
            options.CurrentValue.LogToStandardErrorThreshold = LogLevel.Trace;
        }
    }
}
