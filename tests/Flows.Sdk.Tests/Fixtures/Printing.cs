namespace Flows.Tests.Fixtures;

/// <summary>Flows and tasks that write to the console, with and without LogPrints.</summary>
public sealed class Printing
{
    [Flow("printing-flow", LogPrints = true)]
    public async Task Print(string who, int lines)
    {
        for (var i = 0; i < lines; i++)
        {
            Console.Write($"{who} ");
            await Task.Yield();
            Console.WriteLine($"line {i}");
        }

        Console.Write($"{who} unfinished");
    }

    [Flow("printing-with-task", LogPrints = true)]
    public async Task WithTask()
    {
        Console.WriteLine("from the flow");
        await Shout();
    }

    [Task("printing-shout")]
    public static async Task Shout()
    {
        await Task.Yield();
        Console.WriteLine("from the task");
    }

    [Flow("printing-quiet")]
    public static void Quiet() => Console.WriteLine("not captured");

    public TaskCompletionSource Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    [Flow("printing-waits", LogPrints = true)]
    public async Task Waits()
    {
        Console.WriteLine("inside");
        await Release.Task;
    }
}
