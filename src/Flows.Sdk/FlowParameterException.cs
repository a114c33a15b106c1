namespace Flows;

/// <summary>A flow run by name was given a missing, unknown or mistyped parameter. Thrown before the flow's body runs.</summary>
public sealed class FlowParameterException : ArgumentException
{
    /// <summary>Creates the exception.</summary>
    public FlowParameterException(string flowName, string parameterName, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        FlowName = flowName;
        ParameterName = parameterName;
    }

    /// <summary>The flow that was run.</summary>
    public string FlowName { get; }

    /// <summary>The parameter that was wrong.</summary>
    public string ParameterName { get; }

    /// <inheritdoc />
    public override string Message => base.Message.Split(" (Parameter '", 2)[0];
}
