using Microsoft.Extensions.Logging;

namespace Flows.Cli.Tests.Support;

/// <summary>The flows the test application has.</summary>
public sealed class CliFlows
{
    [Flow("cli-greet", Description = "Says hello to someone")]
    public async Task<string> Greet(string name, int times = 1)
    {
        var line = await Hello(name);
        Flow.Logger.LogInformation("Greeted {Name} {Times} times", name, times);
        return string.Concat(Enumerable.Repeat(line, times));
    }

    [Task("cli-hello")]
    public Task<string> Hello(string name) => Task.FromResult($"Hello {name}. ");

    [Flow("cli-fail")]
    public Task Fail(string reason) => throw new InvalidOperationException(reason);
}
