namespace Flows.Dashboard.Hosting;

/// <summary>Registered by <c>AddFlowsDashboard()</c>: how <c>MapFlowsDashboard</c> knows the services are there.</summary>
internal sealed class DashboardMarker;
