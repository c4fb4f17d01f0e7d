using Eal.Vfio;
using Eal.Memory;
using System.Numerics;
using System.Text.RegularExpressions;
using Eal.Bus;
using Eal.Logging;
using Eal.Platform;

namespace Eal.Options;

/// <summary>
/// The EAL settings validated and resolved into typed values: the lcore layout, memory sizes, devices,
/// modes and log levels. Built by <see cref="Resolve"/> with DPDK's rules (<c>eal_collate_args</c> then
/// <c>eal_parse_args</c>); every rejection is an <see cref="EalArgumentException"/> naming the option, the
/// value and what would be valid.
/// </summary>
public sealed partial class EalSettings
{
    /// <summary>DPDK's <c>RTE_MAX_LCORE</c>: lcore ids are below it.</summary>
    public const int MaxLcore = 128;

    /// <summary>DPDK's <c>RTE_MAX_NUMA_NODES</c>: at most this many per-node values.</summary>
    public const int MaxNumaNodes = CpuTopology.MaxNumaNodes;

    /// <summary>DPDK's <c>MAX_HUGEPAGE_SIZES</c> on x86: at most this many <c>--pagesz-mem</c> page sizes.</summary>
    public const int MaxHugepageSizes = 3;

    /// <summary>The default <c>--file-prefix</c>.</summary>
    public const string DefaultFilePrefix = "rte";

    /// <summary>Memory used with <c>--no-huge</c> and no <c>-m</c> (<c>MEMSIZE_IF_NO_HUGE_PAGE</c>), in bytes.</summary>
    public const ulong NoHugeDefaultMemory = 64UL << 20;

    private const ulong BaseVirtaddrAlignment = 16UL << 20;
    private const int SimdMax = 32768;
    private const int SimdMin = 64;

    private static readonly string[] SyslogFacilities =
    [
        "auth", "cron", "daemon", "ftp", "kern", "lpr", "mail", "news", "syslog", "user", "uucp",
        "local0", "local1", "local2", "local3", "local4", "local5", "local6", "local7",
    ];

    private EalSettings() { }

    /// <summary>The lcores, ordered by lcore id.</summary>
    public IReadOnlyList<LcoreAssignment> Lcores { get; private set; } = [];

    /// <summary>Where <see cref="Lcores"/> came from.</summary>
    public LcoreSource LcoreSource { get; private set; }

    /// <summary>The lcore the main thread runs on (<c>--main-lcore</c>, default the lowest lcore).</summary>
    public int MainLcore { get; private set; }

    /// <summary>The service lcores (<c>-S</c>/<c>-s</c>), ascending.</summary>
    public IReadOnlyList<int> ServiceLcores { get; private set; } = [];

    /// <summary>The <c>-R</c> base: lcore ids are renumbered from it; null without <c>-R</c>.</summary>
    public int? RemapLcoreBase { get; private set; }

    /// <summary><c>-m</c> in bytes; null when not given (or 0). With <c>--no-huge</c> and no <c>-m</c>: <see cref="NoHugeDefaultMemory"/>.</summary>
    public ulong? MemorySize { get; private set; }

    /// <summary><c>--numa-mem/--socket-mem</c>: bytes per NUMA node (index = node); null when not given.</summary>
    public IReadOnlyList<ulong>? NumaMemory { get; private set; }

    /// <summary><c>--numa-limit/--socket-limit</c>: byte limit per NUMA node (0 = none); null when not given.</summary>
    public IReadOnlyList<ulong>? NumaLimit { get; private set; }

    /// <summary><c>--pagesz-mem</c> limits, one per page size (a repeated page size keeps the later limit).</summary>
    public IReadOnlyList<PageSizeLimit> PageSizeLimits { get; private set; } = [];

    /// <summary><c>-n</c>; null when not given.</summary>
    public int? MemoryChannels { get; private set; }

    /// <summary><c>-r</c> (1..16); null when not given.</summary>
    public int? MemoryRanks { get; private set; }

    /// <summary><c>--no-huge</c>: anonymous memory instead of hugepages.</summary>
    public bool NoHuge { get; private set; }

    /// <summary><c>--legacy-mem</c>, also implied by <c>--no-huge</c>.</summary>
    public bool LegacyMemory { get; private set; }

    /// <summary><c>--in-memory</c>.</summary>
    public bool InMemory { get; private set; }

    /// <summary>No shared configuration: <c>--no-shconf</c> or <c>--in-memory</c>.</summary>
    public bool NoSharedConfig { get; private set; }

    /// <summary><c>--single-file-segments</c>.</summary>
    public bool SingleFileSegments { get; private set; }

    /// <summary><c>--match-allocations</c>.</summary>
    public bool MatchAllocations { get; private set; }

