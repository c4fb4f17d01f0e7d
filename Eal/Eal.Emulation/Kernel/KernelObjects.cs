using Eal.Emulation.Devices;

namespace Eal.Emulation.Kernel;

/// <summary>An open file of the emulated kernel (what an emulated fd refers to).</summary>
internal abstract class KernelFile
{
    /// <summary>False once userspace closed the fd (the object may live on while others reference it, as in Linux).</summary>
    internal bool FdOpen = true;
}

/// <summary>Which IOMMU driver a container uses after VFIO_SET_IOMMU.</summary>
internal enum ContainerDriver
{
    None,
    Type1,
    NoIommu,
}

/// <summary>
/// An IOMMU domain: the mapping table plus the rules of the hardware behind it (page size, aperture, reserved
/// MSI window). Type1 containers own one; every IOAS owns one (restricted only while a device is attached).
/// </summary>
internal sealed class IommuDomain
{
    internal IommuDomain(int seed) => Tree = new IovaTree(seed);

    internal IovaTree Tree { get; }

    /// <summary>Whether the aperture and reserved ranges apply (always for type1; for an IOAS, while a device is attached).</summary>
    internal bool Restricted;
}

/// <summary><c>/dev/vfio/vfio</c>.</summary>
internal sealed class ContainerFile : KernelFile
{
    internal readonly List<GroupObject> Groups = [];
    internal ContainerDriver Driver;
    internal bool V2;
    internal IommuDomain? Domain;
}

/// <summary>An IOMMU group as VFIO tracks it (one per group number, whether or not a file is open).</summary>
internal sealed class GroupObject(int number, bool noIommu)
{
    internal int Number { get; } = number;
    internal bool NoIommu { get; } = noIommu;
    internal GroupFile? File;
    internal ContainerFile? Container;
    internal int CdevBound;
}

/// <summary><c>/dev/vfio/N</c> or <c>/dev/vfio/noiommu-N</c>.</summary>
internal sealed class GroupFile(GroupObject group) : KernelFile
{
    internal GroupObject Group { get; } = group;
    internal int DeviceFiles;
}

/// <summary><c>/dev/iommu</c>: an IOMMUFD context and its object table.</summary>
internal sealed class IommufdFile : KernelFile
{
    internal readonly Dictionary<uint, IommufdObject> Objects = [];
    internal uint NextId = 1;
    internal int BoundDevices;
}

internal abstract class IommufdObject(uint id)
{
    internal uint Id { get; } = id;
}

internal sealed class IoasObject(uint id, IommuDomain domain) : IommufdObject(id)
{
    internal IommuDomain Domain { get; } = domain;
    internal int Hwpts;
    internal bool HugePages = true;
}

internal sealed class HwptObject(uint id, IoasObject ioas) : IommufdObject(id)
{
    internal IoasObject Ioas { get; } = ioas;
    internal int Devices;
}

internal sealed class DeviceIdObject(uint id, FunctionState function) : IommufdObject(id)
{
    internal FunctionState Function { get; } = function;
}

/// <summary>A device fd: from VFIO_GROUP_GET_DEVICE_FD (<see cref="Group"/> set) or a cdev open.</summary>
internal sealed class DeviceFile(FunctionState function, GroupFile? group) : KernelFile
{
    internal FunctionState Function { get; } = function;
    internal GroupFile? Group { get; } = group;
    internal bool IsCdev => Group is null;
    internal bool AccessGranted;
    internal IommufdFile? Context;
    internal DeviceIdObject? DeviceId;
    internal HwptObject? Hwpt;
}

/// <summary>One VFIO IRQ index of a function: the eventfds (our own dup'ed references) per vector.</summary>
internal sealed class IrqIndexState
{
    internal int[] Triggers = [];
}

/// <summary>Everything the emulated vfio-pci keeps about one PCI function.</summary>
internal sealed class FunctionState
{
    internal FunctionState(PciFunctionDescription description, IPciDeviceModel model)
    {
        Description = description;
        Model = model;
        for (int i = 0; i < Irqs.Length; i++) Irqs[i] = new IrqIndexState();
    }

    internal PciFunctionDescription Description { get; }
    internal IPciDeviceModel Model { get; }
    internal string Address => Description.Address;
    internal int GroupOpens;
    internal DeviceFile? CdevOwner;
    internal DevicePort? Port;
    internal InterruptSink? Sink;

    /// <summary>-1 = none, else the enabled VFIO IRQ index among INTx/MSI/MSI-X (vfio-pci allows one at a time).</summary>
    internal int IrqType = -1;
    internal readonly IrqIndexState[] Irqs = new IrqIndexState[5];
    internal bool IntxMasked;
    internal bool IntxPending;
    internal Guid? VfToken;

    /// <summary>Config offsets of the MSI / MSI-X capabilities (0 = none); -1 until read from the model.</summary>
    internal int MsiCap = -1, MsixCap = -1;

    /// <summary>The MSI enable bit userspace reads (vfio-pci virtualizes it: what userspace last wrote, filtered).</summary>
    internal bool MsiEnableSeen;
}
