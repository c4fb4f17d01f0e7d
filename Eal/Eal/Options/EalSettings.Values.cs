using System.Globalization;
using System.Numerics;
using System.Text.RegularExpressions;
using Eal.Logging;
using Eal.Platform;

namespace Eal.Options;

public sealed partial class EalSettings
{
    private void ResolveLogging(EalOptions o)
    {
        LogLevels = EalLogLevels.Parse(o.LogLevel);
        LogColor = o.LogColor switch
        {
            null => LogColorMode.Never,
            "" or "always" => LogColorMode.Always,
            "never" => LogColorMode.Never,
            "auto" => LogColorMode.Auto,
            var v => throw new EalArgumentException("--log-color", v,
                $"invalid value '{v}'; expected '--log-color' alone or '--log-color=' followed by 'always', 'auto' or 'never'"),
        };
        LogTimestamp = o.LogTimestamp switch
        {
            null => LogTimestampFormat.None,
            "" => LogTimestampFormat.Time,
            "notime" => LogTimestampFormat.None,
            "reltime" => LogTimestampFormat.RelTime,
            "delta" => LogTimestampFormat.Delta,
            "ctime" => LogTimestampFormat.CTime,
            "iso" => LogTimestampFormat.Iso,
            var v => throw new EalArgumentException("--log-timestamp", v,
                $"invalid value '{v}'; expected '--log-timestamp' alone or '--log-timestamp=' followed by 'notime', 'reltime', 'delta', 'ctime' or 'iso'"),
        };
        if (o.Syslog is { } facility)
        {
            if (facility.Length == 0)
                SyslogFacility = "daemon";
            else if (Array.IndexOf(SyslogFacilities, facility) >= 0)
                SyslogFacility = facility;
            else
                throw new EalArgumentException("--syslog", facility,
                    $"invalid syslog facility '{facility}'; expected '--syslog' alone or '--syslog=' followed by one of {string.Join(", ", SyslogFacilities)}");
        }
    }

    private static List<DeviceOption> ResolveDevices(EalOptions o)
    {
        var devices = new List<DeviceOption>();
        Add(o.Allow, DeviceOptionKind.Allowed, "-a/--allow");
        Add(o.Block, DeviceOptionKind.Blocked, "-b/--block");
        Add(o.Vdev, DeviceOptionKind.Virtual, "--vdev");
        return devices;

        void Add(List<string> values, DeviceOptionKind kind, string option)
        {
            foreach (string value in values)
            {
                if (string.IsNullOrWhiteSpace(value))
                    throw new EalArgumentException(option, value, "empty device; give a device name with optional arguments, e.g. '0000:01:00.0' or 'net_null0,size=64'");
                devices.Add(new DeviceOption(kind, value));
            }
        }
    }

    private static IReadOnlyList<string> RequireNonEmpty(string option, List<string> values, string what)
    {
        foreach (string value in values)
        {
            if (string.IsNullOrEmpty(value))
                throw new EalArgumentException(option, value, $"empty value; give {what}");
        }
        return values.ToList().AsReadOnly();
    }

