using System.Diagnostics;
using System.Globalization;
using Flows;
using Flows.Stores;

// Two passes of the calls on one engine, each in ten slices; per slice: time per call, the collections it caused and
// their pause, and the managed heap. The first pass includes the JIT's warm-up (methods start unoptimised and are
// recompiled once hot); both include keeping every run, which the in-memory store does, and collecting around them.
var calls = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 200_000;
const int Slices = 10;
var slice = calls / Slices;
await using var engine = new FlowEngine(new FlowEngineOptions { Store = new InMemoryRunStore() });
using var scope = engine.Use();
var heapBefore = GC.GetTotalMemory(forceFullCollection: true);
for (var pass = 1; pass <= 2; pass++)
{
    var total = Stopwatch.StartNew();
    var pauseAtStart = GC.GetTotalPauseDuration();
    long sum = 0;
    for (var s = 0; s < Slices; s++)
    {
        var (g0, g1, g2, pause) = (GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2), GC.GetTotalPauseDuration());
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < slice; i++)
        {
            sum += Work.Doubled(i);
        }

        clock.Stop();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"pass {pass} slice {s}: {clock.Elapsed.TotalNanoseconds / slice / 1000,6:N3} us/call, collections gen0 {GC.CollectionCount(0) - g0} gen1 {GC.CollectionCount(1) - g1} gen2 {GC.CollectionCount(2) - g2}, pause {(GC.GetTotalPauseDuration() - pause).TotalMilliseconds,5:N1} ms, heap {GC.GetTotalMemory(false) / 1e6,4:N0} MB"));
    }

    var elapsed = total.Elapsed;
    var paused = GC.GetTotalPauseDuration() - pauseAtStart;
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"pass {pass}: {elapsed.TotalNanoseconds / calls / 1000:N3} us/call overall, of which GC pauses {paused.TotalNanoseconds / calls / 1000:N3} us/call (checksum {sum})"));
}

var kept = GC.GetTotalMemory(forceFullCollection: true) - heapBefore;
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"kept by the in-memory store: {kept / (2.0 * calls):N0} B per run ({2 * calls:N0} runs)"));

/// <summary>The measured task: a trivial body, so what is measured is the run around it.</summary>
public static class Work
{
    [Task("sustained-doubled")]
    public static int Doubled(int x) => x * 2;
}
