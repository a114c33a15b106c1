using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Spectre.Console.Testing;

namespace Flows.Cli.Tests.Commands;

/// <summary>
/// A Program.cs that passes the same <c>args</c> to <c>Host.CreateApplicationBuilder(args)</c> and to the command line:
/// the host's command-line configuration source reads the verb's options as settings, and the command still works.
/// </summary>
public sealed class ProgramShapeTests
{
    [Test]
    public async Task HostBuiltWithTheSameArgs_StillRunsTheCommand_ButReadsItsOptionsAsSettings()
    {
        using var folder = TempFolder.Create("flows-cli-args-");
        string[] args = ["run", "cli-greet", "--param", "name=Ada", "-p", "times=2", "--json"];
        var builder = Host.CreateApplicationBuilder(args);
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["Flows:Store:Path"] = folder.File("flows.db") });
        builder.Services.AddFlows();
        using var host = builder.Build();
        var output = new TestConsole().Width(80);

        var exitCode = await FlowsCommandLine.RunAsync(args, host, new FlowsCommandLineOptions { Output = output, Error = new TestConsole(), Environment = _ => null });

        Assert.That(exitCode, Is.EqualTo(ExitCodes.Success), output.Output);
        using (var json = JsonDocument.Parse(output.Output))
        {
            Assert.That(json.RootElement.GetProperty("result").GetString(), Is.EqualTo("Hello Ada. Hello Ada. "));
        }

        // Why docs/cli.md writes Host.CreateApplicationBuilder() without args: each option became a setting.
        Assert.That(builder.Configuration["param"], Is.EqualTo("name=Ada"));
        Assert.That(builder.Configuration["times"], Is.EqualTo("2"));
        await host.Services.GetRequiredService<FlowEngine>().DisposeAsync();
    }
}
