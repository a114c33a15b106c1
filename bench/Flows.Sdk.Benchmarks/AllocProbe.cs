using System.Diagnostics.Tracing;
using System.Globalization;
using Flows;
using Flows.Stores;

namespace Flows.Benchmarks;

/// <summary>
/// Which types one variant of the quick comparison allocates, sampled by the runtime's GC AllocationTick events (one
/// per ~100 KB allocated, so the split is statistical; the quick table gives the exact total):
/// <c>dotnet run -c Release --project bench/Flows.Sdk.Benchmarks -- alloc 3 flow</c> (variant index as in
/// <see cref="QuickVariants.All"/>, then <c>flow</c> or <c>solo</c>).
/// </summary>
public static class AllocProbe
{
    public static async Task<int> RunAsync(int variant, bool inFlow)
    {
        await using var engine = new FlowEngine(new FlowEngineOptions { Store = new InMemoryRunStore() });
        using var scope = engine.Use();
        await Run(variant, inFlow, 100_000);
        using var listener = new Listener();
        await Run(variant, inFlow, 1_000_000);
        foreach (var (type, bytes) in listener.ByType.OrderByDescending(p => p.Value).Take(15))
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{bytes / 1_000_000.0,10:N1} B/call  {type}"));
        }

        return 0;
    }

    private static Task Run(int variant, bool inFlow, int calls) => QuickComparison.CallsAsync(QuickVariants.All[variant], inFlow, calls);

    private sealed class Listener : EventListener
    {
        public Dictionary<string, long> ByType { get; } = [];

        protected override void OnEventSourceCreated(EventSource source)
        {
            if (source.Name == "Microsoft-Windows-DotNETRuntime")
            {
                EnableEvents(source, EventLevel.Verbose, (EventKeywords)0x1);
            }
        }

        protected override void OnEventWritten(EventWrittenEventArgs e)
        {
            if (e.EventName?.StartsWith("GCAllocationTick", StringComparison.Ordinal) == true && e.Payload is { } p)
            {
                var name = (string)p[e.PayloadNames!.IndexOf("TypeName")]!;
                var amount = Convert.ToInt64(p[e.PayloadNames!.IndexOf("AllocationAmount64")], CultureInfo.InvariantCulture);
                lock (ByType)
                {
                    ByType[name] = ByType.GetValueOrDefault(name) + amount;
                }
            }
        }
    }
}