    /// <summary><c>--huge-unlink</c>; <see cref="HugeUnlinkMode.Always"/> also with <c>--in-memory</c>.</summary>
    public HugeUnlinkMode HugeUnlink { get; private set; }

    /// <summary><c>--huge-dir</c>; null = detect.</summary>
    public string? HugeDirectory { get; private set; }

    /// <summary><c>--file-prefix</c>, default <c>rte</c>.</summary>
    public string FilePrefix { get; private set; } = DefaultFilePrefix;

    /// <summary><c>--huge-worker-stack</c> given: worker stacks come from hugepage memory.</summary>
    public bool HugeWorkerStack { get; private set; }

    /// <summary>The <c>--huge-worker-stack</c> size in bytes; null = the platform's default thread stack size.</summary>
    public ulong? HugeWorkerStackSize { get; private set; }

    /// <summary><c>--base-virtaddr</c> aligned up to 16 MiB; null when not given.</summary>
    public ulong? BaseVirtualAddress { get; private set; }

    /// <summary><c>--proc-type</c>.</summary>
    public EalProcessType ProcessType { get; private set; }

    /// <summary>The device options in the order DPDK adds them: all <c>-a</c>, then all <c>-b</c>, then all <c>--vdev</c>.</summary>
    public IReadOnlyList<DeviceOption> Devices { get; private set; } = [];

    /// <summary><c>-A/--no-auto-probing</c>.</summary>
    public bool NoAutoProbing { get; private set; }

    /// <summary><c>--no-pci</c>.</summary>
    public bool NoPci { get; private set; }

    /// <summary><c>-d</c> paths, raw, in order.</summary>
    public IReadOnlyList<string> DriverPaths { get; private set; } = [];

    /// <summary><c>--iova-mode</c>; <see cref="IovaMode.DontCare"/> when not given (buses decide).</summary>
    public IovaMode IovaMode { get; private set; }

    /// <summary><c>--vfio-intr</c>.</summary>
    public VfioInterruptMode VfioInterrupt { get; private set; }

    /// <summary><c>--vfio-vf-token</c>; null when not given.</summary>
    public Guid? VfioVfToken { get; private set; }

    /// <summary><c>--vfio-mode</c>.</summary>
    public VfioBackendMode VfioMode { get; private set; }

    /// <summary><c>--emulate</c> given: run on the emulated kernel.</summary>
    public bool Emulate { get; private set; }

    /// <summary>The <c>--emulate=</c> value (a machine JSON path or an inline spec), raw; null when bare or absent.</summary>
    public string? EmulationSpec { get; private set; }

    /// <summary><c>--log-level</c> rules.</summary>
    public EalLogLevels LogLevels { get; private set; } = EalLogLevels.Default;

    /// <summary><c>--log-color</c>.</summary>
    public LogColorMode LogColor { get; private set; }

    /// <summary><c>--log-timestamp</c>.</summary>
    public LogTimestampFormat LogTimestamp { get; private set; }

    /// <summary>The <c>--syslog</c> facility (bare = <c>daemon</c>); null = no syslog.</summary>
    public string? SyslogFacility { get; private set; }

    /// <summary><c>--telemetry</c> unless <c>--no-telemetry</c>.</summary>
    public bool Telemetry { get; private set; } = true;

    /// <summary><c>--force-max-simd-bitwidth</c> (0 means 32768); null when not forced.</summary>
    public int? MaxSimdBitwidth { get; private set; }

    /// <summary><c>--mbuf-pool-ops-name</c>; null when not given.</summary>
    public string? MbufPoolOpsName { get; private set; }

    /// <summary><c>--no-hpet</c>.</summary>
    public bool NoHpet { get; private set; }

    /// <summary><c>--vmware-tsc-map</c>.</summary>
    public bool VmwareTscMap { get; private set; }

    /// <summary><c>--create-uio-dev</c>.</summary>
    public bool CreateUioDevices { get; private set; }

    /// <summary><c>-v/--version</c>: log the version at startup.</summary>
    public bool Version { get; private set; }

    /// <summary><c>--trace</c> regular expressions, in order.</summary>
    public IReadOnlyList<string> TracePatterns { get; private set; } = [];

    /// <summary><c>--trace-dir</c>; null when not given.</summary>
    public string? TraceDirectory { get; private set; }

    /// <summary><c>--trace-bufsz</c> in bytes; null = default (1 MiB).</summary>
    public ulong? TraceBufferSize { get; private set; }

    /// <summary><c>--trace-mode</c>.</summary>
    public TraceMode TraceMode { get; private set; }

    /// <summary>Things DPDK only warns about (deprecated options, service cores outside the lcore set, ...), for the caller to log.</summary>
    public IReadOnlyList<string> Warnings { get; private set; } = [];
}