    private void ResolveLcores(EalOptions o, CpuTopology cpus, List<string> warnings)
    {
        int? remapBase = null;
        if (o.RemapLcoreIds is { } remap)
        {
            if (remap.Length == 0)
                remapBase = 0;
            else if (CNumber.TryParseUnsigned(remap, out ulong b) && b < MaxLcore)
                remapBase = (int)b;
            else
                throw new EalArgumentException("-R/--remap-lcore-ids", remap,
                    $"invalid lcore base id '{remap}'; expected '-R' alone or a base below {MaxLcore}, e.g. '--remap-lcore-ids=10'");
        }
        RemapLcoreBase = remapBase;

        var lcores = new List<LcoreAssignment>();
        if (o.Lcores is { } map && IsLcoreMap(map))
        {
            LcoreSource = LcoreSource.LcoreMap;
            foreach (var (lcore, set) in CoreSyntax.ParseLcoreMap("-l/--lcores", map, MaxLcore))
            {
                foreach (int cpu in set)
                {
                    if (!cpus.IsDetected(cpu))
                        throw new EalArgumentException("-l/--lcores", map,
                            $"lcore {lcore} is mapped to CPU {cpu}, which does not exist; available CPUs: {cpus.FormatCpuList()}");
                }
                lcores.Add(Assignment(lcore, set, cpus));
            }
        }
        else
        {
            SortedSet<int> set;
            string option;
            if (o.Coremask is { } mask)
            {
                option = "-c/--coremask";
                LcoreSource = LcoreSource.CoreMask;
                set = CoreSyntax.ParseCoremask(option, mask, MaxLcore);
                warnings.Add("'-c <coremask>' option is deprecated, and will be removed in a future release; use '-l <corelist>' instead");
            }
            else if (o.Lcores is { } list)
            {
                option = "-l/--lcores";
                LcoreSource = LcoreSource.CoreList;
                set = CoreSyntax.ParseCoreList(option, list);
            }
            else
            {
                // DPDK uses the calling thread's affinity; a .NET host's affinity is the process's, so all online CPUs.
                option = "(default: all CPUs)";
                LcoreSource = LcoreSource.AllCpus;
                set = new SortedSet<int>(cpus.Cpus.Select(c => c.Id));
            }
            string value = o.Coremask ?? o.Lcores ?? cpus.FormatCpuList();
            int next = remapBase ?? 0;
            foreach (int cpu in set)
            {
                if (!cpus.IsDetected(cpu))
                    throw new EalArgumentException(option, value,
                        $"lcore {cpu} unavailable: CPU {cpu} does not exist on this machine; please check specified cores are part of {cpus.FormatCpuList()}");
                if (lcores.Count >= MaxLcore)
                {
                    warnings.Add($"Too many lcores provided (>=RTE_MAX_LCORE[{MaxLcore}]). All remaining lcores will be skipped.");
                    break;
                }
                int lcore = remapBase is null ? cpu : next++;
                if (lcore >= MaxLcore)
                    throw new EalArgumentException(option, value, remapBase is null
                        ? $"lcore {lcore} >= RTE_MAX_LCORE ({MaxLcore}), cannot use; to use high CPU ids, remap them with -R or map them explicitly, e.g. '-l 0@{cpu}'"
                        : $"lcore {lcore} >= RTE_MAX_LCORE ({MaxLcore}) after remapping from base {remapBase}; use a lower -R base or fewer cores");
                lcores.Add(Assignment(lcore, new SortedSet<int> { cpu }, cpus));
            }
            if (lcores.Count == 0)
                throw new EalArgumentException(option, value, "No valid lcores in core list; select at least one existing CPU");
        }
        lcores.Sort((a, b) => a.LcoreId.CompareTo(b.LcoreId));
        Lcores = lcores.AsReadOnly();
        var enabled = lcores.Select(l => l.LcoreId).ToHashSet();

        var service = new SortedSet<int>();
        if (o.ServiceCoremask is { } smask)
        {
            service = CoreSyntax.ParseServiceCoremask("-s/--service-coremask", smask, MaxLcore, cpus);
            warnings.Add("'-s <service-coremask>' is deprecated, and will be removed in a future release; use '-S <service-corelist>' instead");
        }
        else if (o.ServiceCorelist is { } slist)
        {
            service = CoreSyntax.ParseServiceCorelist("-S/--service-corelist", slist, MaxLcore);
        }
        if (!service.IsSubsetOf(enabled))
            warnings.Add("Not all service cores are in the core list. Please ensure -c or -l includes service cores");
        ServiceLcores = service.ToList().AsReadOnly();

        if (o.MainLcore is { } main)
        {
            if (!CNumber.TryParseUnsigned(main, out ulong id) || id >= MaxLcore)
                throw new EalArgumentException("--main-lcore", main,
                    $"invalid main lcore '{main}'; expected an lcore id below {MaxLcore} that is in the lcore list ({FormatIds(enabled)})");
            if (service.Contains((int)id))
                throw new EalArgumentException("--main-lcore", main,
                    $"Main lcore is used as a service core; choose a main lcore that is not in -S/-s ({FormatIds(service)})");
            if (!enabled.Contains((int)id))
                throw new EalArgumentException("--main-lcore", main,
                    $"Main lcore is not enabled for DPDK; choose one of the lcores {FormatIds(enabled)} or add {id} to -l");
            MainLcore = (int)id;
        }
        else
        {
            MainLcore = lcores[0].LcoreId;
        }
    }

