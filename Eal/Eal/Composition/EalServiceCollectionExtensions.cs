using Eal;
using Eal.Classes;
using Eal.Emulation;
using Eal.Emulation.Devices;
using Eal.Emulation.Kernel;
using Eal.Logging;
using Eal.Memory.Os;
using Eal.Options;
using Eal.Platform;
using Eal.Plugins;
using Eal.Vfio;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registration of the EAL core.</summary>
public static class EalServiceCollectionExtensions
{
    /// <summary>
    /// Adds EAL configured from DPDK-style arguments (without the program name): the arguments become a
    /// configuration source bound to <see cref="EalOptions"/>, <c>-d</c> plugins are loaded now and register
    /// their buses and drivers, <c>--log-level</c> becomes logging filters.
    /// </summary>
    /// <exception cref="EalArgumentException">The arguments do not parse.</exception>
    /// <exception cref="PluginLoadException">A <c>-d</c> plugin cannot be loaded.</exception>
    public static IServiceCollection AddEal(this IServiceCollection services, IReadOnlyList<string> args)
    {
        var parsed = EalArgumentParser.Parse(args);
        var configuration = new ConfigurationBuilder().AddEalArguments(parsed).Build();
        return services.AddEalCore(configuration.GetSection(EalOptions.SectionName), parsed);
    }

    /// <summary>
    /// Adds EAL configured from a configuration section shaped like <see cref="EalOptions"/> (JSON, environment
    /// variables, ...): the same settings as the command line, validated at start with the same rules.
    /// </summary>
    public static IServiceCollection AddEal(this IServiceCollection services, IConfiguration section) =>
        services.AddEalCore(section, null);

    private static IServiceCollection AddEalCore(this IServiceCollection services, IConfiguration section, ParsedEalArguments? parsed)
    {
        var raw = new EalOptions();
        section.Bind(raw);

        services.AddOptions<EalOptions>().Bind(section);
        services.TryAddSingleton(new EalArgumentsHolder(parsed));
        services.TryAddSingleton<IPlatform>(_ => CreatePlatform(raw));
        services.TryAddSingleton<EalInstance>();
        services.TryAddSingleton<IMemoryOs>(sp => CreateMemoryOs(sp.GetRequiredService<IPlatform>()));
        // The emulated kernel serves the emulated machine's devices from their models; vendors add theirs to the registry.
        services.TryAddSingleton(_ => PciDeviceModelRegistry.CreateDefault());
        services.TryAddSingleton<IKernel>(sp => sp.GetRequiredService<IPlatform>() is EmulatedPlatform emulated
            ? new EmulatedKernel(emulated, sp.GetRequiredService<PciDeviceModelRegistry>().AsProvider())
            : new LinuxKernel());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IDeviceClass, EthernetDeviceClass>());

        var levels = EalLogLevels.Parse(raw.LogLevel);
        services.AddLogging(b => b.AddDpdkLogLevels(levels));

        if (raw.DriverPath.Count > 0)
        {
            var loaded = new PluginLoader().Load(raw.DriverPath, services);
            services.AddSingleton<IReadOnlyList<LoadedPlugin>>(loaded);
        }
        return services;
    }

    /// <summary>The memory side of the OS seam: the real kernel, or the emulated machine's hugepage pools.</summary>
    private static IMemoryOs CreateMemoryOs(IPlatform platform)
    {
        if (platform is not EmulatedPlatform emulated) return new LinuxMemoryOs(platform.SysfsRoot, platform.ProcRoot);
        var machine = emulated.Machine;
        var nodes = machine.NumaNodes.OrderBy(n => n.Id).ToList();
        var pools = nodes.SelectMany(n => n.Hugepages).Select(h => h.SizeKiB).Distinct().Order()
            .Select(size => new EmulatedHugepagePool((nuint)(size * 1024),
                nodes.Select(n => (long)n.Hugepages.Where(h => h.SizeKiB == size).Sum(h => h.Free)).ToArray()))
            .ToArray();
        var mounts = pools.Length == 0 ? [] : new[] { (Path.Combine(emulated.DevRoot, "hugepages"), pools[0].PageSize) };
        int groups = machine.IommuPresent ? Math.Max(1, machine.PciFunctions.Count(f => f.IommuGroup is not null)) : 0;
        return new EmulatedMemoryOs(pools, mounts, Math.Max(1, nodes.Count), groups);
    }

    private static IPlatform CreatePlatform(EalOptions options)
    {
        if (options.Emulate is null) return new LinuxPlatform();
        try
        {
            return EmulatedPlatform.FromSpec(options.Emulate.Length == 0 || options.Emulate == "true" ? null : options.Emulate);
        }
        catch (Exception ex) when (ex is FormatException or IOException or ArgumentException or InvalidOperationException)
        {
            throw new EalInitException($"--emulate={options.Emulate}: {ex.Message}", ex);
        }
    }
}
