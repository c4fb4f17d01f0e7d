using System.Globalization;
using Eal.Vfio;

namespace Eal.Emulation;

/// <summary>
/// The value of <c>--emulate[=spec]</c>: empty for <see cref="Default"/>, the path of a JSON machine
/// description, or an inline spec of comma-separated <c>key=value</c> pairs such as
/// <c>cpus=8,threads=2,numa=2,hugepages=2M:512,vfio=4,kernel=1</c>. See <c>docs/emulation.md</c>.
/// </summary>
public static class MachineSpec
{
    /// <summary>The keys an inline spec understands.</summary>
    public static IReadOnlyList<string> Keys { get; } =
        ["cpus", "threads", "numa", "mem", "hugepages", "vfio", "pci", "kernel", "kernel-driver", "unbound", "uio", "vfs", "iommu", "noiommu", "iommufd", "cdev", "edu", "edu-qemu", "e1000e"];

    /// <summary>The machine an empty spec gives: 4 CPUs on one node, 512 free 2 MiB hugepages, two X710 ports bound to vfio-pci and one bound to i40e, an IOMMU and IOMMUFD.</summary>
    public static MachineDescription Default() => Parse(string.Empty);

    /// <summary>Resolves an <c>--emulate</c> value: empty/null → default; an existing file → JSON; otherwise an inline spec.</summary>
    /// <exception cref="FormatException">The spec or the file is invalid; the message names the key or field.</exception>
    /// <exception cref="FileNotFoundException">The value looks like a path (has a '/' or ends in .json) but no such file exists.</exception>
    public static MachineDescription Resolve(string? value)
    {
        if (string.IsNullOrWhiteSpace(value)) return Default();
        if (File.Exists(value)) return MachineJson.Load(value);
        if (value.Contains('/', StringComparison.Ordinal) || value.EndsWith(".json", StringComparison.OrdinalIgnoreCase))
            throw new FileNotFoundException($"--emulate={value}: no such machine description file; give an existing JSON file or an inline spec such as 'cpus=8,numa=2,vfio=4'", value);
        return Parse(value);
    }

