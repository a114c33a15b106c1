namespace Flows.Dashboard.Hosting;

/// <summary>Where one <c>MapFlowsDashboard</c> mounted the dashboard (an app may mount it more than once).</summary>
/// <param name="Prefix">The route prefix given, normalised: starts with a slash, no trailing slash (empty for the root).</param>
internal sealed record DashboardMount(string Prefix);
