using System.Globalization;

namespace Eal.Bus.Pci;

/// <summary>A PCI function found in sysfs (DPDK's <c>struct rte_pci_device</c>).</summary>
public sealed class PciDevice : Device
{
    internal PciDevice(PciBus bus, PciDeviceInfo info)
        : base(bus, info.Address.ToString(), info.NumaNode)
    {
        Address = info.Address;
        Info = info;
    }

    /// <summary>The address.</summary>
    public PciAddress Address { get; }

    /// <summary>What the last scan read from sysfs.</summary>
    internal PciDeviceInfo Info { get; private set; }

    /// <summary>Vendor, device, subsystem ids and class.</summary>
    public PciDeviceId Id => Info.Id;

    /// <summary>Revision id.</summary>
    public byte Revision => Info.Revision;

    /// <summary>BARs 0..5 from <c>resource</c> (unimplemented BARs have length 0).</summary>
    public IReadOnlyList<PciResource> Resources => Info.Resources;

    /// <summary>The bound kernel driver's name (<c>vfio-pci</c>, <c>ixgbe</c>...), or null when unbound.</summary>
    public string? KernelDriver => Info.KernelDriver;

    /// <summary>The kind of <see cref="KernelDriver"/>.</summary>
    public PciKernelDriverKind KernelDriverKind => Info.KernelDriverKind;

    /// <summary>The IOMMU group number, or null when the function has no group.</summary>
    public int? IommuGroup => Info.IommuGroup;

    /// <summary>The VFIO cdev index N of <c>vfio-dev/vfioN</c> (<c>/dev/vfio/devices/vfioN</c>), or null.</summary>
    public int? VfioCdev => Info.VfioCdev;

    /// <summary>VFs enabled on this PF (<c>max_vfs</c>, else <c>sriov_numvfs</c>); 0 otherwise.</summary>
    public int MaxVfs => Info.MaxVfs;

    /// <summary>Most VFs the PF supports (<c>sriov_totalvfs</c>); 0 when not SR-IOV capable.</summary>
    public int TotalVfs => Info.TotalVfs;

    /// <summary>For a VF, the address of its PF (<c>physfn</c>); null otherwise.</summary>
    public PciAddress? PhysicalFunction => Info.PhysicalFunction;

    /// <summary>The VFIO mapping the bus made for a <see cref="DriverFlags.NeedMapping"/> driver (BARs, MMIO helpers, interrupt), or null when unmapped.</summary>
    public Vfio.PciMappedDevice? Mapping { get; internal set; }

    /// <summary>The sysfs directory the function was read from.</summary>
    public string SysfsPath => Info.SysfsPath;

    /// <summary>DPDK's <c>bus_info</c>: <c>vendor_id=8086, device_id=1572</c>.</summary>
    public string BusInfo => string.Create(CultureInfo.InvariantCulture, $"vendor_id={Id.VendorId:x}, device_id={Id.DeviceId:x}");

    /// <summary>Replaces the scanned fields (rescan of an unprobed device).</summary>
    internal void Refresh(PciDeviceInfo info)
    {
        Info = info;
        NumaNode = info.NumaNode;
    }
}

/// <summary>Everything a scan reads about one function; immutable so a rescan swaps it atomically.</summary>
internal sealed record PciDeviceInfo(
    PciAddress Address,
    string SysfsPath,
    PciDeviceId Id,
    byte Revision,
    int NumaNode,
    PciResource[] Resources,
    string? KernelDriver,
    PciKernelDriverKind KernelDriverKind,
    int? IommuGroup,
    int? VfioCdev,
    int MaxVfs,
    int TotalVfs,
    PciAddress? PhysicalFunction);

/// <summary>A problem found while scanning sysfs.</summary>
/// <param name="Address">The function concerned.</param>
/// <param name="File">The sysfs file (full path) that is missing or malformed.</param>
/// <param name="Message">What is wrong and what was done about it.</param>
/// <param name="DeviceSkipped">True when the function was left out of the device list because of it.</param>
public sealed record PciScanDiagnostic(string Address, string File, string Message, bool DeviceSkipped)
{
    /// <inheritdoc />
    public override string ToString() => Message;
}
