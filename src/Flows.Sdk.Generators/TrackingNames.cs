namespace Flows.Sdk.Generators;

/// <summary>Names of the pipeline's tracked steps, so tests can assert what was cached.</summary>
internal static class TrackingNames
{
    public const string Methods = "FlowsMethods";
    public const string CallSites = "FlowsCallSites";
    public const string Catalog = "FlowsCatalog";
    public const string InterceptorsEnabled = "FlowsInterceptorsEnabled";
    public const string AssemblyName = "FlowsAssemblyName";
    public const string ScheduleCalls = "FlowsScheduleCalls";
}
