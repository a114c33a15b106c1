using Flows.Runs;

namespace Flows.Tests.Fixtures;

/// <summary>Flows with completion and failure hooks of several shapes.</summary>
public sealed class Hooked
{
    public List<string> Calls { get; } = [];

    [Flow("hooked-succeeds", OnCompletion = nameof(Completed), OnFailure = nameof(Failed))]
    public int Succeeds() => 1;

    [Flow("hooked-fails", OnCompletion = nameof(Completed), OnFailure = nameof(Failed))]
    public async Task Fails()
    {
        await Task.Yield();
        throw new InvalidOperationException("bad input row 7");
    }

    [Task("hooked-task-fails", OnFailure = nameof(Noticed))]
    public void TaskFails() => throw new FormatException("not a number");

    [Task("hooked-hook-throws", OnCompletion = nameof(Throws))]
    public int HookThrows() => 42;

    public void Completed(RunRecord run) => Calls.Add($"completed {run.Name} {run.State}");

    public Task Failed(RunRecord run)
    {
        Calls.Add($"failed {run.Name} {run.State} {run.Error}");
        return Task.CompletedTask;
    }

    public void Noticed() => Calls.Add("noticed");

    public static void Throws() => throw new InvalidOperationException("hook broke");
}
