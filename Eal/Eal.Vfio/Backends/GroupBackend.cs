using System.Globalization;
using System.Text;
using Eal.Platform;
using Eal.Vfio.Native;
using Eal.Vfio.Uapi;

namespace Eal.Vfio.Backends;

/// <summary>
/// Group mode: a <c>/dev/vfio/vfio</c> container with the type1v2 IOMMU, groups <c>/dev/vfio/N</c> joined with
/// <c>VFIO_GROUP_SET_CONTAINER</c>, devices from <c>VFIO_GROUP_GET_DEVICE_FD</c>, DMA with
/// <c>VFIO_IOMMU_MAP_DMA</c>/<c>UNMAP_DMA</c> (unmaps must match original map chunks).
/// </summary>
internal unsafe class GroupBackend : IVfioBackend
{
    private protected readonly IKernel Kernel;
    private protected readonly VfioSysfs Sysfs;

    public GroupBackend(IKernel kernel, VfioSysfs sysfs)
    {
        Kernel = kernel;
        Sysfs = sysfs;
    }

    public virtual VfioMode Mode => VfioMode.Group;

    public virtual bool PartialUnmap => false;

    public (string Map, string Unmap) CallNames => ("VFIO_IOMMU_MAP_DMA", "VFIO_IOMMU_UNMAP_DMA");

    private protected virtual uint IommuType => VfioConstants.Type1v2Iommu;

    private protected virtual string IommuTypeName => "VFIO_TYPE1v2_IOMMU";

    private protected virtual string GroupNode(int group) => Sysfs.GroupPath(group);

    public VfioContainerState OpenContainer()
    {
        string path = Sysfs.ContainerPath;
        int fd = Kernel.Open(path, LibC.OpenReadWrite);
        if (fd < 0)
        {
            throw VfioException.Create("open " + path, -fd, fix: -fd switch
            {
                Errno.ENOENT => "load the vfio-pci module (modprobe vfio-pci)",
                Errno.EACCES or Errno.EPERM => "run as root or give this user access to /dev/vfio (udev rule or chown)",
                _ => null,
            });
        }

        try
        {
            int version = Kernel.IoctlValue(fd, VfioIoctl.GetApiVersion, 0);
            if (version < 0) throw VfioException.Create("VFIO_GET_API_VERSION on " + path, -version);
            if (version != VfioConstants.ApiVersion)
                throw VfioException.Create("VFIO_GET_API_VERSION on " + path, 0, detail: $"the kernel speaks VFIO API {version}, this library speaks {VfioConstants.ApiVersion}", fix: "use a kernel with VFIO API 0");
            int has = Kernel.IoctlValue(fd, VfioIoctl.CheckExtension, (nint)IommuType);
            if (has < 0) throw VfioException.Create($"VFIO_CHECK_EXTENSION({IommuTypeName}) on {path}", -has);
            if (has == 0)
                throw VfioException.Create($"VFIO_CHECK_EXTENSION({IommuTypeName}) on {path}", 0, detail: "the kernel does not offer this IOMMU type", fix: MissingTypeFix);
            return new GroupContainer(fd, IommuType);
        }
        catch
        {
            Kernel.Close(fd);
            throw;
        }
    }

    private protected virtual string MissingTypeFix => "load vfio_iommu_type1 (modprobe vfio_iommu_type1), enable the IOMMU (intel_iommu=on / amd_iommu=on), or use --vfio-mode=noiommu";

    public void CloseContainer(VfioContainerState state)
    {
        var c = (GroupContainer)state;
        foreach (var g in c.GroupList)
        {
            Kernel.IoctlValue(g.Fd, VfioIoctl.GroupUnsetContainer, 0);
            Kernel.Close(g.Fd);
        }

        c.GroupList.Clear();
        c.IommuTypeSet = false;
        Kernel.Close(c.ContainerFd);
    }

    public bool IsDmaReady(VfioContainerState state) => ((GroupContainer)state).IommuTypeSet;

    public int AttachDevice(VfioContainerState state, in DeviceTarget target, out bool becameReady)
    {
        var c = (GroupContainer)state;
        int number = target.Group ?? throw new InvalidOperationException("group backend without a group number");
        becameReady = false;
        var group = c.GroupList.Find(g => g.Number == number);
        bool newGroup = group is null;
        bool setType = false;
        if (group is null)
        {
            group = OpenGroup(c, number, target.Address, out setType);
        }

        try
        {
            int fd = GetDeviceFd(group, target);
            group.DeviceList.Add(target.Address);
            becameReady = setType;
            return fd;
        }
        catch
        {
            if (newGroup) LeaveGroup(c, group);
            throw;
        }
    }

