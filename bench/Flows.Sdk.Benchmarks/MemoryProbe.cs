using System.Diagnostics;
using System.Globalization;
using Flows;

namespace Flows.Benchmarks;

/// <summary>
/// Peak and retained memory of one flow of many task runs, which BenchmarkDotNet does not report. Run one scenario
/// per process so the peak is that scenario's:
/// <c>dotnet run -c Release --project bench/Flows.Sdk.Benchmarks -- memory when-all 100000</c>
/// (or <c>map-16</c>). Retained is the managed heap after a full collection, after the flow, minus before it, with
/// the engine still alive and its runs counted, not stored.
/// </summary>
public static class MemoryProbe
{
    public static async Task<int> RunAsync(string scenario, int tasks)
    {
        Func<int, Task<int>> flow = scenario switch
        {
            "when-all" => n => ManyTasks.WhenAll(n),
            "map-16" => n => ManyTasks.Map16(n),
            _ => throw new ArgumentException($"Unknown scenario '{scenario}': use when-all or map-16.", nameof(scenario)),
        };

        var store = new CountingRunStore();
        using var engine = new FlowEngine(new FlowEngineOptions { Store = store });
        using var scope = engine.Use();
        await flow(100); // JIT and first-use allocations, outside the measurement

        using var process = Process.GetCurrentProcess();
        var heapBefore = GC.GetTotalMemory(forceFullCollection: true);
        process.Refresh();
        var workingSetBefore = process.WorkingSet64;
        var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        var writesBefore = store.Runs + store.Transitions + store.Logs;
        var clock = Stopwatch.StartNew();

        var count = await flow(tasks);

        var elapsed = clock.Elapsed;
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
        var writes = store.Runs + store.Transitions + store.Logs - writesBefore;
        process.Refresh();
        var peakWorkingSet = process.PeakWorkingSet64;
        var heapAfter = GC.GetTotalMemory(forceFullCollection: true);

        // A thread-pool thread can keep the last completed work item (and so the flow's last result array) reachable
        // until it runs something else; that is bounded by one flow, not cumulative. Measure again once idle.
        await Task.Delay(200);
        var heapIdle = GC.GetTotalMemory(forceFullCollection: true);

        const double MB = 1024d * 1024d;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"""
            scenario            {scenario}, {count:N0} task runs, {writes:N0} store writes counted (none kept)
            wall time           {elapsed.TotalMilliseconds:N0} ms
            allocated           {allocated / MB:N1} MB = {allocated / (double)tasks:N0} B per task run
            peak working set    {peakWorkingSet / MB:N1} MB (before the flow: {workingSetBefore / MB:N1} MB)
            retained after      {(heapAfter - heapBefore) / 1024d:N1} KB at once, {(heapIdle - heapBefore) / 1024d:N1} KB after 200 ms idle (managed heap after a full GC, minus before the flow)
            """));
        return 0;
    }
}
