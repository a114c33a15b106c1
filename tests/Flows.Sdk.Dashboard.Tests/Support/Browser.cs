using Microsoft.Playwright;

namespace Flows.Dashboard.Tests.Support;

/// <summary>
/// One headless Chromium for the whole test run: Debian's <c>chromium</c> (FLOWS_TEST_CHROMIUM, which scripts/test.sh
/// sets after installing it, else found on PATH),
/// driven by Playwright. Missing: a failure under CI=true, the test ignored elsewhere.
/// </summary>
public static class Browser
{
    private static readonly SemaphoreSlim Starting = new(1, 1);
    private static IPlaywright? _playwright;
    private static IBrowser? _browser;
    private static string? _missing;

    /// <summary>Starts the browser the first time a test needs it.</summary>
    private static async Task StartAsync()
    {
        await Starting.WaitAsync();
        try
        {
            if (_browser is null && _missing is null)
            {
                await LaunchAsync();
            }
        }
        finally
        {
            Starting.Release();
        }
    }

    private static async Task LaunchAsync()
    {
        var chromium = Environment.GetEnvironmentVariable("FLOWS_TEST_CHROMIUM") is { Length: > 0 } given ? given : FindOnPath("chromium");
        if (chromium is null)
        {
            _missing = "FLOWS_TEST_CHROMIUM is not set and chromium is not on PATH: run scripts/test.sh, which installs Debian's chromium (apt-get install -y chromium).";
            return;
        }

        _playwright = await Playwright.CreateAsync();
        _browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = chromium,
            Headless = true,
            Args = ["--no-sandbox"],
            Timeout = 60_000,
        });
    }

    /// <summary>Closes the browser (at the end of the test run: see <see cref="BrowserLifetime"/>).</summary>
    public static async Task StopAsync()
    {
        if (_browser is not null)
        {
            await _browser.DisposeAsync();
        }

        _playwright?.Dispose();
    }

    /// <summary>A new page in a context of its own (cookies not shared), 1280×800 unless <paramref name="width"/> says otherwise.</summary>
    public static async Task<IPage> NewPageAsync(int width = 1280, int height = 800, string? timezone = null)
    {
        await StartAsync();
        if (_browser is null)
        {
            TestServices.Required("FLOWS_TEST_CHROMIUM", _missing ?? "the browser did not start.");
        }

        var context = await _browser!.NewContextAsync(new BrowserNewContextOptions
        {
            ViewportSize = new ViewportSize { Width = width, Height = height },
            TimezoneId = timezone ?? "America/New_York",
            Locale = "en-US",
        });
        context.SetDefaultTimeout(30_000);
        context.SetDefaultNavigationTimeout(30_000);
        return await context.NewPageAsync();
    }

    private static string? FindOnPath(string program) =>
        (Environment.GetEnvironmentVariable("PATH") ?? string.Empty)
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(folder => Path.Combine(folder, program))
            .FirstOrDefault(File.Exists);
}
