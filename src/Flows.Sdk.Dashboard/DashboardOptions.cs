namespace Flows.Dashboard;

/// <summary>How the run dashboard behaves (<c>services.AddFlowsDashboard(o => ...)</c>).</summary>
public sealed class DashboardOptions
{
    /// <summary>The name shown in the page titles and header. Defaults to "Flows".</summary>
    public string Title { get; set; } = "Flows";

    /// <summary>
    /// How often an open page asks for what changed (a request answered 304 Not Modified when nothing did). Defaults to
    /// 2 seconds; at least 250 ms.
    /// </summary>
    public TimeSpan RefreshInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// How long a store query's answer is shared by every page asking the same thing, so that twenty open pages cost
    /// the store what one does. Defaults to 1 second; zero turns the sharing off.
    /// </summary>
    public TimeSpan QuerySharing { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Lets the dashboard cancel, retry, pause, resume and run without any authorization on its endpoints. Off by
    /// default: a dashboard whose endpoints carry no authorization (<c>MapFlowsDashboard(...).RequireAuthorization()</c>)
    /// is read-only. Turn it on only where the network itself decides who reaches the page (loopback, say).
    /// </summary>
    public bool AllowActionsWithoutAuthorization { get; set; }

    /// <summary>
    /// Where the dashboard finds the flow engine, its store, deployments and clients. Null (the default): the
    /// application's own services. Set it to show another host's flows, as <c>flows dashboard</c> does.
    /// </summary>
    public IServiceProvider? FlowServices { get; set; }
}
