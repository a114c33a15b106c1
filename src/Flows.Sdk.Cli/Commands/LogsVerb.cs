using System.CommandLine;
using Flows.Cli.Output;
using Flows.Runs;
using Microsoft.Extensions.Logging;
using Spectre.Console;

namespace Flows.Cli.Commands;

/// <summary>
/// <c>flows logs &lt;run&gt; [--follow] [--level &lt;min&gt;]</c>: the log lines stored with a run (for a flow run, also
/// its task runs'), oldest first. <c>--follow</c> prints new lines as they are stored and ends when the run ends, with
/// exit code 0 when it completed and 1 otherwise.
/// </summary>
internal static class LogsVerb
{
    public static Command Create(CommandLineHost cli)
    {
        var run = new Argument<string>("run") { Description = "The run's id, as 'flows runs' lists it" };
        var follow = new Option<bool>("--follow", "-f") { Description = "Print new lines as they are stored until the run ends" };
        var level = new Option<string?>("--level") { Description = "Only lines at this level or above (trace, debug, information, warning, error, critical)" };
        var command = new Command("logs", "Print a run's log lines; --follow until it ends") { run, follow, level };
        cli.SetAction(command, async context =>
        {
            var minimum = context.Value(level) is { } text ? ParseLevel(text) : LogLevel.Trace;
            var record = await context.GetRunAsync(context.Value(run)!).ConfigureAwait(false);
            var writer = new LogWriter(context, record);
            if (!context.Value(follow))
            {
                var lines = await context.Store.GetLogsAsync(record.Id, context.Cancellation).ConfigureAwait(false);
                var shown = lines.Where(l => l.Level >= minimum).ToList();
                if (context.Settings.Json)
                {
                    var named = await writer.NamesAsync(shown).ConfigureAwait(false);
                    context.WriteJson(new { logs = shown.Select(l => LogJson.From(l, named)) });
                }
                else
                {
                    await writer.WriteAsync(shown).ConfigureAwait(false);
                }

                return ExitCodes.Success;
            }

            var ended = await FollowAsync(context, record, writer, minimum).ConfigureAwait(false);
            return ended.State.IsSuccess() ? ExitCodes.Success : ExitCodes.RunNotCompleted;
        });
        return command;
    }

    /// <summary>A level's name (any case; <c>info</c>, <c>warn</c> too); a clear error naming <c>--level</c> otherwise.</summary>
    public static LogLevel ParseLevel(string text)
    {
        var trimmed = text.Trim().ToUpperInvariant();
        return trimmed switch
        {
            "INFO" => LogLevel.Information,
            "WARN" => LogLevel.Warning,
            "FATAL" => LogLevel.Critical,
            _ when Enum.TryParse<LogLevel>(trimmed, ignoreCase: true, out var parsed) && parsed != LogLevel.None && !int.TryParse(trimmed, out _) => parsed,
            _ => throw new CommandLineException($"--level '{text}' is not a log level: expected trace, debug, information, warning, error or critical."),
        };
    }

    /// <summary>
    /// Prints lines as the store gets them until the run is final (then the last lines stored with its end), polling
    /// with a pause that grows from 100 ms to 1 s while nothing new arrives. Returns the run's final record.
    /// </summary>
    private static async Task<RunRecord> FollowAsync(CommandContext context, RunRecord record, LogWriter writer, LogLevel minimum)
    {
        var printed = 0;
        var pause = Poll.First;
        while (true)
        {
            // Read the state first: lines stored before the run's end are then all in the read that follows.
            var current = await context.Store.GetRunAsync(record.Id, context.Cancellation).ConfigureAwait(false)
                ?? throw new CommandLineException($"Run {record.Id} is no longer in the store (pruned?).");
            var lines = await context.Store.GetLogsAsync(record.Id, context.Cancellation).ConfigureAwait(false);
            if (lines.Count > printed)
            {
                var fresh = lines.Skip(printed).Where(l => l.Level >= minimum).ToList();
                printed = lines.Count;
                if (context.Settings.Json)
                {
                    var named = await writer.NamesAsync(fresh).ConfigureAwait(false);
                    foreach (var line in fresh)
                    {
                        JsonLines.Write(context, LogJson.From(line, named));
                    }
                }
                else
                {
                    await writer.WriteAsync(fresh).ConfigureAwait(false);
                }

                pause = Poll.First;
            }

            if (current.State.IsFinal())
            {
                if (!context.Settings.Json)
                {
                    context.Err.WriteLine($"Run {current.Id} ended {current.State}.", Style.Plain);
                }

                return current;
            }

            await Task.Delay(pause, TimeProvider.System, context.Cancellation).ConfigureAwait(false);
            pause = Poll.Next(pause);
        }
    }

