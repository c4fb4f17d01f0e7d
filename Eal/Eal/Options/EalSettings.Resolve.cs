using Eal.Vfio;
using Eal.Memory;
using System.Globalization;
using System.Numerics;
using System.Text.RegularExpressions;
using Eal.Bus;
using Eal.Logging;
using Eal.Platform;

namespace Eal.Options;

public sealed partial class EalSettings
{
    /// <summary>
    /// Validates <paramref name="options"/> and resolves them against the machine's CPUs: first the rejected
    /// combinations (DPDK <c>eal_collate_args</c>), then log options, then every value (<c>eal_parse_args</c>).
    /// </summary>
    /// <param name="options">The raw settings (from the command line, JSON, environment...).</param>
    /// <param name="cpus">The machine's CPUs (<see cref="CpuTopology.Read"/>): lcores must run on existing CPUs.</param>
    /// <exception cref="EalArgumentException">A value or a combination is invalid; the message says which and how to fix it.</exception>
    public static EalSettings Resolve(EalOptions options, CpuTopology cpus)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(cpus);
        CheckCombinations(options);
        var s = new EalSettings();
        var warnings = new List<string>();

        s.ResolveLogging(options);
        s.Version = options.Version;
        if (options.ProcType is { } procType)
        {
            s.ProcessType = procType.ToLowerInvariant() switch
            {
                "primary" => EalProcessType.Primary,
                "secondary" => EalProcessType.Secondary,
                "auto" => EalProcessType.Auto,
                _ => throw new EalArgumentException("--proc-type", procType,
                    $"invalid process type '{procType}'; expected 'primary', 'secondary' or 'auto'"),
            };
        }
        s.NoAutoProbing = options.NoAutoProbing;
        s.Devices = ResolveDevices(options);
        s.DriverPaths = RequireNonEmpty("-d/--driver-path", options.DriverPath, "a driver assembly file or directory");

        s.ResolveLcores(options, cpus, warnings);

        if (options.MemorySize is { } m)
        {
            ulong mib = ParseDecimal("-m/--memory-size", m, "a number of megabytes without a suffix, e.g. '1024'");
            s.MemorySize = mib == 0 ? null : checked(mib << 20);
        }
        if (options.MemoryChannels is { } n)
        {
            ulong channels = ParseDecimal("-n/--memory-channels", n, "a positive number of memory channels, e.g. '4'");
            if (channels == 0 || channels > int.MaxValue)
                throw new EalArgumentException("-n/--memory-channels", n, $"invalid memory channel count '{n}'; expected a positive number, e.g. '4'");
            s.MemoryChannels = (int)channels;
        }
        if (options.MemoryRanks is { } r)
        {
            ulong ranks = ParseDecimal("-r/--memory-ranks", r, "a number of memory ranks from 1 to 16");
            if (ranks is 0 or > 16)
                throw new EalArgumentException("-r/--memory-ranks", r, $"invalid memory rank count '{r}'; expected 1 to 16");
            s.MemoryRanks = (int)ranks;
        }
        s.NoHuge = options.NoHuge;
        s.LegacyMemory = options.LegacyMem || options.NoHuge;
        s.InMemory = options.InMemory;
        s.NoSharedConfig = options.NoShconf || options.InMemory;
        if (options.LegacyMem && options.MemorySize is null && options.NumaMem is null)
            warnings.Add("Static memory layout is selected, amount of reserved memory can be adjusted with -m or --socket-mem");
        if (s.NoHuge && s.MemorySize is null)
            s.MemorySize = NoHugeDefaultMemory;
        s.SingleFileSegments = options.SingleFileSegments;
        s.MatchAllocations = options.MatchAllocations;
        if (options.HugeDir is { } hugeDir)
        {
            if (hugeDir.Length == 0)
                throw new EalArgumentException("--huge-dir", hugeDir, "empty hugepage directory; give the path of a mounted hugetlbfs, e.g. '/dev/hugepages'");
            s.HugeDirectory = hugeDir;
        }
        if (options.FilePrefix is { } prefix)
        {
            if (prefix.Length == 0)
                throw new EalArgumentException("--file-prefix", prefix, "empty file prefix; give a name such as 'app1'");
            if (prefix.Contains('%', StringComparison.Ordinal))
                throw new EalArgumentException("--file-prefix", prefix, $"invalid character '%' in file prefix '{prefix}'; remove it");
            s.FilePrefix = prefix;
        }
        s.HugeUnlink = options.HugeUnlink switch
        {
            null => HugeUnlinkMode.Existing,
            "" or "always" => HugeUnlinkMode.Always,
            "existing" => HugeUnlinkMode.Existing,
            "never" => HugeUnlinkMode.Never,
            var v => throw new EalArgumentException("--huge-unlink", v,
                $"invalid value '{v}'; expected '--huge-unlink' alone or '--huge-unlink=' followed by 'always', 'existing' or 'never'"),
        };
        if (s.HugeUnlink == HugeUnlinkMode.Never)
            warnings.Add("Using --huge-unlink=never may create data leaks.");
        if (s.InMemory)
            s.HugeUnlink = HugeUnlinkMode.Always;
        if (options.NumaMem is { } numaMem)
            s.NumaMemory = ParseNumaList("--numa-mem", numaMem);
        if (options.NumaLimit is { } numaLimit)
            s.NumaLimit = ParseNumaList("--numa-limit", numaLimit);
        s.PageSizeLimits = ParsePageSizeLimits(options.PageszMem, warnings);

