using Flows.Cli;

// Extensions live in the namespace of the type they extend, so they show up without a using directive.
#pragma warning disable IDE0130
namespace Microsoft.Extensions.Hosting;
#pragma warning restore IDE0130

/// <summary>Runs the <c>flows</c> command line on a built host.</summary>
public static class FlowsCommandLineHostExtensions
{
    /// <summary>
    /// <c>return await app.RunFlowsAsync(args);</c>: runs the command <paramref name="args"/> give (see
    /// <see cref="FlowsCommandLine.RunAsync"/>), serving when they give none, and returns the exit code.
    /// </summary>
    public static Task<int> RunFlowsAsync(this IHost host, string[] args, CancellationToken cancellationToken = default) =>
        FlowsCommandLine.RunAsync(args, host, options: null, cancellationToken);
}
