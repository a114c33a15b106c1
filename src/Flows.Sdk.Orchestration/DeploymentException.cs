namespace Flows.Orchestration;

/// <summary>
/// One or more deployments are not valid; thrown when the host starts, before anything is scheduled. The message lists
/// each problem: the deployment, the field and what was expected.
/// </summary>
public sealed class DeploymentException : Exception
{
    /// <summary>Creates the exception from its problems.</summary>
    public DeploymentException(IReadOnlyList<DeploymentError> errors)
        : base(Describe(errors))
    {
        Errors = errors;
    }

    /// <summary>Every problem found, in declaration order.</summary>
    public IReadOnlyList<DeploymentError> Errors { get; }

    private static string Describe(IReadOnlyList<DeploymentError> errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        var deployments = errors.Select(e => e.Deployment).Distinct(StringComparer.Ordinal).Count();
        var lines = errors.Select(e => $"  - deployment '{e.Deployment}', {e.Field}: {e.Problem}");
        return $"{deployments} deployment{(deployments == 1 ? " is" : "s are")} not valid; nothing was scheduled:{Environment.NewLine}{string.Join(Environment.NewLine, lines)}";
    }
}

/// <summary>One problem of one deployment: which field, and what was wrong and expected.</summary>
/// <param name="Deployment">The deployment's name.</param>
/// <param name="Field">The field, as written in code: <c>Cron[0]</c>, <c>Parameters.states</c>, <c>Flow</c>.</param>
/// <param name="Problem">What was wrong, and what was expected.</param>
public sealed record DeploymentError(string Deployment, string Field, string Problem);
