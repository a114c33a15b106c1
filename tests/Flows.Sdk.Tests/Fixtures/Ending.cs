using Flows.Runs;

namespace Flows.Tests.Fixtures;

/// <summary>Flows whose runs end cancelled or crashed, with every hook.</summary>
public sealed class Ending
{
    public List<string> Calls { get; } = [];

    [Flow("ending-waits", OnCompletion = nameof(Completed), OnFailure = nameof(Failed), OnCancellation = nameof(Cancelled), OnCrashed = nameof(Crashed))]
    public async Task Waits(CancellationToken cancellationToken) => await Task.Delay(Timeout.Infinite, cancellationToken);

    [Flow("ending-fails", OnFailure = nameof(Failed), OnCancellation = nameof(Cancelled), OnCrashed = nameof(Crashed))]
    public void Fails() => throw new InvalidOperationException("broken");

    public void Completed(RunRecord run) => Calls.Add($"completed {run.State}");

    public void Failed(RunRecord run) => Calls.Add($"failed {run.State}");

    public Task Cancelled(RunRecord run)
    {
        Calls.Add($"cancelled {run.State}");
        return Task.CompletedTask;
    }

    public ValueTask Crashed(RunRecord run)
    {
        Calls.Add($"crashed {run.State}");
        return default;
    }
}
