namespace Flows.Tests.Fixtures;

/// <summary>A dependency the flows below take from DI; tests mock it.</summary>
public interface IGreeting
{
    string Hello(string name);
}

/// <summary>Flows run by name: an instance flow with a dependency and a static flow with a default.</summary>
public sealed class Greeter(IGreeting greeting)
{
    private static int _sumBodyRuns;

    public static int SumBodyRuns => Volatile.Read(ref _sumBodyRuns);

    [Flow("greet")]
    public string Greet(string name, int times = 1) =>
        string.Join(" ", Enumerable.Repeat(greeting.Hello(name), times));

    [Flow("by-name-sum")]
    public static int Sum(int a, int b = 10, [Secret("unused-token")] string token = "")
    {
        Interlocked.Increment(ref _sumBodyRuns);
        return a + b + token.Length;
    }

    [Flow("by-name-list")]
    public static int Count(string[] states, DateOnly since) => states.Length + since.Day;
}
