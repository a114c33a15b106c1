namespace Flows.Dashboard.Rendering;

/// <summary>The dashboard's sections, as its header lists them.</summary>
internal enum Nav
{
    Runs,
    Deployments,
    Workers,
}