    /// <summary>Parses an inline spec (see <see cref="Keys"/>); unspecified keys keep the defaults.</summary>
    /// <exception cref="FormatException">Unknown key, bad value, or an impossible machine.</exception>
    public static MachineDescription Parse(string spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        int cpus = 4, threads = 1, numa = 1, vfio = 2, kernel = 1, unbound = 0, uio = 0, vfs = 0, edu = 0, eduQemu = 0, e1000e = 0;
        long memMiB = 4096;
        bool iommu = true, noiommu = false, iommufd = true, cdev = true;
        string kernelDriver = "i40e";
        List<(long SizeKiB, int Count)>? hugepages = null;

        foreach (var raw in spec.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            int eq = raw.IndexOf('=', StringComparison.Ordinal);
            string key = eq < 0 ? raw : raw[..eq];
            string val = eq < 0 ? string.Empty : raw[(eq + 1)..];
            switch (key)
            {
                case "cpus": cpus = Int(key, val, 1, 4096); break;
                case "threads": threads = Int(key, val, 1, 8); break;
                case "numa": numa = Int(key, val, 1, 32); break;
                case "mem": memMiB = Int(key, val, 1, int.MaxValue); break;
                case "hugepages": (hugepages ??= []).Add(HugepageSpec(val)); break;
                case "vfio": case "pci": vfio = Int(key, val, 0, 1 << 20); break;
                case "kernel": kernel = Int(key, val, 0, 1 << 20); break;
                case "kernel-driver":
                    if (val.Length == 0 || val.Contains('/', StringComparison.Ordinal))
                        throw Error(key, val, "a kernel driver name such as 'i40e' or 'virtio-pci'");
                    kernelDriver = val;
                    break;
                case "unbound": unbound = Int(key, val, 0, 1 << 20); break;
                case "uio": uio = Int(key, val, 0, 1 << 20); break;
                case "vfs": vfs = Int(key, val, 0, 128); break;
                case "iommu": iommu = Bool(key, val); break;
                case "noiommu": noiommu = Bool(key, val); break;
                case "iommufd": iommufd = Bool(key, val); break;
                case "cdev": cdev = Bool(key, val); break;
                case "edu": edu = Int(key, val, 0, 256); break;
                case "edu-qemu": eduQemu = Int(key, val, 0, 256); break;
                case "e1000e": e1000e = Int(key, val, 0, 256); break;
                default:
                    throw new FormatException($"--emulate: unknown key '{key}' in \"{spec}\"; valid keys: {string.Join(", ", Keys)}");
            }
        }
        if (cpus % threads != 0)
            throw new FormatException($"--emulate: threads={threads} does not divide cpus={cpus}; pick a cpus value that is a multiple of threads");
        if (numa > cpus)
            throw new FormatException($"--emulate: numa={numa} is more nodes than cpus={cpus}; every node needs a CPU");
        if (vfs > 0 && kernel == 0)
            throw new FormatException($"--emulate: vfs={vfs} needs a PF bound to a kernel driver; add kernel=1");
        hugepages ??= [(2048, 512)];

        var m = new MachineDescription
        {
            Cpus = cpus,
            ThreadsPerCore = threads,
            IommuPresent = iommu,
            IommufdPresent = iommufd,
        };
        m.ModuleParameters["vfio.enable_unsafe_noiommu_mode"] = noiommu ? "Y" : "N";
        if (uio > 0) m.LoadedModules.Add("igb_uio");
        for (int n = 0; n < numa; n++)
        {
            var node = new NumaNodeDescription { Id = n, MemoryMiB = memMiB };
            foreach (var (size, count) in hugepages)
                node.Hugepages.Add(new HugepagePoolDescription { SizeKiB = size, Total = count, Free = count });
            m.NumaNodes.Add(node);
        }

        bool groups = iommu || noiommu;
        int index = 0, cdevIndex = 0;
        PciFunctionDescription Nic(string? driver, uint deviceId = 0x1572)
        {
            int i = index++;
            var f = new PciFunctionDescription
            {
                Address = AddressOf(i),
                VendorId = 0x8086,
                DeviceId = deviceId,
                SubsystemVendorId = 0x8086,
                SubsystemDeviceId = 0x0000,
                ClassCode = 0x020000,
                Revision = 0x02,
                NumaNode = numa > 1 ? i % numa : 0,
                Driver = driver,
                IommuGroup = groups ? i : null,
                VfioCdev = cdev && iommufd && iommu && driver == "vfio-pci" ? cdevIndex++ : null,
                MsixVectors = 129,
                MsixTableBar = 3,
                Bars =
                [
                    new PciBarDescription { Index = 0, Address = 0x3800_0000_0000UL + ((ulong)i << 24), Size = 0x80_0000, Flags = PciBarFlags.Memory | PciBarFlags.Memory64 | PciBarFlags.Prefetchable },
                    new PciBarDescription { Index = 3, Address = 0x3800_0080_0000UL + ((ulong)i << 24), Size = 0x8000, Flags = PciBarFlags.Memory | PciBarFlags.Memory64 | PciBarFlags.Prefetchable },
                ],
            };
            m.PciFunctions.Add(f);
            return f;
        }

        for (int i = 0; i < vfio; i++) Nic("vfio-pci");
        for (int i = 0; i < kernel; i++)
        {
            var pf = Nic(kernelDriver);
            if (i == 0 && vfs > 0) pf.Sriov = new SriovDescription { TotalVfs = 64, NumVfs = vfs };
        }
        for (int i = 0; i < uio; i++) Nic("igb_uio");
        for (int i = 0; i < unbound; i++) Nic(null);
        if (vfs > 0)
        {
            string pfAddress = m.PciFunctions[vfio].Address;
            for (int i = 0; i < vfs; i++)
            {
                var vf = Nic("vfio-pci", 0x154c);
                vf.PhysicalFunction = pfAddress;
                vf.Bars.RemoveAt(0);
                vf.Bars[0].Size = 0x4000;
                vf.MsixVectors = 5;
            }
        }
        // edu DMA test devices (1234:11e8, Devices/EduDeviceModel) come last so the NIC numbering never moves.
        for (int i = 0; i < edu + eduQemu; i++)
        {
            int at = index++;
            var f = Devices.EduDeviceModel.Describe(
                AddressOf(at), "vfio-pci", groups ? at : null, cdev && iommufd && iommu ? cdevIndex++ : null, numa > 1 ? at % numa : 0, qemu: i >= edu);
            f.Bars[0].Address = 0xE000_0000UL + ((ulong)i << 20);
            m.PciFunctions.Add(f);
        }
        // QEMU's e1000e NICs (8086:10d3, Devices/E1000eDeviceModel) after them, bound to vfio-pci.
        for (int i = 0; i < e1000e; i++)
        {
            int at = index++;
            m.PciFunctions.Add(Devices.E1000eDeviceModel.Describe(
                AddressOf(at), "vfio-pci", groups ? at : null, cdev && iommufd && iommu ? cdevIndex++ : null, numa > 1 ? at % numa : 0, i));
        }
        MachineValidator.Validate(m, $"from --emulate=\"{spec}\"");
        return m;
    }

