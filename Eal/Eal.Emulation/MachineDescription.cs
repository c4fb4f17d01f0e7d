using System.Text.Json.Serialization;

namespace Eal.Emulation;

/// <summary>
/// Everything the emulated kernel shows about a machine: CPUs, NUMA nodes, hugepage pools, kernel modules,
/// the IOMMU and the PCI functions. <see cref="SysfsTreeWriter"/> turns it into a directory tree that mirrors
/// <c>/sys</c>, <c>/dev</c> and <c>/proc</c>. Serialisable as JSON (<see cref="MachineJson"/>).
/// </summary>
public sealed class MachineDescription
{
    /// <summary>Number of logical CPUs (<c>cpu0</c> .. <c>cpuN-1</c>).</summary>
    public int Cpus { get; set; } = 4;

    /// <summary>Hardware threads per core (2 for SMT); siblings are consecutive CPU numbers.</summary>
    public int ThreadsPerCore { get; set; } = 1;

    /// <summary>
    /// NUMA nodes. Empty means one node 0 holding every CPU. A node with an empty CPU list gets an even
    /// share of the CPUs in node order.
    /// </summary>
    public List<NumaNodeDescription> NumaNodes { get; set; } = [];

    /// <summary>Whether an IOMMU translates DMA (DMA-capable groups under <c>kernel/iommu_groups</c>).</summary>
    public bool IommuPresent { get; set; } = true;

    /// <summary>Whether the kernel offers IOMMUFD (<c>/dev/iommu</c>), needed by VFIO cdev mode.</summary>
    public bool IommufdPresent { get; set; } = true;

    /// <summary>Loaded kernel modules, each shown as <c>module/&lt;name&gt;</c> (e.g. <c>vfio</c>, <c>vfio_pci</c>).</summary>
    public List<string> LoadedModules { get; set; } = ["vfio", "vfio_pci", "vfio_iommu_type1"];

    /// <summary>
    /// Kernel module parameters, keyed <c>module.parameter</c> (e.g. <c>vfio.enable_unsafe_noiommu_mode</c> =
    /// <c>N</c>), shown as <c>module/&lt;module&gt;/parameters/&lt;parameter&gt;</c>.
    /// </summary>
    public Dictionary<string, string> ModuleParameters { get; set; } = new(StringComparer.Ordinal)
    {
        ["vfio.enable_unsafe_noiommu_mode"] = "N",
    };

    /// <summary>The PCI functions, in any order (the bus sorts them).</summary>
    public List<PciFunctionDescription> PciFunctions { get; set; } = [];

    /// <summary>True when <c>vfio.enable_unsafe_noiommu_mode</c> is <c>Y</c> or <c>1</c>.</summary>
    [JsonIgnore]
    public bool NoIommuModeEnabled =>
        ModuleParameters.TryGetValue("vfio.enable_unsafe_noiommu_mode", out var v) && v is "Y" or "y" or "1";

    /// <summary>The PCI function with <paramref name="address"/> (compared ignoring case), or null.</summary>
    public PciFunctionDescription? FindPciFunction(string address)
    {
        foreach (var f in PciFunctions)
            if (string.Equals(f.Address, address, StringComparison.OrdinalIgnoreCase)) return f;
        return null;
    }
}

/// <summary>One NUMA node.</summary>
public sealed class NumaNodeDescription
{
    /// <summary>The node number (<c>nodeN</c>).</summary>
    public int Id { get; set; }

    /// <summary>The CPUs of the node as a Linux CPU list (<c>0-3,8</c>); empty for an even share.</summary>
    public string Cpus { get; set; } = string.Empty;

    /// <summary>Memory of the node in MiB (shown in <c>nodeN/meminfo</c>).</summary>
    public long MemoryMiB { get; set; } = 4096;

    /// <summary>The hugepage pools of the node.</summary>
    public List<HugepagePoolDescription> Hugepages { get; set; } = [];
}

/// <summary>A hugepage pool of one size on one node.</summary>
public sealed class HugepagePoolDescription
{
    /// <summary>The page size in KiB: 2048 or 1048576 on x86.</summary>
    public long SizeKiB { get; set; } = 2048;

    /// <summary>Pages reserved (<c>nr_hugepages</c>).</summary>
    public int Total { get; set; }

    /// <summary>Pages still free (<c>free_hugepages</c>); never more than <see cref="Total"/>.</summary>
    public int Free { get; set; }
}

/// <summary>BAR kinds, as the kernel reports them in the <c>resource</c> flags.</summary>
[Flags]
[JsonConverter(typeof(JsonStringEnumConverter<PciBarFlags>))]
public enum PciBarFlags
{
    /// <summary>Unused BAR.</summary>
    None = 0,
    /// <summary>Memory space BAR (<c>IORESOURCE_MEM</c>).</summary>
    Memory = 1,
    /// <summary>I/O port BAR (<c>IORESOURCE_IO</c>).</summary>
    Io = 2,
    /// <summary>Prefetchable memory (<c>IORESOURCE_PREFETCH</c>).</summary>
    Prefetchable = 4,
    /// <summary>64-bit memory BAR (<c>IORESOURCE_MEM_64</c>); takes two BAR registers.</summary>
    Memory64 = 8,
}

