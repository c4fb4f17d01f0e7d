using Eal.Vfio.Dma;

namespace Eal.Vfio;

/// <summary>
/// A VFIO container: an IOMMU context that devices are assigned to and that DMA mappings go into. Its backend state
/// is one of <see cref="GroupContainer"/> (group and no-IOMMU modes) or <see cref="CdevContainer"/> (cdev mode): two
/// separate types, never one record whose fields alias each other, so a cdev IOAS id can never be read as (or
/// overwrite) a group-mode field. Created and destroyed by <see cref="VfioManager"/>.
/// </summary>
public sealed class VfioContainer
{
    internal VfioContainer(int id, VfioMode mode, bool isDefault, VfioContainerState state)
    {
        Id = id;
        Mode = mode;
        IsDefault = isDefault;
        State = state;
    }

    /// <summary>Number of this container inside its manager (the default container of the process mode is 0).</summary>
    public int Id { get; }

    /// <summary>The backend.</summary>
    public VfioMode Mode { get; }

    /// <summary>True for a default container: all DPDK memory is mapped into it automatically.</summary>
    public bool IsDefault { get; }

    /// <summary>The backend's state (<see cref="GroupContainer"/> or <see cref="CdevContainer"/>).</summary>
    public VfioContainerState State { get; }

    /// <summary>True once destroyed; every operation on it then fails.</summary>
    public bool IsDestroyed { get; internal set; }

    /// <summary>The devices assigned to it.</summary>
    public IReadOnlyList<VfioDevice> Devices => DeviceList;

    /// <summary>The user mappings remembered for replay.</summary>
    public IReadOnlyCollection<UserMap> UserMaps => UserMapTable.Entries.ToList();

    internal List<VfioDevice> DeviceList { get; } = [];

    internal UserMapTable UserMapTable { get; } = new();

    /// <inheritdoc/>
    public override string ToString() => $"container {Id} ({Mode.ToOptionValue()}{(IsDefault ? ", default" : "")})";
}

/// <summary>Backend state of a <see cref="VfioContainer"/>: <see cref="GroupContainer"/> or <see cref="CdevContainer"/>.</summary>
public abstract class VfioContainerState
{
    private protected VfioContainerState() { }
}

/// <summary>An open VFIO group inside a <see cref="GroupContainer"/>.</summary>
public sealed class VfioGroup
{
    internal VfioGroup(int number, int fd, string path)
    {
        Number = number;
        Fd = fd;
        Path = path;
    }

    /// <summary>IOMMU group number.</summary>
    public int Number { get; }

    /// <summary>The open <c>/dev/vfio/N</c> (or <c>noiommu-N</c>) fd.</summary>
    public int Fd { get; }

    /// <summary>The node it was opened from.</summary>
    public string Path { get; }

    /// <summary>Devices of this group obtained with <c>VFIO_GROUP_GET_DEVICE_FD</c>.</summary>
    public IReadOnlyList<string> Devices => DeviceList;

    internal List<string> DeviceList { get; } = [];
}

/// <summary>Group and no-IOMMU container state: the <c>/dev/vfio/vfio</c> fd, its groups and its IOMMU type.</summary>
public sealed class GroupContainer : VfioContainerState
{
    internal GroupContainer(int containerFd, uint iommuType)
    {
        ContainerFd = containerFd;
        IommuType = iommuType;
    }

    /// <summary>The open <c>/dev/vfio/vfio</c>.</summary>
    public int ContainerFd { get; }

    /// <summary>The IOMMU type set once the first group joins (<c>VFIO_TYPE1v2_IOMMU</c> or <c>VFIO_NOIOMMU_IOMMU</c>).</summary>
    public uint IommuType { get; }

    /// <summary>Whether <c>VFIO_SET_IOMMU</c> is in effect (a group is attached); DMA mapping needs it.</summary>
    public bool IommuTypeSet { get; internal set; }

    /// <summary>The attached groups.</summary>
    public IReadOnlyList<VfioGroup> Groups => GroupList;

    internal List<VfioGroup> GroupList { get; } = [];
}

/// <summary>cdev (IOMMUFD) container state: the <c>/dev/iommu</c> fd and the IOAS the devices attach to.</summary>
public sealed class CdevContainer : VfioContainerState
{
    internal CdevContainer(int iommuFd, uint ioasId)
    {
        IommuFd = iommuFd;
        IoasId = ioasId;
    }

    /// <summary>The open <c>/dev/iommu</c>.</summary>
    public int IommuFd { get; }

    /// <summary>The IOAS allocated on <see cref="IommuFd"/>; devices attach to it, DMA maps go into it.</summary>
    public uint IoasId { get; }

    /// <summary>Devices bound to <see cref="IommuFd"/> and attached to <see cref="IoasId"/>, with their IOMMUFD device ids.</summary>
    public IReadOnlyDictionary<string, uint> Devices => DeviceIds;

    internal Dictionary<string, uint> DeviceIds { get; } = new(StringComparer.Ordinal);
}