    private VfioGroup OpenGroup(GroupContainer c, int number, string address, out bool setType)
    {
        setType = false;
        string path = GroupNode(number);
        int fd = Kernel.Open(path, LibC.OpenReadWrite);
        if (fd < 0)
        {
            int e = -fd;
            throw VfioException.Create("open " + path, e, address, number, fix: e switch
            {
                Errno.ENOENT => $"bind {address} to vfio-pci (dpdk-devbind.py -b vfio-pci {address})",
                Errno.EBUSY => $"group {number} is already open in another process (another DPDK application or a VM); stop it or use another device",
                Errno.EACCES or Errno.EPERM => $"run as root or give this user access to {path} (udev rule or chown)",
                _ => null,
            });
        }

        try
        {
            var status = new VfioGroupStatus { Argsz = (uint)sizeof(VfioGroupStatus) };
            int r = Kernel.Ioctl(fd, VfioIoctl.GroupGetStatus, &status);
            if (r < 0) throw VfioException.Create("VFIO_GROUP_GET_STATUS", -r, address, number);
            if ((status.Flags & VfioConstants.GroupFlagsViable) == 0)
            {
                string reason = Sysfs.NonViableReason(number, out string fix);
                throw VfioException.Create("VFIO_GROUP_GET_STATUS", 0, address, number, detail: reason, fix: fix);
            }

            if ((status.Flags & VfioConstants.GroupFlagsContainerSet) != 0)
                throw VfioException.Create("VFIO_GROUP_GET_STATUS", Errno.EBUSY, address, number,
                    detail: $"group {number} is already in a container", fix: "release it from the other container first");

            int containerFd = c.ContainerFd;
            r = Kernel.Ioctl(fd, VfioIoctl.GroupSetContainer, &containerFd);
            if (r < 0) throw VfioException.Create("VFIO_GROUP_SET_CONTAINER", -r, address, number);
            if (!c.IommuTypeSet)
            {
                r = Kernel.IoctlValue(c.ContainerFd, VfioIoctl.SetIommu, (nint)IommuType);
                if (r < 0)
                {
                    Kernel.IoctlValue(fd, VfioIoctl.GroupUnsetContainer, 0);
                    throw VfioException.Create($"VFIO_SET_IOMMU({IommuTypeName})", -r, address, number, fix: MissingTypeFix);
                }

                c.IommuTypeSet = true;
                setType = true;
            }

            var group = new VfioGroup(number, fd, path);
            c.GroupList.Add(group);
            return group;
        }
        catch
        {
            Kernel.Close(fd);
            throw;
        }
    }

    private int GetDeviceFd(VfioGroup group, in DeviceTarget target)
    {
        string name = target.VfToken is { } token
            ? target.Address + " vf_token=" + token.ToString("D", CultureInfo.InvariantCulture)
            : target.Address;
        int max = Encoding.UTF8.GetMaxByteCount(name.Length) + 1;
        Span<byte> bytes = stackalloc byte[max];
        int n = Encoding.UTF8.GetBytes(name, bytes);
        bytes[n] = 0;
        int fd;
        fixed (byte* p = bytes)
        {
            fd = Kernel.Ioctl(group.Fd, VfioIoctl.GroupGetDeviceFd, p);
        }

        if (fd < 0)
        {
            throw VfioException.Create("VFIO_GROUP_GET_DEVICE_FD", -fd, target.Address, group.Number, fix: -fd switch
            {
                Errno.EINVAL or Errno.ENODEV => $"bind {target.Address} to vfio-pci; a VF of a vfio-pci PF also needs the PF's vf_token",
                Errno.EBUSY => $"{target.Address} is already open (by this process or another)",
                Errno.EACCES or Errno.EPERM => "pass the VF token the PF owner configured (vf_token=<uuid>)",
                _ => null,
            });
        }

        return fd;
    }

    public void DetachDevice(VfioContainerState state, in DeviceTarget target, int deviceFd)
    {
        var c = (GroupContainer)state;
        Kernel.Close(deviceFd);
        int number = target.Group ?? -1;
        var group = c.GroupList.Find(g => g.Number == number);
        if (group is null) return;
        group.DeviceList.Remove(target.Address);
        if (group.DeviceList.Count == 0) LeaveGroup(c, group);
    }

    private void LeaveGroup(GroupContainer c, VfioGroup group)
    {
        Kernel.IoctlValue(group.Fd, VfioIoctl.GroupUnsetContainer, 0);
        Kernel.Close(group.Fd);
        c.GroupList.Remove(group);
        // The kernel drops the IOMMU (and every mapping) when the last group leaves: the next group sets it again.
        if (c.GroupList.Count == 0) c.IommuTypeSet = false;
    }

