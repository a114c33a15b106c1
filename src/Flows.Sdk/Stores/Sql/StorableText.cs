using System.Globalization;
using System.Text;
using Flows.Runs;
using Microsoft.Extensions.Logging;

namespace Flows.Stores.Sql;

/// <summary>
/// Makes the text of a batch storable by every SQL store. PostgreSQL's <c>text</c> cannot hold NUL (U+0000): it refuses
/// the whole statement (22021), so one stray NUL in a log line would cost every write around it; Npgsql cannot send an
/// unpaired UTF-16 surrogate at all. Each NUL in a text column is stored as ␀ (U+2400, SYMBOL FOR NULL) and each
/// unpaired surrogate as U+FFFD (the replacement character, what SQLite's UTF-8 conversion stores anyway), in both
/// stores so that they read back the same; each run concerned gets a warning line (category <see cref="Category"/>)
/// saying what was replaced and where. JSON columns (tags, log properties, and the parameters and results the engine
/// writes) escape a NUL as <c>\u0000</c>, so they never hold one and come back exactly as written.
/// </summary>
internal static class StorableText
{
    /// <summary>What a NUL is stored as: visible, and never written by the engine itself.</summary>
    public const char Marker = '\u2400';

    /// <summary>The category of the warning lines added to runs whose text had a NUL.</summary>
    public const string Category = "Flows.Store";

    /// <summary>What an unpaired UTF-16 surrogate is stored as.</summary>
    public const char Replacement = '\uFFFD';

    private const char Nul = '\0';

    /// <summary>The batch itself when all its text is storable; otherwise a copy with the text cleaned and a warning per run concerned.</summary>
    public static RunWriteBatch Sanitise(RunWriteBatch batch)
    {
        if (!NeedsCleaning(batch))
        {
            return batch;
        }

        var notes = new Notes(batch);
        var runs = batch.Runs.Select(r => r with
        {
            Name = notes.Clean(r.Name, r.Id, r.FlowRunId, r.CreatedAt, "name")!,
            Parameters = notes.Clean(r.Parameters, r.Id, r.FlowRunId, r.CreatedAt, "parameters"),
            Result = notes.Clean(r.Result, r.Id, r.FlowRunId, r.CreatedAt, "result"),
            CacheKey = notes.Clean(r.CacheKey, r.Id, r.FlowRunId, r.CreatedAt, "cache key"),
            Error = notes.Clean(r.Error, r.Id, r.FlowRunId, r.EndedAt ?? r.CreatedAt, "error"),
            Version = notes.Clean(r.Version, r.Id, r.FlowRunId, r.CreatedAt, "version"),
        }).ToList();
        var transitions = batch.Transitions.Select(t => t with
        {
            Message = notes.Clean(t.Message, t.RunId, notes.FlowRunOf(t.RunId), t.Timestamp, "transition message"),
        }).ToList();
        var logs = batch.Logs.Select(l => l with
        {
            Category = notes.Clean(l.Category, l.RunId, l.FlowRunId, l.Timestamp, "log line")!,
            Message = notes.Clean(l.Message, l.RunId, l.FlowRunId, l.Timestamp, "log line")!,
            Exception = notes.Clean(l.Exception, l.RunId, l.FlowRunId, l.Timestamp, "log line"),
        }).ToList();
        var artifacts = batch.Artifacts.Select(a => a with
        {
            Key = notes.Clean(a.Key, a.RunId, a.FlowRunId, a.CreatedAt, "artifact")!,
            Content = notes.Clean(a.Content, a.RunId, a.FlowRunId, a.CreatedAt, "artifact")!,
            Description = notes.Clean(a.Description, a.RunId, a.FlowRunId, a.CreatedAt, "artifact"),
        }).ToList();
        var cacheEntries = batch.CacheEntries.Select(c => c with
        {
            Key = notes.Clean(c.Key, c.RunId, notes.FlowRunOf(c.RunId), c.CreatedAt, "cache entry")!,
            TaskName = notes.Clean(c.TaskName, c.RunId, notes.FlowRunOf(c.RunId), c.CreatedAt, "cache entry")!,
            Result = notes.Clean(c.Result, c.RunId, notes.FlowRunOf(c.RunId), c.CreatedAt, "cache entry")!,
        }).ToList();
        logs.AddRange(notes.Warnings());
        return new RunWriteBatch { Runs = runs, Transitions = transitions, Logs = logs, Artifacts = artifacts, CacheEntries = cacheEntries };
    }

