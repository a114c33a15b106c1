using System.Data.Common;
using System.Globalization;
using Flows.Dashboard.Hosting;
using Flows.Dashboard.Rendering;
using Flows.Orchestration;
using Flows.Stores;

namespace Flows.Dashboard.Pages.Workers;

/// <summary>
/// The nodes sharing the run store as a table (a card per node on a phone): machine and process, state labelled,
/// last check-in (how long ago on the database's clock, and when), what it serves, and its flow runs in flight.
/// </summary>
internal static class NodesView
{
    /// <summary>How many runs in flight are linked per node; the rest are counted.</summary>
    public const int RunsShown = 10;

    /// <summary>What the states mean, from the store's own heartbeat settings when it has them.</summary>
    public static Html Explanation(IRunStore store) => store is IRunOwners owners
        ? Html.Of($"""
            <p class="muted">Every process using this run store checks in every {Format.Duration(owners.HeartbeatInterval)}, on the database's clock.
            <strong>Alive</strong>: it checked in on time. <strong>Overdue</strong>: it missed a check-in. <strong>Gone</strong>: silent for longer than {Format.Duration(owners.HeartbeatTimeout)};
            its unfinished runs are marked Crashed and it leaves this list.</p>
            """)
        : Html.Raw("<p class=\"muted\">This store lives in this process's memory: this process is its one worker.</p>");

    public static async Task<Html> RenderAsync(DashboardContext context, IRunStoreNodes store)
    {
        IReadOnlyList<StoreNode> nodes;
        try
        {
            nodes = await context.Sharing.GetAsync("workers:nodes", ct => store.ListNodesAsync(RunsShown, ct), context.Aborted).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is RunStoreException or DbException)
        {
            // The engine logs the store's outages; the page says so and asks again on its next refresh.
            return Html.Raw("<p class=\"notice error-notice\" role=\"alert\">The run store could not be reached just now. This list refreshes by itself.</p>");
        }

        if (nodes.Count == 0)
        {
            return Html.Raw("<p>No process is registered on this run store.</p>");
        }

        var quartz = await SchedulerViewAsync(context).ConfigureAwait(false);

        return Html.Of($"""
            <p class="summary">{Summary(nodes)}</p>
            <div class="table-wrap"><table class="workers stack">
            <caption class="visually-hidden">Processes using the run store</caption>
            <thead><tr><th scope="col">Node</th><th scope="col">State</th><th scope="col">Last check-in</th><th scope="col">Started</th><th scope="col">Serves</th><th scope="col">Runs in flight</th></tr></thead>
            <tbody>{Html.Join(nodes, n => Row(context, n, quartz.GetValueOrDefault(n.Id.ToString("D"))))}</tbody>
            </table></div>
            """);
    }

    private static string Summary(IReadOnlyList<StoreNode> nodes)
    {
        var inFlight = nodes.Where(n => n.IsAlive).Sum(n => n.RunsInProgress);
        return string.Create(
            CultureInfo.InvariantCulture,
            $"{Count(nodes.Count, "node")}: {nodes.Count(n => n.Health == NodeHealth.Alive)} alive, {nodes.Count(n => n.Health == NodeHealth.Overdue)} overdue, {nodes.Count(n => n.Health == NodeHealth.Gone)} gone · {Count(inFlight, "run")} in flight");
    }

    private static Html Row(DashboardContext context, StoreNode node, ClusterNodeCheckIn? scheduler) => Html.Of($"""
        <tr id="node-{node.Id}" class="node" data-state="{State(node.Health)}">
        <th scope="row" data-label="Node"><div><span class="node-name">{node.Machine}</span> <span class="muted">pid {node.ProcessId}</span>{Html.If(node.IsCurrent, Html.Raw(" <span class=\"tag\">this process</span>"))}
        <br><code class="muted" title="Store owner id (the Quartz instance id in a cluster): {node.Id}">…{node.Id.ToString("N")[^8..]}</code>{Identity(node.Description)}</div></th>
        {Cell("State", Html.Concat(Badge(node.Health), Scheduler(scheduler)))}
        {Cell("Last check-in", Html.Of($"{Ago(node.SinceHeartbeat)}<br>{Format.Time(node.LastHeartbeat)}"))}
        {Cell("Started", Format.Time(node.StartedAt))}
        {Cell("Serves", Serves(node.Description))}
        {Cell("Runs in flight", Runs(context, node))}
        </tr>
        """);

    /// <summary>A cell labelled for the stacked (phone) layout, its content in one box.</summary>
    private static Html Cell(string label, Html content) => Html.Of($"<td data-label=\"{label}\"><div>{content}</div></td>");

