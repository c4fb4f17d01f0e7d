namespace Eal.Options;

/// <summary>
/// The EAL settings as raw values (strings, string lists, flags), bound from the <c>Eal</c> configuration
/// section: from the command line through <see cref="EalArgumentsConfigurationSource"/>, or from JSON,
/// environment variables (<c>Eal__Lcores=0-3</c>) or any other configuration source. Each property is the
/// PascalCase of an option's long name. <see cref="EalSettings.Resolve"/> validates them.
/// </summary>
public sealed class EalOptions
{
    /// <summary>The configuration section the settings live under.</summary>
    public const string SectionName = "Eal";

    /// <summary><c>--auto-probing</c>: Probe all available devices unless some -a/-b option is set (default).</summary>
    public bool AutoProbing { get; set; }

    /// <summary><c>-a/--allow</c> (repeatable): Add a device to the allow-list: only listed devices are used.</summary>
    public List<string> Allow { get; set; } = [];

    /// <summary><c>--base-virtaddr</c>: Base virtual address to reserve memory at (aligned up to 16 MiB). Null = not given.</summary>
    public string? BaseVirtaddr { get; set; }

    /// <summary><c>-b/--block</c> (repeatable): Add a device to the block-list: the device is not used.</summary>
    public List<string> Block { get; set; } = [];

    /// <summary><c>-c/--coremask</c>: [Deprecated] Hexadecimal bitmask of cores to use. Null = not given.</summary>
    public string? Coremask { get; set; }

    /// <summary><c>-d/--driver-path</c> (repeatable): Load a driver assembly, or every driver assembly in a directory.</summary>
    public List<string> DriverPath { get; set; } = [];

    /// <summary><c>--force-max-simd-bitwidth</c>: Max SIMD bitwidth for vector code paths (64..32768, power of 2; 0 = max). Null = not given.</summary>
    public string? ForceMaxSimdBitwidth { get; set; }

    /// <summary><c>--huge-unlink[=value]</c>: Unlink hugetlbfs files (bare = always; default existing). Null = not given; empty = given without a value.</summary>
    public string? HugeUnlink { get; set; }

    /// <summary><c>--in-memory</c>: Create no shared files in the filesystem (no secondary processes).</summary>
    public bool InMemory { get; set; }

    /// <summary><c>--iova-mode</c>: IOVA mapping mode: physical (pa) or virtual (va) addresses. Null = not given.</summary>
    public string? IovaMode { get; set; }

    /// <summary><c>-l/--lcores</c>: CPU cores to use: '0-3,8' or a map such as '(0-3)@1,4@(2,3)'. Null = not given.</summary>
    public string? Lcores { get; set; }

    /// <summary><c>--legacy-mem</c>: Static memory layout (no memory hotplug).</summary>
    public bool LegacyMem { get; set; }

    /// <summary><c>--log-color[=value]</c>: Color in log output (bare = always). Null = not given; empty = given without a value.</summary>
    public string? LogColor { get; set; }

    /// <summary><c>--log-level</c> (repeatable): Log level, globally or for log types matching a glob or regex; 'help' lists them.</summary>
    public List<string> LogLevel { get; set; } = [];

    /// <summary><c>--log-timestamp[=value]</c>: Timestamp format in log output (bare = time). Null = not given; empty = given without a value.</summary>
    public string? LogTimestamp { get; set; }

    /// <summary><c>--main-lcore</c>: Lcore to run the main thread on (default: lowest lcore). Null = not given.</summary>
    public string? MainLcore { get; set; }

    /// <summary><c>--mbuf-pool-ops-name</c>: Default mbuf mempool ops name. Null = not given.</summary>
    public string? MbufPoolOpsName { get; set; }

    /// <summary><c>-n/--memory-channels</c>: Number of memory channels per socket. Null = not given.</summary>
    public string? MemoryChannels { get; set; }

    /// <summary><c>-r/--memory-ranks</c>: Number of memory ranks (do not detect). Null = not given.</summary>
    public string? MemoryRanks { get; set; }

    /// <summary><c>-m/--memory-size</c>: Memory to allocate at startup, in megabytes. Null = not given.</summary>
    public string? MemorySize { get; set; }

    /// <summary><c>-A/--no-auto-probing</c>: Probe no device unless it is in an -a option.</summary>
    public bool NoAutoProbing { get; set; }

    /// <summary><c>--no-hpet</c>: Do not use the HPET timer.</summary>
    public bool NoHpet { get; set; }

    /// <summary><c>--no-huge</c>: Use anonymous memory instead of hugepages (implies --legacy-mem).</summary>
    public bool NoHuge { get; set; }

    /// <summary><c>--no-pci</c>: Do not scan or use PCI devices.</summary>
    public bool NoPci { get; set; }

