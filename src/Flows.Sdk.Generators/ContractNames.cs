namespace Flows.Sdk.Generators;

/// <summary>
/// The namespaces of the Flows.Sdk types that generated code names or that the parsers recognise, in one place: the
/// contract generated code binds to lives in one namespace of its own (docs/architecture.md), so moving it is a
/// change here and in the golden files, nowhere else.
/// </summary>
internal static class ContractNames
{
    /// <summary>What a flow author writes: [Task], [Flow], [Secret], SecretCredential.</summary>
    public const string Authoring = "Flows";

    /// <summary>The recorded history a hook reads: RunRecord, RunKind.</summary>
    public const string Runs = "Flows.Runs";

    /// <summary>The contract generated code binds to: descriptors, invoker entry points, Unit, RunEntryPointAttribute.</summary>
    public const string CompilerServices = "Flows.CompilerServices";

    /// <summary><see cref="CompilerServices"/> as generated code writes it.</summary>
    public const string GlobalCompilerServices = "global::" + CompilerServices;

    /// <summary><see cref="Runs"/> as generated code writes it.</summary>
    public const string GlobalRuns = "global::" + Runs;
}
