namespace Flows.Cli;

/// <summary>The exit codes of the <c>flows</c> command line (docs/cli.md).</summary>
public static class ExitCodes
{
    /// <summary>The command did what was asked; for a run it waited for, the run completed.</summary>
    public const int Success = 0;

    /// <summary>A run the command waited for failed, was cancelled or crashed; or an unexpected error.</summary>
    public const int RunNotCompleted = 1;

    /// <summary>Bad usage or bad input: an unknown verb, flow, deployment or run, a bad parameter, an unreachable store.</summary>
    public const int BadInput = 2;

    /// <summary>Interrupted by Ctrl+C (SIGINT): a run the command started in this process was cancelled first.</summary>
    public const int Interrupted = 130;

    /// <summary>Stopped by SIGTERM: a run the command started in this process was cancelled first.</summary>
    public const int Terminated = 143;
}
