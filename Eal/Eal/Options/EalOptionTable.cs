using System.Collections.Frozen;
using System.Text;

namespace Eal.Options;

/// <summary>
/// The one declarative table of EAL options (DPDK <c>lib/eal/common/eal_option_list.h</c>) from which the
/// parser, the <c>--help</c> text and the configuration keys are all derived.
/// </summary>
public static class EalOptionTable
{
    private static readonly EalOptionDefinition[] Definitions = Build();

    private static readonly FrozenDictionary<string, EalOptionDefinition> ByName = Definitions
        .SelectMany(d => d.ShortName is null
            ? new[] { KeyValuePair.Create(d.LongName, d) }
            : new[] { KeyValuePair.Create(d.LongName, d), KeyValuePair.Create(d.ShortName, d) })
        .ToFrozenDictionary(StringComparer.Ordinal);

    /// <summary>Every option, in help order (aliases included).</summary>
    public static IReadOnlyList<EalOptionDefinition> All { get; } = Array.AsReadOnly(Definitions);

    /// <summary>The <c>-h/--help</c> action.</summary>
    public static EalOptionDefinition Help => Get("--help");

    /// <summary>Finds an option by its exact long (<c>--lcores</c>) or short (<c>-l</c>) name.</summary>
    /// <returns>The option, or null when no option has that exact name (no abbreviations).</returns>
    public static EalOptionDefinition? Find(string name) =>
        ByName.TryGetValue(name, out var definition) ? definition : null;

    /// <summary>Gets an option by exact name, throwing when it is not in the table.</summary>
    /// <exception cref="ArgumentException">No option has that name.</exception>
    public static EalOptionDefinition Get(string name) =>
        Find(name) ?? throw new ArgumentException($"'{name}' is not an EAL option; see EalOptionTable.All.", nameof(name));

    /// <summary>Formats the usage text printed for <c>-h/--help</c>: every option with its names, value and help.</summary>
    /// <param name="programName">The program name for the usage line.</param>
    public static string FormatHelp(string programName = "<app>")
    {
        var rows = Definitions.Select(d => (Names: FormatNames(d), d.Help)).ToList();
        int width = rows.Max(r => r.Names.Length) + 2;
        var sb = new StringBuilder();
        sb.Append("usage: ").Append(programName).Append(" [EAL options] -- [application options]\n\n");
        sb.Append("EAL options:\n");
        foreach (var (names, help) in rows)
            sb.Append("  ").Append(names.PadRight(width)).Append(help).Append('\n');
        sb.Append('\n')
          .Append("Options take values as '--opt value', '--opt=value', '-o value', '-ovalue' or '-o=value';\n")
          .Append("options shown with [=<value>] take a value only in the '--opt=value' form.\n")
          .Append("'--' ends the EAL options; everything after it is left to the application.\n");
        return sb.ToString();
    }

    private static string FormatNames(EalOptionDefinition d)
    {
        string names = d.ShortName is null ? "    " + d.LongName : d.ShortName + ", " + d.LongName;
        return d.EffectiveKind switch
        {
            EalOptionKind.Bool => names,
            EalOptionKind.OptionalStr => names + "[=" + d.ValueHint + "]",
            _ => names + " " + d.ValueHint,
        };
    }