/// <summary>One base address register of a PCI function.</summary>
public sealed class PciBarDescription
{
    /// <summary>The BAR index, 0..5.</summary>
    public int Index { get; set; }

    /// <summary>The bus address the BAR decodes.</summary>
    [JsonConverter(typeof(HexUInt64JsonConverter))]
    public ulong Address { get; set; }

    /// <summary>The BAR size in bytes (a power of two).</summary>
    [JsonConverter(typeof(HexUInt64JsonConverter))]
    public ulong Size { get; set; }

    /// <summary>Memory or I/O, prefetchable, 64-bit.</summary>
    public PciBarFlags Flags { get; set; } = PciBarFlags.Memory;
}

/// <summary>SR-IOV capability of a physical function.</summary>
public sealed class SriovDescription
{
    /// <summary>Most VFs the PF supports (<c>sriov_totalvfs</c>).</summary>
    public int TotalVfs { get; set; }

    /// <summary>VFs currently enabled (<c>sriov_numvfs</c>).</summary>
    public int NumVfs { get; set; }
}

/// <summary>One PCI function.</summary>
public sealed class PciFunctionDescription
{
    /// <summary>The address, <c>DDDD:BB:DD.F</c>.</summary>
    public string Address { get; set; } = "0000:00:00.0";

    /// <summary>PCI vendor id.</summary>
    [JsonConverter(typeof(HexUInt32JsonConverter))]
    public uint VendorId { get; set; }

    /// <summary>PCI device id.</summary>
    [JsonConverter(typeof(HexUInt32JsonConverter))]
    public uint DeviceId { get; set; }

    /// <summary>Subsystem vendor id.</summary>
    [JsonConverter(typeof(HexUInt32JsonConverter))]
    public uint SubsystemVendorId { get; set; }

    /// <summary>Subsystem device id.</summary>
    [JsonConverter(typeof(HexUInt32JsonConverter))]
    public uint SubsystemDeviceId { get; set; }

    /// <summary>Class code: class, subclass, programming interface (<c>0x020000</c> = Ethernet).</summary>
    [JsonConverter(typeof(HexUInt32JsonConverter))]
    public uint ClassCode { get; set; } = 0x020000;

    /// <summary>Revision id.</summary>
    [JsonConverter(typeof(HexUInt32JsonConverter))]
    public uint Revision { get; set; }

    /// <summary>NUMA node; -1 when the platform reports none.</summary>
    public int NumaNode { get; set; } = -1;

    /// <summary>The BARs that are implemented (others read as zero).</summary>
    public List<PciBarDescription> Bars { get; set; } = [];

    /// <summary>SR-IOV capability when this is a PF that supports VFs; null otherwise.</summary>
    public SriovDescription? Sriov { get; set; }

    /// <summary>For a VF: the address of its PF (the <c>physfn</c> link); null otherwise.</summary>
    public string? PhysicalFunction { get; set; }

    /// <summary>The bound kernel driver (<c>vfio-pci</c>, <c>igb_uio</c>, <c>ixgbe</c>...), or null when unbound.</summary>
    public string? Driver { get; set; }

    /// <summary>The IOMMU group number, or null when the function has none.</summary>
    public int? IommuGroup { get; set; }

    /// <summary>The VFIO cdev index (<c>vfio-dev/vfioN</c>, <c>/dev/vfio/devices/vfioN</c>), or null.</summary>
    public int? VfioCdev { get; set; }

    /// <summary>MSI-X vectors (0 = no MSI-X capability).</summary>
    public int MsixVectors { get; set; }

    /// <summary>The BAR holding the MSI-X table.</summary>
    public int MsixTableBar { get; set; }

    /// <summary>Offset of the MSI-X table in its BAR (8-byte aligned); the PBA follows it.</summary>
    public uint MsixTableOffset { get; set; }

    /// <summary>Config space size: 256 (conventional PCI) or 4096 (PCI Express, extended capabilities).</summary>
    public int ConfigSpaceSize { get; set; } = 4096;

    /// <summary>
    /// Files of the device directory to corrupt or omit, for malformed-sysfs tests: file name (relative to
    /// the device directory, e.g. <c>vendor</c>, <c>driver</c>) to the exact content to write instead, or
    /// null to leave the file out. Links (<c>driver</c>, <c>iommu_group</c>, <c>physfn</c>) become regular files.
    /// </summary>
    public Dictionary<string, string?> Overrides { get; set; } = new(StringComparer.Ordinal);
}
