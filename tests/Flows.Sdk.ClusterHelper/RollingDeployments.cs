using System.Reflection;
using System.Reflection.Emit;
using Flows.Orchestration;

namespace Flows.ClusterHelper;

/// <summary>
/// Two code versions of one application for the rolling-deploy test. Version 1.x declares <c>rolling</c> once a year
/// on 1 January; 2.x changes it to 2 January and adds <c>rolling-added</c>. Neither fires during a test.
/// </summary>
internal static class RollingDeployments
{
    /// <summary>
    /// Makes this process run as code <paramref name="version"/>: orchestration records with each deployment the
    /// entry assembly's informational version, so the entry assembly becomes one of the same name that carries
    /// <paramref name="version"/> (one build of the helper stands for both versions).
    /// </summary>
    public static void RunAs(string version)
    {
        var entry = Assembly.GetEntryAssembly()!.GetName();
        var informational = new CustomAttributeBuilder(typeof(AssemblyInformationalVersionAttribute).GetConstructor([typeof(string)])!, [version]);
        var builder = new PersistedAssemblyBuilder(new AssemblyName(entry.Name!), typeof(object).Assembly, [informational]);
        builder.DefineDynamicModule(entry.Name!);
        using var image = new MemoryStream();
        builder.Save(image);
        // Loaded from its image, in a load context of its own: a runtime assembly, as SetEntryAssembly requires.
        Assembly.SetEntryAssembly(Assembly.Load(image.ToArray()));
    }

    public static void Declare(OrchestrationOptions options, string version)
    {
        var major = Version.Parse(version.Split('-', '+')[0]).Major;
        options.Deploy("rolling", "cluster-quick", d => d
            .Cron(major >= 2 ? "0 0 2 1 *" : "0 0 1 1 *")
            .Description("declared by code " + version)
            .Parameters(new { n = major }));
        if (major >= 2)
        {
            options.Deploy("rolling-added", "cluster-quick", d => d.Cron("0 0 3 1 *").Description("declared by code " + version));
        }
    }
}