    private static bool NeedsCleaning(RunWriteBatch batch)
    {
        foreach (var r in batch.Runs)
        {
            if (NeedsCleaning(r.Name) || NeedsCleaning(r.Parameters) || NeedsCleaning(r.Result) || NeedsCleaning(r.CacheKey) || NeedsCleaning(r.Error) || NeedsCleaning(r.Version))
            {
                return true;
            }
        }

        foreach (var l in batch.Logs)
        {
            if (NeedsCleaning(l.Category) || NeedsCleaning(l.Message) || NeedsCleaning(l.Exception))
            {
                return true;
            }
        }

        return batch.Transitions.Any(t => NeedsCleaning(t.Message))
            || batch.Artifacts.Any(a => NeedsCleaning(a.Key) || NeedsCleaning(a.Content) || NeedsCleaning(a.Description))
            || batch.CacheEntries.Any(c => NeedsCleaning(c.Key) || NeedsCleaning(c.TaskName) || NeedsCleaning(c.Result));
    }

    private static bool NeedsCleaning(string? text) =>
        text is not null && (text.Contains(Nul, StringComparison.Ordinal) || (text.AsSpan().ContainsAnyInRange('\uD800', '\uDFFF') && HasUnpairedSurrogate(text)));

    private static bool HasUnpairedSurrogate(string text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(text[i]))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>What was replaced, per run, in the order first met.</summary>
    private sealed class Notes(RunWriteBatch batch)
    {
        private readonly Dictionary<Guid, Note> _byRun = [];
        private Dictionary<Guid, Guid?>? _flowRuns;

        public string? Clean(string? text, Guid runId, Guid? flowRunId, DateTimeOffset at, string what)
        {
            if (text is null || !NeedsCleaning(text))
            {
                return text;
            }

            if (!_byRun.TryGetValue(runId, out var note))
            {
                _byRun[runId] = note = new Note(flowRunId, at);
            }

            if (!note.Where.Contains(what))
            {
                note.Where.Add(what);
            }

            var clean = new StringBuilder(text.Length);
            for (var i = 0; i < text.Length; i++)
            {
                var c = text[i];
                if (c == Nul)
                {
                    note.Nuls++;
                    clean.Append(Marker);
                }
                else if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
                {
                    clean.Append(c).Append(text[++i]);
                }
                else if (char.IsSurrogate(c))
                {
                    note.Surrogates++;
                    clean.Append(Replacement);
                }
                else
                {
                    clean.Append(c);
                }
            }

            return clean.ToString();
        }

        /// <summary>The flow run of a run whose record is in the batch (transitions and cache entries name only their run).</summary>
        public Guid? FlowRunOf(Guid runId)
        {
            _flowRuns ??= batch.Runs.GroupBy(r => r.Id).ToDictionary(g => g.Key, g => g.Last().FlowRunId);
            return _flowRuns.GetValueOrDefault(runId);
        }

        public IEnumerable<RunLogEntry> Warnings() =>
            _byRun.Select(pair => new RunLogEntry(pair.Key, pair.Value.FlowRunId, pair.Value.At, LogLevel.Warning, Category, pair.Value.Describe()));
    }

    private sealed class Note(Guid? flowRunId, DateTimeOffset at)
    {
        public Guid? FlowRunId { get; } = flowRunId;

        public DateTimeOffset At { get; } = at;

        public int Nuls { get; set; }

        public int Surrogates { get; set; }

        public List<string> Where { get; } = [];

        public string Describe()
        {
            var replaced = new List<string>(2);
            if (Nuls > 0)
            {
                replaced.Add(string.Create(CultureInfo.InvariantCulture, $"{Nuls} NUL character{(Nuls == 1 ? string.Empty : "s")} (U+0000) as {Marker} (U+2400)"));
            }

            if (Surrogates > 0)
            {
                replaced.Add(string.Create(CultureInfo.InvariantCulture, $"{Surrogates} unpaired UTF-16 surrogate{(Surrogates == 1 ? string.Empty : "s")} as {Replacement} (U+FFFD)"));
            }

            return $"The run store changed this run's {string.Join(", ", Where)}, storing {string.Join(" and ", replaced)}: run stores keep only text that PostgreSQL can store.";
        }
    }
}
