namespace Flows;

/// <summary>Placeholder.</summary>
public sealed class FlowEngine
{
}