    /// <summary>
    /// Quartz's own view of its cluster by instance id, when orchestration runs a clustered job store (its nodes are
    /// named by their store owner ids): the check-ins its recovery acts on, shown beside the store's verdict. Empty
    /// without orchestration, or when the job store keeps no check-ins (not clustered).
    /// </summary>
    private static async Task<IReadOnlyDictionary<string, ClusterNodeCheckIn>> SchedulerViewAsync(DashboardContext context)
    {
        if (context.Services.GetService(typeof(IClusterNodes)) is not IClusterNodes cluster)
        {
            return new Dictionary<string, ClusterNodeCheckIn>();
        }

        var nodes = await context.Sharing.GetAsync("workers:scheduler", cluster.ListAsync, context.Aborted).ConfigureAwait(false);
        return nodes.Where(n => n.LastCheckIn is not null).ToDictionary(n => n.InstanceId, StringComparer.OrdinalIgnoreCase);
    }

    private static Html Scheduler(ClusterNodeCheckIn? node) => node is null
        ? Html.Empty
        : Html.Of($"<br><span class=\"muted scheduler\" title=\"The Quartz scheduler's verdict on its check-ins\">scheduler: {node.Status.ToString().ToLowerInvariant()}</span>");

    /// <summary>The state badge: coloured and labelled, with what it means in its title.</summary>
    public static Html Badge(NodeHealth health) => health switch
    {
        NodeHealth.Alive => Html.Raw("<span class=\"state node-alive\" title=\"Checked in on time\">Alive</span>"),
        NodeHealth.Overdue => Html.Raw("<span class=\"state node-overdue\" title=\"Missed a check-in, not yet for the heartbeat timeout\">Overdue</span>"),
        _ => Html.Raw("<span class=\"state node-gone\" title=\"Silent for longer than the heartbeat timeout: its unfinished runs count as crashed\">Gone</span>"),
    };

    private static string State(NodeHealth health) => health.ToString().ToLowerInvariant();

    private static Html Identity(NodeDescription? description) =>
        description is { Application: { } application }
            ? Html.Of($" <span class=\"muted\">· {application}{(description.Version is { } version ? " " + version : string.Empty)}</span>")
            : Html.Empty;

    /// <summary>What a node does: its roles, its queues and how many runs at once.</summary>
    public static Html Serves(NodeDescription? description)
    {
        if (description is null)
        {
            return Html.Raw("<span>Runs flows in its own process</span><br><span class=\"muted\">no orchestration</span>");
        }

        var roles = (description.Works, description.Schedules) switch
        {
            (true, true) => "Runs and schedules",
            (true, false) => "Runs flows",
            (false, true) => "Schedules only",
            _ => "Client: runs nothing",
        };
        if (!description.Works)
        {
            return Html.Text(roles);
        }

        var queues = description.Queues.Count > 0
            ? Html.Of($"queues {Queues(description.Queues)}")
            : description.RefusedQueues.Count > 0
                ? Html.Of($"every queue but {Queues(description.RefusedQueues)}")
                : Html.Raw("every queue");
        var at = description.MaxConcurrentRuns is { } max ? Html.Of($"<br><span class=\"muted\">up to {max} at once</span>") : Html.Empty;
        return Html.Of($"{roles}<br>{queues}{at}");
    }

    private static Html Queues(IEnumerable<string> queues) => Html.Join(queues, q => Html.Of($"<span class=\"queue\">{q}</span> "));

    private static Html Runs(DashboardContext context, StoreNode node)
    {
        if (node.RunsInProgress == 0)
        {
            return Html.Raw("<span class=\"none\">none</span>");
        }

        var more = node.RunsInProgress - node.Runs.Count;
        return Html.Of($"""
            <ul class="in-flight">{Html.Join(node.Runs, r => Html.Of($"<li><a href=\"{context.Url($"/runs/{r.Id}")}\">{r.Name}</a> {Format.State(r.State)}{(r.StartedAt is { } started ? Html.Concat(Html.Raw(" <span class=\"muted\">since "), Format.Time(started), Html.Raw("</span>")) : Html.Empty)}</li>"))}</ul>
            {Html.If(more > 0, Html.Of($"<span class=\"muted\">and {more} more</span>"))}{Html.If(!node.IsAlive, Html.Raw("<br><span class=\"muted\">to be marked Crashed</span>"))}
            """);
    }

    /// <summary>How long ago, in words: 4 s ago, 3 min ago, 2 h 05 m ago.</summary>
    public static string Ago(TimeSpan since) => since switch
    {
        { TotalSeconds: < 1 } => "just now",
        { TotalMinutes: < 1 } => string.Create(CultureInfo.InvariantCulture, $"{(int)since.TotalSeconds} s ago"),
        { TotalHours: < 1 } => string.Create(CultureInfo.InvariantCulture, $"{(int)since.TotalMinutes} min ago"),
        _ => Format.Duration(since) + " ago",
    };

    private static string Count(int count, string noun) => string.Create(CultureInfo.InvariantCulture, $"{count} {noun}{(count == 1 ? string.Empty : "s")}");
}
