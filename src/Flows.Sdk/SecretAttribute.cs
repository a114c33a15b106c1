namespace Flows;

/// <summary>
/// Marks a flow or task parameter whose value the runtime resolves from the configured secret providers and
/// injects. The parameter needs a default value so callers can leave it out; the value is masked wherever runs
/// are recorded.
/// </summary>
[AttributeUsage(AttributeTargets.Parameter, AllowMultiple = false, Inherited = false)]
public sealed class SecretAttribute(string name) : Attribute
{
    /// <summary>The secret's name as the providers know it.</summary>
    public string Name { get; } = name;
}