    public virtual int Map(VfioContainerState state, ulong va, ulong iova, ulong length)
    {
        var c = (GroupContainer)state;
        var map = new VfioIommuType1DmaMap
        {
            Argsz = (uint)sizeof(VfioIommuType1DmaMap),
            Flags = VfioConstants.DmaMapFlagRead | VfioConstants.DmaMapFlagWrite,
            Vaddr = va,
            Iova = iova,
            Size = length,
        };
        int r = Kernel.Ioctl(c.ContainerFd, VfioIoctl.IommuMapDma, &map);
        return r < 0 ? r : 0;
    }

    public virtual int Unmap(VfioContainerState state, ulong iova, ulong length, out ulong unmapped)
    {
        var c = (GroupContainer)state;
        var unmap = new VfioIommuType1DmaUnmap { Argsz = (uint)sizeof(VfioIommuType1DmaUnmap), Iova = iova, Size = length };
        int r = Kernel.Ioctl(c.ContainerFd, VfioIoctl.IommuUnmapDma, &unmap);
        unmapped = r < 0 ? 0 : unmap.Size;
        return r < 0 ? r : 0;
    }

    public virtual IReadOnlyList<VfioIovaRange> GetIovaRanges(VfioContainerState state)
    {
        var c = (GroupContainer)state;
        if (!c.IommuTypeSet)
            throw VfioException.Create("VFIO_IOMMU_GET_INFO", Errno.ENODEV, detail: "the container has no group yet, so no IOMMU type",
                fix: "assign a device to the container first");
        int size = sizeof(VfioIommuType1Info);
        for (int attempt = 0; attempt < 8; attempt++)
        {
            byte[] buffer = new byte[size];
            fixed (byte* p = buffer)
            {
                var info = (VfioIommuType1Info*)p;
                info->Argsz = (uint)size;
                int r = Kernel.Ioctl(c.ContainerFd, VfioIoctl.IommuGetInfo, p);
                if (r < 0) throw VfioException.Create("VFIO_IOMMU_GET_INFO", -r);
                if (info->Argsz > size)
                {
                    size = (int)info->Argsz;
                    continue;
                }

                try
                {
                    var chain = VfioCapabilityChain.FromIommuType1Info(buffer.AsSpan(0, (int)Math.Max(info->Argsz, (uint)sizeof(VfioIommuType1Info))));
                    if (chain.TryFind(VfioConstants.IommuType1InfoCapIovaRange, out var cap))
                        return cap.ReadIovaRanges().ToArray();
                }
                catch (UapiFormatException e)
                {
                    throw new VfioException("VFIO_IOMMU_GET_INFO: malformed capability chain: " + e.Message, e);
                }

                // Kernels before 5.4 give no IOVA-range capability: the whole 64-bit space is assumed.
                return [new VfioIovaRange { Start = 0, End = ulong.MaxValue }];
            }
        }

        throw VfioException.Create("VFIO_IOMMU_GET_INFO", Errno.EOVERFLOW, detail: "the kernel kept asking for a larger buffer");
    }
}

/// <summary>
/// No-IOMMU mode: the group API on <c>/dev/vfio/noiommu-N</c> with <c>VFIO_NOIOMMU_IOMMU</c>. There is no IOMMU: DMA
/// map/unmap are accepted without a kernel call (IOVA must be the physical address), partial unmaps are allowed,
/// and the device can reach all memory — UNSAFE.
/// </summary>
internal sealed class NoIommuBackend : GroupBackend
{
    public NoIommuBackend(IKernel kernel, VfioSysfs sysfs) : base(kernel, sysfs) { }

    public override VfioMode Mode => VfioMode.NoIommu;

    public override bool PartialUnmap => true;

    private protected override uint IommuType => VfioConstants.NoiommuIommu;

    private protected override string IommuTypeName => "VFIO_NOIOMMU_IOMMU";

    private protected override string MissingTypeFix => "enable it with 'echo Y > /sys/module/vfio/parameters/enable_unsafe_noiommu_mode' (unsafe) or use an IOMMU";

    private protected override string GroupNode(int group) => Sysfs.NoIommuGroupPath(group);

    public override int Map(VfioContainerState state, ulong va, ulong iova, ulong length) => 0;

    public override int Unmap(VfioContainerState state, ulong iova, ulong length, out ulong unmapped)
    {
        unmapped = length;
        return 0;
    }

    public override IReadOnlyList<VfioIovaRange> GetIovaRanges(VfioContainerState state) =>
        [new VfioIovaRange { Start = 0, End = ulong.MaxValue }];
}