    private static string FormatIds(IEnumerable<int> ids) => CpuTopology.FormatCpuList(ids);

    private static LcoreAssignment Assignment(int lcore, SortedSet<int> cpus, CpuTopology topology) =>
        new(lcore, cpus.ToList().AsReadOnly(), topology.GetNumaNode(cpus.Min));

    private static ulong ParseDecimal(string option, string value, string expected)
    {
        if (!CNumber.TryParseDecimal(value, out ulong n))
            throw new EalArgumentException(option, value, $"invalid value '{value}'; expected {expected}");
        return n;
    }

    /// <summary><c>--numa-mem</c>/<c>--numa-limit</c>: comma-separated MiB per node, node 0 first.</summary>
    private static List<ulong> ParseNumaList(string option, string value)
    {
        string example = $"expected megabytes per NUMA node separated by commas, e.g. '1024,1024'";
        if (value.Length >= MaxNumaNodes * 10)
            throw new EalArgumentException(option, value, $"value is too long ({value.Length} characters, at most {MaxNumaNodes * 10 - 1}); {example}");
        string[] fields = value.Split(',');
        if (fields.Length > MaxNumaNodes)
            throw new EalArgumentException(option, value, $"{fields.Length} values given but at most {MaxNumaNodes} NUMA nodes are supported; {example}");
        var result = new List<ulong>(fields.Length);
        for (int i = 0; i < fields.Length; i++)
        {
            if (!CNumber.TryParseDecimal(fields[i], out ulong mib) || mib > (ulong.MaxValue >> 20))
                throw new EalArgumentException(option, value,
                    $"invalid value '{fields[i]}' for NUMA node {i} in '{value}'; {example}");
            result.Add(mib << 20);
        }
        return result;
    }

    private static List<PageSizeLimit> ParsePageSizeLimits(List<string> values, List<string> warnings)
    {
        const string Option = "--pagesz-mem";
        var limits = new List<PageSizeLimit>();
        foreach (string value in values)
        {
            string[] fields = value.Split(':');
            if (fields.Length != 2 || fields[0].Length == 0 || fields[1].Length == 0)
                throw new EalArgumentException(Option, value, $"invalid format '{value}'; expected <pagesz>:<limit>, e.g. '2M:32G'");
            if (fields[1].Contains(',', StringComparison.Ordinal))
                throw new EalArgumentException(Option, value, $"'{value}' holds several pairs; give one <pagesz>:<limit> pair per --pagesz-mem option");
            if (!CNumber.TryParseSize(fields[0], out ulong pagesz) || pagesz == 0)
                throw new EalArgumentException(Option, value, $"invalid page size '{fields[0]}'; expected a size such as '2M' or '1G'");
            if (!BitOperations.IsPow2(pagesz))
                throw new EalArgumentException(Option, value, $"invalid page size '{fields[0]}' (must be a power of two), e.g. '2M' or '1G'");
            if (!CNumber.TryParseSize(fields[1], out ulong limit))
                throw new EalArgumentException(Option, value, $"invalid memory limit '{fields[1]}'; expected a size such as '32G' (0 disables the page size)");
            if (limit % pagesz != 0)
                throw new EalArgumentException(Option, value, $"memory limit '{fields[1]}' must be aligned to page size '{fields[0]}'; use a multiple of it");
            int existing = limits.FindIndex(l => l.PageSize == pagesz);
            if (existing >= 0)
            {
                warnings.Add($"--pagesz-mem specified multiple times for page size '{fields[0]}'; later limit '{fields[1]}' will be used");
                limits[existing] = new PageSizeLimit(pagesz, limit);
                continue;
            }
            if (limits.Count >= MaxHugepageSizes)
                throw new EalArgumentException(Option, value, $"too many page size entries (max {MaxHugepageSizes}); give at most {MaxHugepageSizes} different page sizes");
            limits.Add(new PageSizeLimit(pagesz, limit));
        }
        return limits;
    }

