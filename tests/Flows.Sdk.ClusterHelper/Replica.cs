using System.Globalization;

namespace Flows.ClusterHelper;

/// <summary>This process's replica name and the lines its flows write about their runs.</summary>
internal static class Replica
{
    public static string Name { get; set; } = "replica";

    /// <summary>
    /// Writes <c>RUN &lt;what&gt; &lt;run name&gt; &lt;run id&gt; &lt;flow run id&gt; &lt;attempt&gt; &lt;replica&gt; &lt;unix ms&gt;</c> for the
    /// run in progress (a flow is its own flow run): the tests read which replica ran what, when, and how many times.
    /// </summary>
    public static void Line(string what) =>
        EventLines.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"RUN {what} {Flow.RunName} {Flow.RunId} {Flow.FlowRunId ?? Flow.RunId} {Flow.Attempt} {Name} {TimeProvider.System.GetUtcNow().ToUnixTimeMilliseconds()}"));
}
