using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using Flows;
using Flows.CompilerServices;
using Flows.Stores;
using Polly;
using Polly.Retry;

namespace Flows.Benchmarks;

/// <summary>
/// The side-by-side comparison the README quotes, well under a minute:
/// <code>dotnet run -c Release --project bench/Flows.Sdk.Benchmarks -- quick</code>
/// The same trivial method is called plainly, through a hand-written Polly retry + timeout pipeline, as a
/// <c>[Task]</c> with the same retry and timeout options, and as a bare <c>[Task]</c>; sync and async, standalone
/// and inside a flow run. Per variant it prints ns per call and bytes allocated per call, then the ratios
/// task/plain and task/Polly, then each target (<see cref="Targets"/>) with its verdict; the process exits with 1
/// when a target is missed, so the figures are a check, not a comment. Each variant is measured in a process of its
/// own (<see cref="VariantProcess"/>), round by round in turn with the others.
/// <para>
/// Store: the in-memory store, logging off (no logger factory), as the targets are stated. That store keeps every
/// run, so memory grows with calls: each round of <see cref="CallsPerRound"/> calls gets a fresh engine and store,
/// on a heap collected just before it (outside the measurement), then makes <see cref="PrefixCalls"/> calls of the
/// same variant on that engine, untimed, before the measured ones (see <see cref="RoundAsync"/>). The figure is the
/// median round, that is, steady state with the cost of keeping every run (the collections that copy the kept runs)
/// included; collecting a dropped store is charged to no variant. Each row also shows the collections (gen0, gen1,
/// gen2) its median round saw. Bytes are those
/// allocated on the calling thread, which with the in-memory store is every byte a call allocates, including what
/// the store keeps.
/// </para>
/// </summary>
public static class QuickComparison
{
    public const string Command = "quick";

    private const int CallsPerRound = 100_000;

    /// <summary>Calls made untimed at the start of every round, after the heap is collected: see <see cref="RoundAsync"/>.</summary>
    private const int PrefixCalls = 20_000;
    private const int Rounds = 21;
    /// <summary>Warm-up rounds per variant, not counted: enough calls for tiered JIT to settle on its optimised code.</summary>
    private const int WarmupRounds = 3;

