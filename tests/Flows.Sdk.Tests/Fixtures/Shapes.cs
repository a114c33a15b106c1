namespace Flows.Tests.Fixtures;

/// <summary>One task of every method shape the generator intercepts.</summary>
public sealed class Shapes
{
    public int Calls { get; private set; }

    [Task("shape-sync-void")]
    public void SyncVoid() => Calls++;

    [Task("shape-sync-value")]
    public int SyncValue(int x) => x * 2;

    [Task("shape-task")]
    public async Task AsyncTask(CancellationToken cancellationToken)
    {
        await Task.Yield();
        cancellationToken.ThrowIfCancellationRequested();
        Calls++;
    }

    [Task("shape-task-of-t")]
    public async Task<int> AsyncValue(int x)
    {
        await Task.Yield();
        return x + 1;
    }

    [Task("shape-value-task")]
    public async ValueTask AsyncValueTask()
    {
        await Task.Yield();
        Calls++;
    }

    [Task("shape-value-task-of-t")]
    public ValueTask<string> AsyncValueTaskOfT(string text) => new(text.ToUpperInvariant());

    [Task("shape-static-sync")]
    public static int StaticSync(int a, int b) => a + b;

    [Task("shape-static-async")]
    public static async Task<string> StaticAsync(string text)
    {
        await Task.Yield();
        return text + "!";
    }

    [Flow("shape-flow-calls-every-shape")]
    public async Task<int> CallEveryShape()
    {
        SyncVoid();
        var total = SyncValue(1);
        await AsyncTask(default);
        total += await AsyncValue(1);
        await AsyncValueTask();
        total += (await AsyncValueTaskOfT("x")).Length;
        total += StaticSync(1, 1);
        total += (await StaticAsync("y")).Length;
        return total;
    }
}