        s.ResolveTrace(options);

        s.NoPci = options.NoPci;
        s.NoHpet = options.NoHpet;
        s.VmwareTscMap = options.VmwareTscMap;
        s.Telemetry = !options.NoTelemetry;
        s.CreateUioDevices = options.CreateUioDev;

        s.IovaMode = options.IovaMode switch
        {
            null => IovaMode.DontCare,
            "pa" => IovaMode.PA,
            "va" => IovaMode.VA,
            var v => throw new EalArgumentException("--iova-mode", v, $"invalid value '{v}'; expected 'pa' or 'va'"),
        };
        if (options.BaseVirtaddr is { } baseVa)
            s.BaseVirtualAddress = ParseBaseVirtaddr(baseVa);
        if (options.ForceMaxSimdBitwidth is { } simd)
            s.MaxSimdBitwidth = ParseSimdBitwidth(simd);
        s.VfioInterrupt = options.VfioIntr switch
        {
            null => VfioInterruptMode.Auto,
            "legacy" => VfioInterruptMode.Legacy,
            "msi" => VfioInterruptMode.Msi,
            "msix" => VfioInterruptMode.Msix,
            var v => throw new EalArgumentException("--vfio-intr", v, $"invalid value '{v}'; expected 'legacy', 'msi' or 'msix'"),
        };
        if (options.VfioVfToken is { } token)
            s.VfioVfToken = ParseUuid(token);
        s.VfioMode = options.VfioMode switch
        {
            null or "auto" => VfioBackendMode.Auto,
            "group" => VfioBackendMode.Group,
            "noiommu" => VfioBackendMode.NoIommu,
            "cdev" => VfioBackendMode.Cdev,
            var v => throw new EalArgumentException("--vfio-mode", v, $"invalid value '{v}'; expected 'auto', 'group', 'noiommu' or 'cdev'"),
        };
        if (options.HugeWorkerStack is { } stack)
        {
            s.HugeWorkerStack = true;
            if (stack.Length > 0)
            {
                if (!CNumber.TryParseDecimal(stack, out ulong kib) || kib == 0 || kib > (ulong.MaxValue >> 10))
                    throw new EalArgumentException("--huge-worker-stack", stack,
                        $"invalid stack size '{stack}'; expected '--huge-worker-stack' alone or a positive size in KiB, e.g. '--huge-worker-stack=512'");
                s.HugeWorkerStackSize = kib << 10;
            }
        }
        if (options.MbufPoolOpsName is { } ops)
        {
            if (ops.Length == 0)
                throw new EalArgumentException("--mbuf-pool-ops-name", ops, "empty mbuf pool ops name; give a name such as 'ring_mp_mc'");
            s.MbufPoolOpsName = ops;
        }
        if (options.Emulate is { } emulate)
        {
            s.Emulate = true;
            s.EmulationSpec = emulate.Length == 0 ? null : emulate;
        }
        s.Warnings = warnings.AsReadOnly();
        return s;
    }

    /// <summary>DPDK <c>eal_collate_args</c>: options that may not be combined.</summary>
    private static void CheckCombinations(EalOptions o)
    {
        if (o.Allow.Count > 0 && o.Block.Count > 0)
            throw new EalArgumentException("-a/--allow", null,
                "Options allow (-a) and block (-b) can't be used at the same time; use either an allow-list or a block-list");
        if (o.NoAutoProbing && o.Block.Count > 0)
            throw new EalArgumentException("-A/--no-auto-probing", null,
                "Options no-auto-probing and block (-b) can't be used at the same time; with -A only -a devices are probed, so list them with -a");
        if (o.PageszMem.Count > 0 && o.NoHuge)
            throw new EalArgumentException("--pagesz-mem", null,
                "Options pagesz-mem and no-huge can't be used at the same time; --pagesz-mem limits hugepage memory, so drop one of them");
        if (o.PageszMem.Count > 0 && o.LegacyMem)
            throw new EalArgumentException("--pagesz-mem", null,
                "Options pagesz-mem and legacy-mem can't be used at the same time; drop one of them");
        Conflict(o.Coremask is not null, o.Lcores is not null, "-c/--coremask", "-l/--lcores", "use only -l/--lcores (-c is deprecated)");
        Conflict(o.ServiceCoremask is not null, o.ServiceCorelist is not null, "-s/--service-coremask", "-S/--service-corelist", "use only -S/--service-corelist (-s is deprecated)");
        Conflict(o.NoAutoProbing, o.AutoProbing, "-A/--no-auto-probing", "--auto-probing", "keep only one of them");
        Conflict(o.NoTelemetry, o.Telemetry, "--no-telemetry", "--telemetry", "keep only one of them");
        Conflict(o.MemorySize is not null, o.NumaMem is not null, "-m/--memory-size", "--numa-mem/--socket-mem", "give the total with -m or the per-node amounts with --numa-mem, not both");
        Conflict(o.NoHuge, o.NumaMem is not null, "--no-huge", "--numa-mem/--socket-mem", "per-node memory needs hugepages; use -m with --no-huge");
        Conflict(o.NoHuge, o.HugeWorkerStack is not null, "--no-huge", "--huge-worker-stack", "hugepage stacks need hugepages; drop --huge-worker-stack");
        Conflict(o.NumaLimit is not null, o.LegacyMem, "--numa-limit/--socket-limit", "--legacy-mem", "limits apply to dynamic memory only; drop one of them");
        Conflict(o.LegacyMem, o.InMemory, "--legacy-mem", "--in-memory", "drop one of them");
        Conflict(o.LegacyMem, o.MatchAllocations, "--legacy-mem", "--match-allocations", "drop one of them");
        Conflict(o.NoHuge, o.MatchAllocations, "--no-huge", "--match-allocations", "drop --match-allocations");
        Conflict(o.NoHuge, o.HugeUnlink is not null, "--no-huge", "--huge-unlink", "drop --huge-unlink");
        Conflict(o.SingleFileSegments, o.HugeUnlink is not null, "--single-file-segments", "--huge-unlink", "drop one of them");
        Conflict(o.NoHuge, o.SingleFileSegments, "--no-huge", "--single-file-segments", "drop --single-file-segments");
        Conflict(o.InMemory, o.HugeUnlink is not null, "--in-memory", "--huge-unlink", "--in-memory already unlinks hugepage files; drop --huge-unlink");
        if (o.Lcores is { } l && o.RemapLcoreIds is not null && IsLcoreMap(l))
            throw new EalArgumentException("-l/--lcores", l,
                "cannot use '@' or core groupings '()' in lcore list when remapping lcores (-R); drop -R or use a plain core list");
    }

    private static void Conflict(bool first, bool second, string firstName, string secondName, string fix)
    {
        if (first && second)
            throw new EalArgumentException(firstName, null,
                $"Options '{firstName}' and '{secondName}' can't be used at the same time; {fix}");
    }

    private static bool IsLcoreMap(string lcores) => lcores.Contains('@', StringComparison.Ordinal) || lcores.Contains('(', StringComparison.Ordinal);
}