    public static async Task<int> RunAsync()
    {
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"""
            Flows.Sdk quick comparison: {RuntimeInformation.FrameworkDescription}, {RuntimeInformation.OSDescription}, {Environment.ProcessorCount} cores ({ProcessorName()})
            in-memory store (fresh each round, every run kept), logging off; median of {Rounds} rounds of {CallsPerRound:N0} calls, each after {PrefixCalls:N0} untimed calls on a collected heap;
            bytes allocated on the calling thread; collections (gen0/gen1/gen2) during the median round's timed calls

            | variant                         | where      |    ns / call |  bytes / call |  collections |
            |---------------------------------|------------|-------------:|--------------:|-------------:|
            """));

        // Rounds go round-robin over the variants, so a burst of load from elsewhere on the machine spreads over all of
        // them instead of landing on one.
        // Each variant runs in a process of its own (as BenchmarkDotNet runs each benchmark), so the collector's
        // budgets, which adapt to what a process allocates and keeps, are that variant's alone; one process at a time
        // makes a round while the others wait on their input.
        var clock = Stopwatch.StartNew();
        var variants = new[] { false, true }.SelectMany(inFlow => QuickVariants.All.Select(variant => (variant, inFlow))).ToList();
        var rounds = variants.ToDictionary(v => (v.variant.Name, v.inFlow), _ => new List<Measurement>());
        var processes = new List<VariantProcess>();
        try
        {
            foreach (var (variant, inFlow) in variants)
            {
                processes.Add(VariantProcess.Start(variant, inFlow));
            }

            for (var round = -WarmupRounds; round < Rounds; round++)
            {
                foreach (var process in processes)
                {
                    var measurement = await process.RoundAsync();
                    if (round >= 0)
                    {
                        rounds[(process.Variant.Name, process.InFlow)].Add(measurement);
                    }
                }
            }
        }
        finally
        {
            foreach (var process in processes)
            {
                await process.DisposeAsync();
            }
        }

        var results = rounds.ToDictionary(r => r.Key, r => Median(r.Value));
        foreach (var (variant, inFlow) in variants)
        {
            var measurement = results[(variant.Name, inFlow)];
            Console.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"| {variant.Name,-31} | {(inFlow ? "in a flow" : "standalone"),-10} | {measurement.NanosecondsPerCall,12:N1} | {measurement.BytesPerCall,13:N1} | {measurement.Collections,12} |"));
        }

        Console.WriteLine();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"measured in {clock.Elapsed.TotalSeconds:N1} s"));
        var missed = Targets.Check(results).Where(t => !t.Met).ToList();
        // The last lines: task/plain compares the bare [Task] with the plain call, task/Polly the [Task] with retry +
        // timeout options with the same call in a Polly retry + timeout pipeline.
        foreach (var (mode, plainName, pollyName, bareName, retryName) in new[]
        {
            ("sync ", QuickVariants.PlainSync, QuickVariants.PollySync, QuickVariants.TaskSync, QuickVariants.TaskRetrySync),
            ("async", QuickVariants.PlainAsync, QuickVariants.PollyAsync, QuickVariants.TaskAsync, QuickVariants.TaskRetryAsync),
        })
        {
            foreach (var inFlow in new[] { false, true })
            {
                var plain = results[(plainName, inFlow)].NanosecondsPerCall;
                var bare = results[(bareName, inFlow)].NanosecondsPerCall;
                var polly = results[(pollyName, inFlow)].NanosecondsPerCall;
                var retry = results[(retryName, inFlow)].NanosecondsPerCall;
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{mode} {(inFlow ? "in a flow " : "standalone")}  task/plain {bare / plain,8:N1}x (+{(bare - plain) / 1000:N2} us)   task/Polly {retry / polly,6:N2}x"));
            }
        }

        Console.WriteLine();
        Console.WriteLine("targets (ratios within this run, each figure the median round):");
        foreach (var target in Targets.Check(results))
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {target.Name,-58} {target.Actual,9:N2} {target.Unit,-3} (limit {target.Limit:N2}) {Verdict(target.Met)}"));
        }

        if (missed.Count > 0)
        {
            Console.WriteLine($"MISSED {missed.Count} target(s): {string.Join("; ", missed.Select(t => t.Name))}");
            return 1;
        }

        Console.WriteLine("every target met");
        return 0;
    }

    /// <summary>
    /// The child side of <see cref="VariantProcess"/>: a round of the variant for each <c>round</c> line on standard
    /// input, its measurement as one line on standard output; returns at <c>exit</c> or the end of input.
    /// </summary>
    public static async Task<int> ServeVariantAsync(int variant, bool inFlow)
    {
        while (await Console.In.ReadLineAsync() is { } line && line != "exit")
        {
            if (line != "round")
            {
                await Console.Error.WriteLineAsync($"quick-variant: unknown request '{line}' (expected round or exit)");
                return 2;
            }

            var measurement = await RoundAsync(QuickVariants.All[variant], inFlow, CallsPerRound);
            Console.WriteLine(measurement.ToLine());
            Console.Out.Flush();
        }

        return 0;
    }

    /// <summary>Rounds of one variant only, as the quick comparison times them, for a profiler to watch; prints their median.</summary>
    public static async Task<int> SpinAsync(int variant, bool inFlow, int rounds)
    {
        var measurements = new List<Measurement>();
        for (var round = 0; round < rounds; round++)
        {
            measurements.Add(await RoundAsync(QuickVariants.All[variant], inFlow, CallsPerRound));
        }

        var median = Median(measurements);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{QuickVariants.All[variant].Name} {(inFlow ? "in a flow" : "standalone")}: {median.NanosecondsPerCall:N1} ns/call, {median.BytesPerCall:N1} B/call, {median.Collections} (median of {rounds} rounds)"));
        return 0;
    }

    private static Measurement Median(List<Measurement> rounds)
    {
        rounds.Sort((a, b) => a.NanosecondsPerCall.CompareTo(b.NanosecondsPerCall));
        return rounds[rounds.Count / 2];
    }

    /// <summary>
    /// One round on a fresh engine and in-memory store, so the store's size stays bounded. The heap is collected before
    /// the round, outside the measurement, so a round pays for what it allocates and keeps, and not for collecting the
    /// runs an earlier round (another variant's) dropped: without it that debt lands on whichever round next allocates
    /// enough to trigger a collection (the plain async rounds), and moves when a variant allocates less.
    /// <para>
    /// Then <see cref="PrefixCalls"/> calls of the same variant, on the same engine and store, untimed: a forced full
    /// collection leaves the collector's gen0 budget set by what that collection saw, not by this variant, and the
    /// first gen0 collection of the round would land early or late depending on the variant before. The prefix lets
    /// the collector settle on this variant's own pattern (typically a gen0 collection or more of its own) before the
    /// clock starts, and every round of a variant starts from the same state: the same allocations since the forced
    /// collection, the same runs kept. Every collection during the timed calls is still inside the measurement and is
    /// charged to the variant; the prefix's kept runs are copied by them too, as a longer-running caller's would be.
    /// </para>
    /// </summary>
    private static async Task<Measurement> RoundAsync(QuickVariant variant, bool inFlow, int calls)
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        await using var engine = new FlowEngine(new FlowEngineOptions { Store = new InMemoryRunStore() });
        using var scope = engine.Use();
        await CallsAsync(variant, inFlow, PrefixCalls);
        return await CallsAsync(variant, inFlow, calls);
    }

    /// <summary><paramref name="calls"/> calls of the variant, standalone or as the body of one flow run.</summary>
    internal static async Task<Measurement> CallsAsync(QuickVariant variant, bool inFlow, int calls)
    {
        if (inFlow)
        {
            return variant.Sync is not null
                ? QuickFlows.SyncInFlow(variant.Index, calls)
                : await QuickFlows.AsyncInFlow(variant.Index, calls);
        }

        return variant.Sync is { } sync ? Loop(sync, calls) : await LoopAsync(variant.Async!, calls);
    }

    internal static Measurement Loop(Func<int, int> call, int calls)
    {
        var sum = 0;
        var collections = GcCounts.Now();
        var bytes = GC.GetAllocatedBytesForCurrentThread();
        var start = Stopwatch.GetTimestamp();
        for (var i = 0; i < calls; i++)
        {
            sum += call(i);
        }

        var elapsed = Stopwatch.GetElapsedTime(start);
        return Measurement.Of(elapsed, GC.GetAllocatedBytesForCurrentThread() - bytes, calls, sum, GcCounts.Now() - collections);
    }

    /// <summary>Every call completes synchronously, so the loop stays on the calling thread and its allocations are counted.</summary>
    internal static async Task<Measurement> LoopAsync(Func<int, ValueTask<int>> call, int calls)
    {
        var sum = 0;
        var collections = GcCounts.Now();
        var bytes = GC.GetAllocatedBytesForCurrentThread();
        var start = Stopwatch.GetTimestamp();
        for (var i = 0; i < calls; i++)
        {
            sum += await call(i);
        }

        var elapsed = Stopwatch.GetElapsedTime(start);
        return Measurement.Of(elapsed, GC.GetAllocatedBytesForCurrentThread() - bytes, calls, sum, GcCounts.Now() - collections);
    }

    private static string Verdict(bool met) => met ? "(met)" : "(MISSED)";

    private static string ProcessorName()
    {
        try
        {
            var line = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal));
            return line is null ? "unknown CPU" : line[(line.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim();
        }
        catch (IOException)
        {
            return "unknown CPU";
        }
        catch (UnauthorizedAccessException)
        {
            return "unknown CPU";
        }
    }
}

