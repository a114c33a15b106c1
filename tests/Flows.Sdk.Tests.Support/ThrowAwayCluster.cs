using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Flows.Tests.Support;

/// <summary>
/// A PostgreSQL cluster of a test's own, in a temporary folder on a free loopback port, that the test may stop and
/// start again (the shared test cluster must never be stopped: other tests use it at the same time). Started with
/// the flags scripts/test.sh uses but for synchronous commits (see <see cref="StartAsync"/>), from the binaries in <c>FLOWS_TEST_PG_BIN</c> (exported by scripts/test.sh); as
/// root, its tools run as the <c>postgres</c> user, since PostgreSQL refuses to run as root.
/// </summary>
public sealed class ThrowAwayCluster : IAsyncDisposable
{
    private static readonly TimeSpan ToolLimit = TimeSpan.FromSeconds(90);

    private readonly string _bin;
    private readonly string _folder;
    private readonly int _port;

    private ThrowAwayCluster(string bin, string folder, int port)
    {
        _bin = bin;
        _folder = folder;
        _port = port;
    }

    public string ConnectionString => $"Host=127.0.0.1;Port={_port};Username=postgres;Database=postgres;Timeout=5";

    /// <summary>The folder holding initdb and pg_ctl. Missing: a failure under CI, a skip elsewhere.</summary>
    public static string BinFolder => TestServices.Required("FLOWS_TEST_PG_BIN", "run scripts/test.sh, which exports the folder holding initdb and pg_ctl.");

    private static bool IsRoot => Environment.UserName == "root";

    /// <summary>Creates the cluster and starts it.</summary>
    public static async Task<ThrowAwayCluster> StartNewAsync()
    {
        var bin = BinFolder;

        // /tmp, not $TMPDIR: the postgres user must be able to reach the folder.
        var folder = Path.Combine(IsRoot ? "/tmp" : Path.GetTempPath(), "flows-pg-outage-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(folder);
        var cluster = new ThrowAwayCluster(bin, folder, FreePort());
        try
        {
            if (IsRoot)
            {
                await RunAsync("chown", ["postgres:", folder]);
            }

            await cluster.PgAsync("mkdir", "-p", Path.Combine(folder, "sock"));
            await cluster.PgAsync(Path.Combine(bin, "initdb"), "-D", Path.Combine(folder, "data"), "-A", "trust", "-U", "postgres", "-E", "UTF8", "--no-locale", "--no-sync");
            await cluster.StartAsync();
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// Starts the server (again) on the same port. Unlike scripts/test.sh, commits are synchronous: an immediate stop
    /// loses the commits that <c>synchronous_commit=off</c> acknowledged before writing them, which a server set up
    /// for durability never does, and a test of an outage must not blame the engine for that.
    /// </summary>
    public Task StartAsync() => PgAsync(
        Path.Combine(_bin, "pg_ctl"), "start", "-D", Path.Combine(_folder, "data"), "-l", Path.Combine(_folder, "postgres.log"), "-w", "-t", "60",
        "-o", $"-c listen_addresses=127.0.0.1 -c port={_port.ToString(CultureInfo.InvariantCulture)} -k '{Path.Combine(_folder, "sock")}' -c fsync=off -c full_page_writes=off");

    /// <summary>Stops the server at once, as a crash or a failover would: connections are cut, nothing is waited for.</summary>
    public Task StopAsync() => PgAsync(Path.Combine(_bin, "pg_ctl"), "stop", "-D", Path.Combine(_folder, "data"), "-m", "immediate", "-w", "-t", "30");

    public async ValueTask DisposeAsync()
    {
        try
        {
            await StopAsync();
        }
        catch (InvalidOperationException)
        {
            // Not running (never started, or stopped by the test).
        }

        Directory.Delete(_folder, recursive: true);
    }

    private Task PgAsync(string tool, params string[] arguments) =>
        IsRoot ? RunAsync("runuser", ["-u", "postgres", "--", tool, .. arguments]) : RunAsync(tool, arguments);

    private static async Task RunAsync(string program, string[] arguments)
    {
        var start = new ProcessStartInfo(program, arguments) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = "/" };
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(ToolLimit);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{program} {string.Join(' ', arguments)} exited with {process.ExitCode}: {await output}{await error}");
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
