using Flows.Engine;
using Flows.Runs;
using Flows.Secrets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Flows;

/// <summary>What code inside a flow or task can reach of its run.</summary>
public static partial class Flow
{
    /// <summary>
    /// The logger of the current run: lines carry the run's ids and names and are stored with the run. Outside any
    /// run it discards everything.
    /// </summary>
    public static ILogger Logger => RunContext.Current?.Binding.Logger ?? NullLogger.Instance;

    /// <summary>The id of the current flow or task run, or null outside any run.</summary>
    public static Guid? RunId => RunContext.Current?.Id;

    /// <summary>The name of the current flow or task (<c>load-contacts</c>), or null outside any run.</summary>
    public static string? RunName => RunContext.Current?.Descriptor.Name;

    /// <summary>The id of the flow run the current code belongs to, or null outside any flow.</summary>
    public static Guid? FlowRunId => RunContext.Current?.FlowRunId;

    /// <summary>The current attempt, from 1, or 0 outside any run.</summary>
    public static int Attempt => RunContext.Current?.Attempt ?? 0;

    /// <summary>
    /// Secrets on demand, from the current engine (the run's, else the one in scope, else the application's):
    /// <c>await Flow.Secrets.GetAsync("van-api-key")</c>. Works inside and outside runs; values are masked.
    /// </summary>
    public static SecretResolver Secrets => FlowEngine.Current.Secrets;

    /// <summary>Attaches tables, markdown and links to the current run; they are stored with it (secrets masked).</summary>
    public static RunArtifacts Artifacts { get; } = new();

    /// <summary>
    /// Returns <paramref name="text"/> with every secret the current engine knows masked (the run's engine, else the
    /// one in scope, else the application's, as for <see cref="Secrets"/>), for text a library writes somewhere Flows
    /// does not mask for it. Where no engine exists yet, none has resolved a secret, and the text comes back unchanged.
    /// </summary>
    public static string Redact(string text) => EngineScope.Existing?.Redact(text) ?? text;

    /// <summary>The current run's cancellation token (timeout, cancellation, shutdown), or none outside any run.</summary>
    public static CancellationToken CancellationToken => RunContext.Current?.Token ?? CancellationToken.None;
}