/// <summary>
/// The performance targets for the quick comparison, as ratios and differences within one run (so load from elsewhere
/// on the machine cancels out) of median rounds.
/// </summary>
public static class Targets
{
    public static IReadOnlyList<Target> Check(IReadOnlyDictionary<(string Name, bool InFlow), Measurement> results)
    {
        double Ns(string name, bool inFlow) => results[(name, inFlow)].NanosecondsPerCall;
        double Bytes(string name, bool inFlow) => results[(name, inFlow)].BytesPerCall;
        return
        [
            new("sync [Task] retry+timeout / Polly, standalone", Ns(QuickVariants.TaskRetrySync, false) / Ns(QuickVariants.PollySync, false), 1.3, "x"),
            new("sync [Task] retry+timeout / Polly, in a flow", Ns(QuickVariants.TaskRetrySync, true) / Ns(QuickVariants.PollySync, true), 1.5, "x"),
            new("sync bare [Task] over plain, in a flow", (Ns(QuickVariants.TaskSync, true) - Ns(QuickVariants.PlainSync, true)) / 1000, 0.30, "us"),
            .. new[] { false, true }.SelectMany(inFlow => new Target[]
            {
                new($"bytes per sync [Task] call (retry+timeout), {Where(inFlow)}", Bytes(QuickVariants.TaskRetrySync, inFlow), 160, "B"),
                new($"bytes per sync [Task] call (bare), {Where(inFlow)}", Bytes(QuickVariants.TaskSync, inFlow), 160, "B"),
                new($"bytes per async [Task] call (retry+timeout), {Where(inFlow)}", Bytes(QuickVariants.TaskRetryAsync, inFlow), 240, "B"),
                new($"bytes per async [Task] call (bare), {Where(inFlow)}", Bytes(QuickVariants.TaskAsync, inFlow), 240, "B"),
            }),
        ];
    }

