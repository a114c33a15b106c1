using Microsoft.CodeAnalysis;

namespace Flows.Sdk.Generators;

/// <summary>Wires [Task] and [Flow] methods into the Flows runtime.</summary>
[Generator(LanguageNames.CSharp)]
public sealed class FlowsGenerator : IIncrementalGenerator
{
    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
    }
}
