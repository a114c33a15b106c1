using System.Text;
using Flows.Engine;
using Microsoft.Extensions.Logging;

namespace Flows.Logging;

/// <summary>
/// <c>LogPrints</c>: while at least one run that captures prints is in progress, <see cref="Console.Out"/> is a
/// router that sends text written on such a run's call path to that run's logger, a line at a time, and passes
/// everything else to the writer it replaced. The router is installed by the first capturing run and the previous
/// writer is put back when the last one ends (unless someone replaced <see cref="Console.Out"/> meanwhile, whose
/// writer is left alone). Which run wrote is <see cref="RunContext.Current"/>, so concurrent runs never mix lines.
/// </summary>
internal sealed partial class PrintCapture : IDisposable
{
    private static readonly Lock Gate = new();
    private static PrintRouter? _router;
    private static TextWriter? _installed;
    private static int _active;

    private readonly RunContext _run;

    private PrintCapture(RunContext run) => _run = run;

    /// <summary>
    /// Starts capturing the run's prints when it or a run enclosing it has <c>LogPrints</c> (as in Prefect, the tasks
    /// of a flow that logs prints log theirs too); null otherwise, at the cost of a walk up the parents.
    /// </summary>
    public static PrintCapture? Begin(RunContext run)
    {
        if (!Captures(run))
        {
            return null;
        }

        lock (Gate)
        {
            if (_active++ == 0)
            {
                var previous = Console.Out;
                _router = new PrintRouter(previous);
                Console.SetOut(_router);
                _installed = Console.Out;
            }

            _router!.Add(run);
        }

        return new PrintCapture(run);
    }

    /// <summary>Writes a line left without its newline, stops capturing for the run, and restores the console after the last run.</summary>
    public void Dispose()
    {
        lock (Gate)
        {
            _router!.Remove(_run);
            if (--_active == 0)
            {
                if (ReferenceEquals(Console.Out, _installed))
                {
                    Console.SetOut(_router.Previous);
                }

                _router = null;
                _installed = null;
            }
        }
    }

    private static bool Captures(RunContext run)
    {
        for (var r = run; r is not null; r = r.Parent)
        {
            if (r.Binding.Options.LogPrints)
            {
                return true;
            }
        }

        return false;
    }

    [LoggerMessage(LogEventIds.PrintedLine, LogLevel.Information, "{Line}", EventName = nameof(LogEventIds.PrintedLine))]
    private static partial void Printed(ILogger logger, string line);

    /// <summary>The writer installed as <see cref="Console.Out"/>; <see cref="Console.SetOut"/> wraps it so calls arrive one at a time.</summary>
    private sealed class PrintRouter(TextWriter previous) : TextWriter
    {
        // A log sink that writes to the console from inside a run (Serilog's console sink does) must not loop back.
        [ThreadStatic]
        private static bool t_logging;

        private readonly Dictionary<RunContext, StringBuilder> _lines = [];

        public TextWriter Previous => previous;

        public override Encoding Encoding => previous.Encoding;

        public override IFormatProvider FormatProvider => previous.FormatProvider;

        public void Add(RunContext run)
        {
            lock (_lines)
            {
                _lines[run] = new StringBuilder();
            }
        }

        public void Remove(RunContext run)
        {
            string? rest;
            lock (_lines)
            {
                rest = _lines.Remove(run, out var line) && line.Length > 0 ? line.ToString() : null;
            }

            if (rest is not null)
            {
                Log(run, [rest]);
            }
        }

        public override void Write(char value) => Write([value]);

        public override void Write(char[] buffer, int index, int count) => Write(buffer.AsSpan(index, count));

        public override void Write(string? value) => Write(value.AsSpan());

        public override void Write(ReadOnlySpan<char> buffer)
        {
            if (t_logging || RunContext.Current is not { } run || !TryCapture(run, buffer, out var lines))
            {
                previous.Write(buffer);
                return;
            }

            if (lines is not null)
            {
                Log(run, lines);
            }
        }

        public override void WriteLine(ReadOnlySpan<char> buffer)
        {
            Write(buffer);
            Write(CoreNewLine);
        }

        public override void Flush() => previous.Flush();

        /// <summary>Appends to the run's line; returns the lines completed, if any. False when the run does not capture.</summary>
        private bool TryCapture(RunContext run, ReadOnlySpan<char> text, out List<string>? lines)
        {
            lines = null;
            lock (_lines)
            {
                if (!_lines.TryGetValue(run, out var line))
                {
                    return false;
                }

                while (!text.IsEmpty)
                {
                    var end = text.IndexOf('\n');
                    if (end < 0)
                    {
                        line.Append(text);
                        break;
                    }

                    line.Append(text[..end]);
                    if (line.Length > 0 && line[^1] == '\r')
                    {
                        line.Length--;
                    }

                    (lines ??= []).Add(line.ToString());
                    line.Clear();
                    text = text[(end + 1)..];
                }
            }

            return true;
        }

        private static void Log(RunContext run, List<string> lines)
        {
            t_logging = true;
            try
            {
                foreach (var line in lines)
                {
                    Printed(run.Binding.Logger, line);
                }
            }
            finally
            {
                t_logging = false;
            }
        }
    }
}
