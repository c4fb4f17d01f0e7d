using System.Globalization;

namespace Eal.Bus.Pci;

/// <summary>The identity registers of a PCI function (DPDK's <c>struct rte_pci_id</c> of a device).</summary>
/// <param name="VendorId">Vendor id.</param>
/// <param name="DeviceId">Device id.</param>
/// <param name="SubsystemVendorId">Subsystem vendor id.</param>
/// <param name="SubsystemDeviceId">Subsystem device id.</param>
/// <param name="ClassId">Class code (class, subclass, programming interface), 24 bits.</param>
public readonly record struct PciDeviceId(ushort VendorId, ushort DeviceId, ushort SubsystemVendorId, ushort SubsystemDeviceId, uint ClassId)
{
    /// <summary><c>vvvv:dddd</c> as lspci prints it.</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{VendorId:x4}:{DeviceId:x4}");
}

/// <summary>
/// One entry of a PCI driver's id table (DPDK's <c>struct rte_pci_id</c> in a driver): each field must equal
/// the device's or be a wildcard (<see cref="AnyId"/>, <see cref="AnyClass"/>). The class is compared under
/// <see cref="ClassMask"/>, so <c>ClassId = 0x020000, ClassMask = 0xFF0000</c> matches every network controller.
/// </summary>
/// <param name="VendorId">Vendor id or <see cref="AnyId"/>.</param>
/// <param name="DeviceId">Device id or <see cref="AnyId"/>.</param>
/// <param name="SubsystemVendorId">Subsystem vendor id or <see cref="AnyId"/>.</param>
/// <param name="SubsystemDeviceId">Subsystem device id or <see cref="AnyId"/>.</param>
/// <param name="ClassId">Class code or <see cref="AnyClass"/>.</param>
/// <param name="ClassMask">Which class bits must match; <see cref="FullClassMask"/> by default.</param>
public readonly record struct PciId(
    ushort VendorId,
    ushort DeviceId,
    ushort SubsystemVendorId = PciId.AnyId,
    ushort SubsystemDeviceId = PciId.AnyId,
    uint ClassId = PciId.AnyClass,
    uint ClassMask = PciId.FullClassMask)
{
    /// <summary>DPDK's <c>RTE_PCI_ANY_ID</c>: matches any vendor/device/subsystem id.</summary>
    public const ushort AnyId = 0xFFFF;

    /// <summary>DPDK's <c>RTE_CLASS_ANY_ID</c>: matches any class.</summary>
    public const uint AnyClass = 0xFFFFFF;

    /// <summary>Compare all 24 class bits.</summary>
    public const uint FullClassMask = 0xFFFFFF;

    /// <summary>DPDK's <c>RTE_PCI_DEVICE(vendor, device)</c>: any subsystem, any class.</summary>
    public static PciId Device(ushort vendorId, ushort deviceId) => new(vendorId, deviceId);

    /// <summary>Every function whose class matches <paramref name="classId"/> under <paramref name="classMask"/>.</summary>
    public static PciId Class(uint classId, uint classMask = FullClassMask) => new(AnyId, AnyId, AnyId, AnyId, classId, classMask);

    /// <summary>Whether a function with <paramref name="id"/> matches this entry.</summary>
    public bool Matches(in PciDeviceId id) =>
        (VendorId == AnyId || VendorId == id.VendorId)
        && (DeviceId == AnyId || DeviceId == id.DeviceId)
        && (SubsystemVendorId == AnyId || SubsystemVendorId == id.SubsystemVendorId)
        && (SubsystemDeviceId == AnyId || SubsystemDeviceId == id.SubsystemDeviceId)
        && (ClassId == AnyClass || ((ClassId ^ id.ClassId) & ClassMask & 0xFFFFFF) == 0);
}

/// <summary>What kind of kernel driver a PCI function is bound to (DPDK's <c>rte_pci_kernel_driver</c>, Linux values).</summary>
public enum PciKernelDriverKind
{
    /// <summary>No driver bound. DPDK drops such functions at scan; this bus lists them but never probes them.</summary>
    None,
    /// <summary><c>vfio-pci</c>: usable by VFIO (group, no-IOMMU or cdev).</summary>
    Vfio,
    /// <summary><c>igb_uio</c>.</summary>
    IgbUio,
    /// <summary><c>uio_pci_generic</c>.</summary>
    UioGeneric,
    /// <summary>Any other kernel driver (e.g. <c>ixgbe</c>, or a bifurcated/coexisting driver such as <c>mlx5_core</c>, <c>nbl_core</c>).</summary>
    Other,
}

/// <summary>One BAR as the kernel reports it in <c>resource</c>.</summary>
/// <param name="Index">The BAR index, 0..5.</param>
/// <param name="PhysicalAddress">Start of the decoded range.</param>
/// <param name="Length">Length in bytes (0 for an unimplemented BAR).</param>
/// <param name="Flags">The kernel's <c>IORESOURCE_*</c> flags.</param>
public readonly record struct PciResource(int Index, ulong PhysicalAddress, ulong Length, ulong Flags)
{
    /// <summary><c>IORESOURCE_IO</c>.</summary>
    public const ulong IoResourceIo = 0x100;

    /// <summary><c>IORESOURCE_MEM</c>.</summary>
    public const ulong IoResourceMem = 0x200;

    /// <summary><c>IORESOURCE_PREFETCH</c>.</summary>
    public const ulong IoResourcePrefetch = 0x2000;

    /// <summary><c>IORESOURCE_MEM_64</c>.</summary>
    public const ulong IoResourceMem64 = 0x100000;

    /// <summary>A memory BAR (the only kind DPDK maps).</summary>
    public bool IsMemory => (Flags & IoResourceMem) != 0;

    /// <summary>An I/O port BAR.</summary>
    public bool IsIo => (Flags & IoResourceIo) != 0;

    /// <summary>Prefetchable memory.</summary>
    public bool IsPrefetchable => (Flags & IoResourcePrefetch) != 0;

    /// <summary>A 64-bit memory BAR.</summary>
    public bool Is64Bit => (Flags & IoResourceMem64) != 0;
}