    private void ResolveTrace(EalOptions o)
    {
        foreach (string pattern in o.Trace)
        {
            try
            {
                _ = new Regex(pattern, RegexOptions.CultureInvariant);
            }
            catch (ArgumentException e)
            {
                throw new EalArgumentException("--trace", pattern, $"invalid regular expression '{pattern}' ({e.Message}); give a regular expression over trace point names, e.g. 'lib.eal.*'");
            }
        }
        TracePatterns = o.Trace.ToList().AsReadOnly();
        if (o.TraceDir is { } dir)
        {
            if (dir.Length == 0)
                throw new EalArgumentException("--trace-dir", dir, "empty trace directory; give a directory path");
            TraceDirectory = dir;
        }
        if (o.TraceBufsz is { } bufsz)
        {
            if (!CNumber.TryParseSize(bufsz, out ulong size) || size == 0)
                throw new EalArgumentException("--trace-bufsz", bufsz, $"invalid trace buffer size '{bufsz}'; expected a non-zero size such as '2M'");
            TraceBufferSize = size;
        }
        if (o.TraceMode is { } mode)
        {
            if (mode.Length > 0 && "overwrite".StartsWith(mode, StringComparison.Ordinal))
                TraceMode = TraceMode.Overwrite;
            else if (mode.Length > 0 && "discard".StartsWith(mode, StringComparison.Ordinal))
                TraceMode = TraceMode.Discard;
            else
                throw new EalArgumentException("--trace-mode", mode, $"invalid trace mode '{mode}'; expected 'overwrite' or 'discard' (or a prefix: 'o', 'd')");
        }
    }

    /// <summary>Hex address (<c>0x</c> optional), aligned up to 16 MiB.</summary>
    private static ulong ParseBaseVirtaddr(string value)
    {
        string hex = value.Length > 2 && value[0] == '0' && (value[1] is 'x' or 'X') ? value[2..] : value;
        if (!ulong.TryParse(hex, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out ulong addr))
            throw new EalArgumentException("--base-virtaddr", value, $"invalid base virtaddr '{value}'; expected a hexadecimal address such as '0x7f0000000000'");
        ulong aligned = (addr + (BaseVirtaddrAlignment - 1)) & ~(BaseVirtaddrAlignment - 1);
        if (aligned < addr)
            throw new EalArgumentException("--base-virtaddr", value, $"base virtaddr '{value}' overflows when aligned up to 16 MiB; give a lower address");
        return aligned;
    }

    private static int ParseSimdBitwidth(string value)
    {
        const string Expected = "expected 0 (no limit) or a power of two from 64 to 32768, e.g. '256'";
        if (!CNumber.TryParseUnsigned(value, out ulong bits) || bits > SimdMax)
            throw new EalArgumentException("--force-max-simd-bitwidth", value, $"invalid SIMD bitwidth '{value}'; {Expected}");
        if (bits == 0)
            return SimdMax;
        if (bits < SimdMin || !BitOperations.IsPow2(bits))
            throw new EalArgumentException("--force-max-simd-bitwidth", value, $"invalid SIMD bitwidth '{value}'; {Expected}");
        return (int)bits;
    }

    /// <summary><c>rte_uuid_parse</c>: exactly 36 characters, <c>8-4-4-4-12</c> hex digits with '-' at 8, 13, 18, 23.</summary>
    private static Guid ParseUuid(string value)
    {
        bool ok = value.Length == 36;
        for (int i = 0; ok && i < value.Length; i++)
            ok = i is 8 or 13 or 18 or 23 ? value[i] == '-' : char.IsAsciiHexDigit(value[i]);
        if (!ok)
            throw new EalArgumentException("--vfio-vf-token", value,
                $"invalid VF token '{value}'; expected a UUID of 36 characters such as '14d63f20-8445-11ea-8900-1f9ce7d5650d'");
        return Guid.ParseExact(value, "D");
    }
}