    private static EalOptionDefinition[] Build()
    {
        const EalOptionKind List = EalOptionKind.List, Str = EalOptionKind.Str, Opt = EalOptionKind.OptionalStr,
            Bool = EalOptionKind.Bool, Alias = EalOptionKind.Alias;
        EalOptionDefinition[] table =
        [
            new("--help", "-h", Bool, null, "Show this help and exit", hasConfigurationKey: false),
            // Common options (DPDK order).
            new("--auto-probing", null, Bool, null, "Probe all available devices unless some -a/-b option is set (default)"),
            new("--allow", "-a", List, "<devargs>", "Add a device to the allow-list: only listed devices are used"),
            new("--base-virtaddr", null, Str, "<hex address>", "Base virtual address to reserve memory at (aligned up to 16 MiB)"),
            new("--block", "-b", List, "<devargs>", "Add a device to the block-list: the device is not used"),
            new("--coremask", "-c", Str, "<hex mask>", "[Deprecated] Hexadecimal bitmask of cores to use"),
            new("--driver-path", "-d", List, "<path>", "Load a driver assembly, or every driver assembly in a directory"),
            new("--force-max-simd-bitwidth", null, Str, "<bits>", "Max SIMD bitwidth for vector code paths (64..32768, power of 2; 0 = max)"),
            new("--huge-unlink", null, Opt, "existing|always|never", "Unlink hugetlbfs files (bare = always; default existing)"),
            new("--in-memory", null, Bool, null, "Create no shared files in the filesystem (no secondary processes)"),
            new("--iova-mode", null, Str, "pa|va", "IOVA mapping mode: physical (pa) or virtual (va) addresses"),
            new("--lcores", "-l", Str, "<corelist|lcore map>", "CPU cores to use: '0-3,8' or a map such as '(0-3)@1,4@(2,3)'"),
            new("--legacy-mem", null, Bool, null, "Static memory layout (no memory hotplug)"),
            new("--log-color", null, Opt, "always|auto|never", "Color in log output (bare = always)"),
            new("--log-level", null, List, "<level|pattern:level|regex,level|help>", "Log level, globally or for log types matching a glob or regex; 'help' lists them"),
            new("--log-timestamp", null, Opt, "notime|reltime|delta|ctime|iso", "Timestamp format in log output (bare = time)"),
            new("--main-lcore", null, Str, "<lcore id>", "Lcore to run the main thread on (default: lowest lcore)"),
            new("--mbuf-pool-ops-name", null, Str, "<name>", "Default mbuf mempool ops name"),
            new("--memory-channels", "-n", Str, "<count>", "Number of memory channels per socket"),
            new("--memory-ranks", "-r", Str, "<1..16>", "Number of memory ranks (do not detect)"),
            new("--memory-size", "-m", Str, "<MiB>", "Memory to allocate at startup, in megabytes"),
            new("--no-auto-probing", "-A", Bool, null, "Probe no device unless it is in an -a option"),
            new("--no-hpet", null, Bool, null, "Do not use the HPET timer"),
            new("--no-huge", null, Bool, null, "Use anonymous memory instead of hugepages (implies --legacy-mem)"),
            new("--no-pci", null, Bool, null, "Do not scan or use PCI devices"),
            new("--no-shconf", null, Bool, null, "Create no shared configuration (no secondary processes)"),
            new("--no-telemetry", null, Bool, null, "Disable telemetry"),
            new("--pagesz-mem", null, List, "<pagesz>:<limit>", "Memory limit for one hugepage size, e.g. 2M:32G (repeat per page size)"),
            new("--proc-type", null, Str, "primary|secondary|auto", "Process type in a multi-process application"),
            new("--remap-lcore-ids", "-R", Opt, "<base>", "Number lcores contiguously from 0, or from <base>, instead of by CPU id"),
            new("--service-corelist", "-S", Str, "<corelist>", "Lcores to run service threads on"),
            new("--service-coremask", "-s", Str, "<hex mask>", "[Deprecated] Hexadecimal bitmask of service lcores"),
            new("--single-file-segments", null, Bool, null, "Keep all pages of a page size and node in one file"),
            new("--telemetry", null, Bool, null, "Enable telemetry (default)"),
            new("--vdev", null, List, "<driver><id>[,key=val,...]", "Add a virtual device"),
            new("--vmware-tsc-map", null, Bool, null, "Use the VMware TSC map instead of native RDTSC"),
            new("--version", "-v", Bool, null, "Log the version"),
            // Linux and FreeBSD options.
            new("--syslog", null, Opt, "<facility>", "Log to syslog, optionally with a facility (bare = daemon)"),
            new("--trace", null, List, "<regex>", "Enable trace points whose names match a regular expression"),
            new("--trace-bufsz", null, Str, "<size>", "Trace buffer size per thread (K/M/G suffixes)"),
            new("--trace-dir", null, Str, "<dir>", "Directory to write traces to"),
            new("--trace-mode", null, Str, "o[verwrite]|d[iscard]", "Trace mode when the buffer is full"),
            // Linux-only options.
            new("--create-uio-dev", null, Bool, null, "Create /dev/uioX devices"),
            new("--file-prefix", null, Str, "<prefix>", "Prefix of hugepage and runtime files (default 'rte')"),
            new("--huge-dir", null, Str, "<dir>", "Directory of hugepage files"),
            new("--huge-worker-stack", null, Opt, "<KiB>", "Allocate worker thread stacks from hugepage memory, optionally of <KiB>"),
            new("--match-allocations", null, Bool, null, "Free hugepages exactly as they were allocated"),
            new("--numa-mem", null, Str, "<MiB,MiB,...>", "Memory to allocate per NUMA node at startup, in megabytes"),
            new("--numa-limit", null, Str, "<MiB,MiB,...>", "Memory limit per NUMA node, in megabytes (0 = no limit)"),
            new("--socket-mem", null, Alias, "<MiB,MiB,...>", "Alias for --numa-mem", aliasOf: "--numa-mem"),
            new("--socket-limit", null, Alias, "<MiB,MiB,...>", "Alias for --numa-limit", aliasOf: "--numa-limit"),
            new("--vfio-intr", null, Str, "legacy|msi|msix", "VFIO interrupt mode (default: MSI-X, then MSI, then INTx)"),
            new("--vfio-vf-token", null, Str, "<uuid>", "VF token (UUID) shared between an SR-IOV PF and its VFs"),
            // This framework's options.
            new("--vfio-mode", null, Str, "auto|group|noiommu|cdev", "VFIO backend: container/group, no-IOMMU, or cdev/IOMMUFD (default auto)"),
            new("--emulate", null, Opt, "<machine.json|spec>", "Run on the emulated kernel, optionally described by a JSON file or 'cpus=8,numa=2'"),
        ];
        var byLong = table.ToDictionary(d => d.LongName, StringComparer.Ordinal);
        foreach (var d in table)
            d.Link(d.AliasOf is null ? d : byLong[d.AliasOf]);
        return table;
    }
}