    /// <summary>
    /// The spec of a machine with one <paramref name="deviceKey"/> function (<c>edu</c>, <c>edu-qemu</c>,
    /// <c>e1000e</c>...) bound to vfio-pci and 64 × 2 MiB hugepages, set up for <paramref name="mode"/>: an IOMMU with
    /// the group API only (IOMMUFD off) for group, the unsafe no-IOMMU mode for noiommu, an IOMMU with IOMMUFD for cdev.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="mode"/> is <see cref="VfioMode.None"/>.</exception>
    public static string OneFunction(VfioMode mode, string deviceKey)
    {
        ArgumentException.ThrowIfNullOrEmpty(deviceKey);
        string iommu = mode switch
        {
            VfioMode.Group => ",iommufd=off",
            VfioMode.NoIommu => ",iommu=off,noiommu=on",
            VfioMode.Cdev => "",
            _ => throw new ArgumentOutOfRangeException(nameof(mode), mode, "a one-function machine is for group, noiommu or cdev"),
        };
        return $"vfio=0,kernel=0,{deviceKey}=1{iommu},hugepages=2M:64";
    }

    /// <summary>
    /// The address the spec gives the <paramref name="index"/>-th generated function: one function per
    /// device number on buses 01..ff, then the next domain.
    /// </summary>
    public static string AddressOf(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        const int PerDomain = 255 * 256;
        int domain = index / PerDomain, within = index % PerDomain;
        int bus = 1 + within / 256, dev = (within % 256) / 8, fn = within % 8;
        return string.Create(CultureInfo.InvariantCulture, $"{domain:x4}:{bus:x2}:{dev:x2}.{fn}");
    }

    private static (long, int) HugepageSpec(string val)
    {
        int colon = val.IndexOf(':', StringComparison.Ordinal);
        if (colon < 0) throw Error("hugepages", val, "<size>:<count per node>, e.g. 2M:512 or 1G:4");
        long size = val[..colon].ToUpperInvariant() switch
        {
            "2M" or "2048K" or "2048KB" => 2048,
            "1G" or "1048576K" or "1048576KB" => 1048576,
            _ => throw Error("hugepages", val, "a size of 2M or 1G (2048kB, 1048576kB)"),
        };
        return (size, Int("hugepages", val[(colon + 1)..], 0, int.MaxValue));
    }

    private static int Int(string key, string val, int min, int max)
    {
        if (!int.TryParse(val, NumberStyles.None, CultureInfo.InvariantCulture, out int v) || v < min || v > max)
            throw Error(key, val, $"an integer in {min}..{max}");
        return v;
    }

    private static bool Bool(string key, string val) => val switch
    {
        "on" or "1" or "yes" or "true" or "" => true,
        "off" or "0" or "no" or "false" => false,
        _ => throw Error(key, val, "on or off"),
    };

    private static FormatException Error(string key, string val, string expected) =>
        new($"--emulate: {key}={val} is not valid; expected {expected}");
}
