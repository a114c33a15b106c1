using Flows.Cli;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Time.Testing;
using Spectre.Console.Testing;

namespace Flows.Cli.Tests.Support;

/// <summary>
/// An application with the flows of this test project, recording to a SQLite file of its own (or the store
/// <paramref name="configure"/> registers), whose command line tests drive in-process: each <see cref="RunAsync"/> is
/// one command, its output read from 80-column recording consoles.
/// </summary>
public sealed class CliApp : IAsyncDisposable
{
    /// <summary>The tests' "now": times print in UTC+1 so local and UTC output differ.</summary>
    public static readonly DateTimeOffset Now = new(2030, 6, 1, 12, 0, 0, TimeSpan.Zero);

    public static readonly TimeZoneInfo Zone = TimeZoneInfo.CreateCustomTimeZone("Test+1", TimeSpan.FromHours(1), "Test+1", "Test+1");

    private readonly TempFolder _folder = TempFolder.Create("flows-cli-");

    public CliApp(Action<HostApplicationBuilder>? configure = null, bool storeOnly = false)
    {
        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["Flows:Store:Path"] = StorePath });
        builder.Services.AddFlows();
        configure?.Invoke(builder);
        Host = builder.Build();
        StoreOnly = storeOnly;
    }

    /// <summary>The SQLite file the application records to (unless <c>configure</c> registered another store).</summary>
    public string StorePath => _folder.File("flows.db");

    public IHost Host { get; }

    public bool StoreOnly { get; }

    public FakeTimeProvider Time { get; } = new(Now);

    public FlowEngine Engine => Host.Services.GetRequiredService<FlowEngine>();

    /// <summary>Runs one command line, as <c>flows &lt;args&gt;</c>.</summary>
    public async Task<CliResult> RunAsync(params string[] args)
    {
        var output = new TestConsole().Width(80);
        var error = new TestConsole().Width(80);
        var options = new FlowsCommandLineOptions
        {
            Output = output,
            Error = error,
            TimeProvider = Time,
            TimeZone = Zone,
            Environment = _ => null,
            StoreOnly = StoreOnly,
        };
        var exitCode = await FlowsCommandLine.RunAsync(args, Host, options);
        return new CliResult(exitCode, output.Output, error.Output);
    }

    public async ValueTask DisposeAsync()
    {
        await Engine.DisposeAsync();
        Host.Dispose();
        _folder.Dispose();
    }
}

/// <summary>What one command did: its exit code, and what it wrote to each stream.</summary>
public sealed record CliResult(int ExitCode, string Output, string Error)
{
    /// <summary>Every line of output, trailing spaces removed.</summary>
    public IReadOnlyList<string> Lines => [.. Output.Split('\n').Select(l => l.TrimEnd())];

    public override string ToString() => $"exit {ExitCode}\n--- output\n{Output}\n--- error\n{Error}";
}