    private static string Where(bool inFlow) => inFlow ? "in a flow" : "standalone";
}

/// <summary>One target: the figure, its limit (the figure must not exceed it) and whether it was met.</summary>
public sealed record Target(string Name, double Actual, double Limit, string Unit)
{
    public bool Met => Actual <= Limit;
}

/// <summary>
/// One round's result: time and bytes per call, and the collections during it. The checksum keeps the calls from
/// being optimised away.
/// </summary>
public readonly record struct Measurement(double NanosecondsPerCall, double BytesPerCall, int Checksum, GcCounts Collections)
{
    public static Measurement Of(TimeSpan elapsed, long bytes, int calls, int checksum, GcCounts collections) =>
        new(elapsed.TotalNanoseconds / calls, bytes / (double)calls, checksum, collections);

    /// <summary>The measurement as a child process reports it: its six numbers, space-separated, in the invariant culture.</summary>
    public string ToLine() => string.Create(
        CultureInfo.InvariantCulture,
        $"{NanosecondsPerCall:R} {BytesPerCall:R} {Checksum} {Collections.Gen0} {Collections.Gen1} {Collections.Gen2}");

    /// <summary>Reads <see cref="ToLine"/>'s output; fails naming the line when it is not six numbers.</summary>
    public static Measurement Parse(string line)
    {
        var parts = line.Split(' ');
        return parts.Length == 6
            && double.TryParse(parts[0], NumberStyles.Float, CultureInfo.InvariantCulture, out var ns)
            && double.TryParse(parts[1], NumberStyles.Float, CultureInfo.InvariantCulture, out var bytes)
            && int.TryParse(parts[2], NumberStyles.Integer, CultureInfo.InvariantCulture, out var checksum)
            && int.TryParse(parts[3], NumberStyles.Integer, CultureInfo.InvariantCulture, out var gen0)
            && int.TryParse(parts[4], NumberStyles.Integer, CultureInfo.InvariantCulture, out var gen1)
            && int.TryParse(parts[5], NumberStyles.Integer, CultureInfo.InvariantCulture, out var gen2)
            ? new Measurement(ns, bytes, checksum, new GcCounts(gen0, gen1, gen2))
            : throw new FormatException($"A variant process answered '{line}', not a measurement (six numbers).");
    }
}

/// <summary>
/// A process of this program measuring one variant (<c>quick-variant &lt;index&gt; solo|flow</c>), driven a round at a
/// time over its standard input and output, so that a heap and its collector see one variant only.
/// </summary>
public sealed class VariantProcess : IAsyncDisposable
{
    public const string Command = "quick-variant";

    private readonly Process _process;

    private VariantProcess(QuickVariant variant, bool inFlow, Process process)
    {
        Variant = variant;
        InFlow = inFlow;
        _process = process;
    }

    public QuickVariant Variant { get; }

    public bool InFlow { get; }

    /// <summary>Starts the process the way this one was started (the host and this assembly, or its own executable).</summary>
    public static VariantProcess Start(QuickVariant variant, bool inFlow)
    {
        var self = Environment.ProcessPath ?? throw new InvalidOperationException("The path of this process is unknown; cannot start a variant process.");
        var start = new ProcessStartInfo(self) { RedirectStandardInput = true, RedirectStandardOutput = true, UseShellExecute = false };
        if (Path.GetFileNameWithoutExtension(self) == "dotnet")
        {
            start.ArgumentList.Add(typeof(VariantProcess).Assembly.Location);
        }

        start.ArgumentList.Add(Command);
        start.ArgumentList.Add(variant.Index.ToString(CultureInfo.InvariantCulture));
        start.ArgumentList.Add(inFlow ? "flow" : "solo");
        return new VariantProcess(variant, inFlow, Process.Start(start) ?? throw new InvalidOperationException($"Could not start a process for {variant.Name}."));
    }

    /// <summary>One round in the child process, and its measurement.</summary>
    public async Task<Measurement> RoundAsync()
    {
        await _process.StandardInput.WriteLineAsync("round");
        await _process.StandardInput.FlushAsync();
        var line = await _process.StandardOutput.ReadLineAsync()
            ?? throw new InvalidOperationException($"The process measuring {Variant.Name} ({(InFlow ? "in a flow" : "standalone")}) ended with exit code {(_process.WaitForExit(5000) ? _process.ExitCode : -1)}.");
        return Measurement.Parse(line);
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                await _process.StandardInput.WriteLineAsync("exit");
                _process.StandardInput.Close();
                using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(10));
                await _process.WaitForExitAsync(wait.Token);
            }
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException)
        {
            _process.Kill(entireProcessTree: true);
        }
        finally
        {
            _process.Dispose();
        }
    }
}