    /// <summary>A log line in <c>logs --json</c>: the run that wrote it and its name, when, level, category, message and exception text.</summary>
    private sealed record LogJson(Guid RunId, string? Run, DateTimeOffset Timestamp, LogLevel Level, string Category, string Message, string? Exception)
    {
        public static LogJson From(RunLogEntry line, IReadOnlyDictionary<Guid, string> names) =>
            new(line.RunId, names.GetValueOrDefault(line.RunId), line.Timestamp.ToUniversalTime(), line.Level, line.Category, line.Message, line.Exception);
    }

    /// <summary>Writes log lines as <c>time LVL run-name  message</c>, knowing the names of the runs that wrote them.</summary>
    private sealed class LogWriter(CommandContext context, RunRecord root)
    {
        private readonly Dictionary<Guid, string> _names = new() { [root.Id] = root.Name };

        public async Task<IReadOnlyDictionary<Guid, string>> NamesAsync(IEnumerable<RunLogEntry> lines)
        {
            foreach (var id in lines.Select(l => l.RunId).Distinct().Where(id => !_names.ContainsKey(id)).ToList())
            {
                _names[id] = (await context.Store.GetRunAsync(id, context.Cancellation).ConfigureAwait(false))?.Name ?? id.ToString();
            }

            return _names;
        }

        public async Task WriteAsync(IReadOnlyList<RunLogEntry> lines)
        {
            var names = await NamesAsync(lines).ConfigureAwait(false);
            // Unwrapped, one stored line per output line (the terminal wraps long ones), so grep and tail work on it.
            var writer = context.Out.Profile.Out.Writer;
            var ansi = !context.Settings.NoColor && context.Out.Profile.Capabilities.Ansi;
            foreach (var line in lines)
            {
                var level = Short(line.Level);
                writer.Write(context.Formats.Time(line.Timestamp));
                writer.Write(' ');
                writer.Write(ansi ? $"\u001b[{LevelColor(line.Level)}m{level}\u001b[0m" : level);
                writer.Write(' ');
                writer.Write(names.GetValueOrDefault(line.RunId, line.RunId.ToString()));
                writer.Write("  ");
                writer.WriteLine(line.Message.ReplaceLineEndings(" "));
                if (line.Exception is not null)
                {
                    foreach (var exceptionLine in line.Exception.ReplaceLineEndings("\n").Split('\n'))
                    {
                        writer.Write("    ");
                        writer.WriteLine(exceptionLine);
                    }
                }
            }

            writer.Flush();
        }

        private static string Short(LogLevel level) => level switch
        {
            LogLevel.Trace => "TRC",
            LogLevel.Debug => "DBG",
            LogLevel.Information => "INF",
            LogLevel.Warning => "WRN",
            LogLevel.Error => "ERR",
            _ => "CRT",
        };

        /// <summary>The ANSI color of a level's tag: yellow warnings, red errors, dim debug and trace.</summary>
        private static int LevelColor(LogLevel level) => level switch
        {
            LogLevel.Warning => 33,
            >= LogLevel.Error => 31,
            LogLevel.Information => 39,
            _ => 90,
        };
    }
}