    /// <summary><c>--no-shconf</c>: Create no shared configuration (no secondary processes).</summary>
    public bool NoShconf { get; set; }

    /// <summary><c>--no-telemetry</c>: Disable telemetry.</summary>
    public bool NoTelemetry { get; set; }

    /// <summary><c>--pagesz-mem</c> (repeatable): Memory limit for one hugepage size, e.g. 2M:32G (repeat per page size).</summary>
    public List<string> PageszMem { get; set; } = [];

    /// <summary><c>--proc-type</c>: Process type in a multi-process application. Null = not given.</summary>
    public string? ProcType { get; set; }

    /// <summary><c>-R/--remap-lcore-ids[=value]</c>: Number lcores contiguously from 0, or from &lt;base&gt;, instead of by CPU id. Null = not given; empty = given without a value.</summary>
    public string? RemapLcoreIds { get; set; }

    /// <summary><c>-S/--service-corelist</c>: Lcores to run service threads on. Null = not given.</summary>
    public string? ServiceCorelist { get; set; }

    /// <summary><c>-s/--service-coremask</c>: [Deprecated] Hexadecimal bitmask of service lcores. Null = not given.</summary>
    public string? ServiceCoremask { get; set; }

    /// <summary><c>--single-file-segments</c>: Keep all pages of a page size and node in one file.</summary>
    public bool SingleFileSegments { get; set; }

    /// <summary><c>--telemetry</c>: Enable telemetry (default).</summary>
    public bool Telemetry { get; set; }

    /// <summary><c>--vdev</c> (repeatable): Add a virtual device.</summary>
    public List<string> Vdev { get; set; } = [];

    /// <summary><c>--vmware-tsc-map</c>: Use the VMware TSC map instead of native RDTSC.</summary>
    public bool VmwareTscMap { get; set; }

    /// <summary><c>-v/--version</c>: Log the version.</summary>
    public bool Version { get; set; }

    /// <summary><c>--syslog[=value]</c>: Log to syslog, optionally with a facility (bare = daemon). Null = not given; empty = given without a value.</summary>
    public string? Syslog { get; set; }

    /// <summary><c>--trace</c> (repeatable): Enable trace points whose names match a regular expression.</summary>
    public List<string> Trace { get; set; } = [];

    /// <summary><c>--trace-bufsz</c>: Trace buffer size per thread (K/M/G suffixes). Null = not given.</summary>
    public string? TraceBufsz { get; set; }

    /// <summary><c>--trace-dir</c>: Directory to write traces to. Null = not given.</summary>
    public string? TraceDir { get; set; }

    /// <summary><c>--trace-mode</c>: Trace mode when the buffer is full. Null = not given.</summary>
    public string? TraceMode { get; set; }

    /// <summary><c>--create-uio-dev</c>: Create /dev/uioX devices.</summary>
    public bool CreateUioDev { get; set; }

    /// <summary><c>--file-prefix</c>: Prefix of hugepage and runtime files (default 'rte'). Null = not given.</summary>
    public string? FilePrefix { get; set; }

    /// <summary><c>--huge-dir</c>: Directory of hugepage files. Null = not given.</summary>
    public string? HugeDir { get; set; }

    /// <summary><c>--huge-worker-stack[=value]</c>: Allocate worker thread stacks from hugepage memory, optionally of &lt;KiB&gt;. Null = not given; empty = given without a value.</summary>
    public string? HugeWorkerStack { get; set; }

    /// <summary><c>--match-allocations</c>: Free hugepages exactly as they were allocated.</summary>
    public bool MatchAllocations { get; set; }

    /// <summary><c>--numa-mem</c>: Memory to allocate per NUMA node at startup, in megabytes. Also set by <c>--socket-mem</c>. Null = not given.</summary>
    public string? NumaMem { get; set; }

    /// <summary><c>--numa-limit</c>: Memory limit per NUMA node, in megabytes (0 = no limit). Also set by <c>--socket-limit</c>. Null = not given.</summary>
    public string? NumaLimit { get; set; }

    /// <summary><c>--vfio-intr</c>: VFIO interrupt mode (default: MSI-X, then MSI, then INTx). Null = not given.</summary>
    public string? VfioIntr { get; set; }

    /// <summary><c>--vfio-vf-token</c>: VF token (UUID) shared between an SR-IOV PF and its VFs. Null = not given.</summary>
    public string? VfioVfToken { get; set; }

    /// <summary><c>--vfio-mode</c>: VFIO backend: container/group, no-IOMMU, or cdev/IOMMUFD (default auto). Null = not given.</summary>
    public string? VfioMode { get; set; }

    /// <summary><c>--emulate[=value]</c>: Run on the emulated kernel, optionally described by a JSON file or 'cpus=8,numa=2'. Null = not given; empty = given without a value.</summary>
    public string? Emulate { get; set; }
}