/// <summary>Counts of garbage collections by generation (a gen1 collection counts in gen0 too, as the runtime counts them).</summary>
public readonly record struct GcCounts(int Gen0, int Gen1, int Gen2)
{
    public static GcCounts Now() => new(GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2));

    public static GcCounts operator -(GcCounts after, GcCounts before) =>
        new(after.Gen0 - before.Gen0, after.Gen1 - before.Gen1, after.Gen2 - before.Gen2);

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Gen0}/{Gen1}/{Gen2}");
}

/// <summary>A way of calling the measured method: exactly one of <see cref="Sync"/> and <see cref="Async"/> is set.</summary>
public sealed record QuickVariant(int Index, string Name, Func<int, int>? Sync, Func<int, ValueTask<int>>? Async);

/// <summary>The variants, all calling a method whose body is <c>x * 2</c>.</summary>
public static class QuickVariants
{
    public const string PlainSync = "plain sync";
    public const string PollySync = "Polly retry+timeout sync";
    public const string TaskRetrySync = "[Task] retry+timeout sync";
    public const string TaskSync = "[Task] bare sync";
    public const string PlainAsync = "plain async";
    public const string PollyAsync = "Polly retry+timeout async";
    public const string TaskRetryAsync = "[Task] retry+timeout async";
    public const string TaskAsync = "[Task] bare async";

    /// <summary>Retry three times, 30 s timeout per attempt: what the [Task] variants ask for with Retries = 3, TimeoutSeconds = 30.</summary>
    private static readonly ResiliencePipeline Pipeline = new ResiliencePipelineBuilder()
        .AddRetry(new RetryStrategyOptions { MaxRetryAttempts = 3, Delay = TimeSpan.FromSeconds(1) })
        .AddTimeout(TimeSpan.FromSeconds(30))
        .Build();

    public static IReadOnlyList<QuickVariant> All { get; } =
    [
        new(0, PlainSync, QuickWork.Plain, null),
        new(1, PollySync, static x => Pipeline.Execute(static (state, _) => QuickWork.Plain(state), x), null),
        new(2, TaskRetrySync, static x => QuickWork.RetryTimeout(x, default), null),
        new(3, TaskSync, static x => QuickWork.Bare(x), null),
        new(4, PlainAsync, null, static x => new ValueTask<int>(QuickWork.PlainAsync(x))),
        new(5, PollyAsync, null, static x => Pipeline.ExecuteAsync(static (state, _) => new ValueTask<int>(QuickWork.PlainAsync(state)), x)),
        new(6, TaskRetryAsync, null, static x => new ValueTask<int>(QuickWork.RetryTimeoutAsync(x, default))),
        new(7, TaskAsync, null, static x => new ValueTask<int>(QuickWork.BareAsync(x))),
    ];
}

/// <summary>
/// The measured methods: identical bodies, as plain methods and as tasks. Tasks with a timeout take a token, as
/// FLOWS1007 requires; the callers pass none, as the Polly variants' callers do.
/// </summary>
public static class QuickWork
{
    public static int Plain(int x) => x * 2;

    public static Task<int> PlainAsync(int x) => Task.FromResult(x * 2);

    [Task("quick-retry-timeout", Retries = 3, TimeoutSeconds = 30)]
    public static int RetryTimeout(int x, CancellationToken cancellationToken) => x * 2;

    [Task("quick-bare")]
    public static int Bare(int x) => x * 2;

    [Task("quick-retry-timeout-async", Retries = 3, TimeoutSeconds = 30)]
    public static Task<int> RetryTimeoutAsync(int x, CancellationToken cancellationToken) => Task.FromResult(x * 2);

    [Task("quick-bare-async")]
    public static Task<int> BareAsync(int x) => Task.FromResult(x * 2);
}

/// <summary>The flow runs the in-a-flow measurements happen in: the loop is the flow's body.</summary>
public static class QuickFlows
{
    [Flow("quick-sync-flow")]
    public static Measurement SyncInFlow(int variant, int calls) => QuickComparison.Loop(QuickVariants.All[variant].Sync!, calls);

    [Flow("quick-async-flow")]
    public static Task<Measurement> AsyncInFlow(int variant, int calls) => QuickComparison.LoopAsync(QuickVariants.All[variant].Async!, calls);
}
