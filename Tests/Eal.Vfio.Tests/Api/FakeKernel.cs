using System.Runtime.InteropServices;
using System.Text;
using Eal.Platform;
using Eal.Vfio.Native;
using Eal.Vfio.Uapi;

namespace Eal.Vfio.Tests.Api;

/// <summary>
/// A small scripted kernel for call-order, error-mapping and rollback tests of the VFIO API: it answers the VFIO and
/// IOMMUFD ioctls with just enough state (fds by kind, type1/IOAS mapping tables), records every call, tracks open
/// fds, and fails the n-th call (or every call of one kind) with a chosen errno. It is not the emulated kernel: it
/// checks little, on purpose, so that the tests can aim at the manager's own logic.
/// </summary>
internal sealed unsafe class FakeKernel : IKernel
{
    private enum Kind { Container, Group, Device, Iommufd, Cdev, EventFd }

    private readonly Dictionary<int, (Kind Kind, string Path)> _fds = [];
    private readonly HashSet<int> _groupsWithContainer = [];
    private int _nextFd = 100;
    private int _callCount;

    public List<string> Calls { get; } = [];
    public SortedDictionary<ulong, (ulong Va, ulong Length)> Type1Maps { get; } = [];
    public SortedDictionary<ulong, (ulong Va, ulong Length)> IoasMaps { get; } = [];
    public bool GroupViable { get; set; } = true;
    public uint? IommuTypeSet { get; private set; }
    public int FailAtCall { get; set; } = -1;
    public int FailErrno { get; set; } = Errno.EIO;
    public Dictionary<string, int> FailCallNamed { get; } = [];
    public int OpenFds => _fds.Count;
    public IEnumerable<string> OpenPaths => _fds.Values.Select(v => v.Path);
    public int Calls_ => _callCount;

    private bool Inject(string name, out int errno)
    {
        _callCount++;
        Calls.Add(name);
        if (_callCount == FailAtCall) { errno = FailErrno; return true; }
        return FailCallNamed.TryGetValue(name, out errno);
    }

    public int Open(string path, int flags)
    {
        string name = "open " + ShortPath(path);
        if (Inject(name, out int e)) return -e;
        Kind kind = path.EndsWith("/vfio/vfio", StringComparison.Ordinal) ? Kind.Container
            : path.EndsWith("/iommu", StringComparison.Ordinal) ? Kind.Iommufd
            : path.Contains("/vfio/devices/", StringComparison.Ordinal) ? Kind.Cdev
            : Kind.Group;
        if (!File.Exists(path)) return -Errno.ENOENT;
        int fd = _nextFd++;
        _fds[fd] = (kind, ShortPath(path));
        return fd;
    }

    private static string ShortPath(string path)
    {
        int i = path.LastIndexOf("/dev/", StringComparison.Ordinal);
        return i < 0 ? path : path[i..];
    }

    public int Close(int fd)
    {
        Calls.Add("close " + (_fds.TryGetValue(fd, out var f) ? f.Path : fd.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        if (!_fds.Remove(fd)) return -Errno.EBADF;
        if (f.Kind == Kind.Container) { Type1Maps.Clear(); IommuTypeSet = null; }
        if (f.Kind == Kind.Iommufd) IoasMaps.Clear();
        _groupsWithContainer.Remove(fd);
        return 0;
    }

    public int IoctlValue(int fd, ulong request, nint value) => Ioctl(fd, request, (void*)value);

    public int Ioctl(int fd, ulong request, void* arg)
    {
        if (!_fds.TryGetValue(fd, out var f)) return -Errno.EBADF;
        string name = Name(f.Kind, request);
        if (Inject(name, out int e)) return -e;
        switch (f.Kind, request)
        {
            case (Kind.Container, VfioIoctl.GetApiVersion): return 0;
            case (Kind.Container, VfioIoctl.CheckExtension): return 1;
            case (Kind.Container, VfioIoctl.SetIommu):
                if (IommuTypeSet is not null) return -Errno.EBUSY;
                IommuTypeSet = (uint)(nint)arg;
                return 0;
            case (Kind.Group, VfioIoctl.GroupGetStatus):
                ((VfioGroupStatus*)arg)->Flags = (GroupViable ? VfioConstants.GroupFlagsViable : 0) | (_groupsWithContainer.Contains(fd) ? VfioConstants.GroupFlagsContainerSet : 0);
                return 0;
            case (Kind.Group, VfioIoctl.GroupSetContainer):
                if (!_fds.TryGetValue(*(int*)arg, out var c) || c.Kind != Kind.Container) return -Errno.EBADF;
                _groupsWithContainer.Add(fd);
                return 0;
            case (Kind.Group, VfioIoctl.GroupUnsetContainer):
                if (!_groupsWithContainer.Remove(fd)) return -Errno.EINVAL;
                if (_groupsWithContainer.Count == 0) { IommuTypeSet = null; Type1Maps.Clear(); }
                return 0;
            case (Kind.Group, VfioIoctl.GroupGetDeviceFd):
                string dev = Marshal.PtrToStringUTF8((nint)arg)!;
                Calls[^1] += " " + dev;
                int dfd = _nextFd++;
                _fds[dfd] = (Kind.Device, "device " + dev);
                return dfd;
            case (Kind.Cdev, VfioIoctl.DeviceBindIommufd):
                var bind = (VfioDeviceBindIommufd*)arg;
                if (!_fds.TryGetValue(bind->Iommufd, out var i) || i.Kind != Kind.Iommufd) return -Errno.EBADF;
                bind->OutDevid = 42;
                return 0;
            case (Kind.Cdev, VfioIoctl.DeviceAttachIommufdPt):
                return ((VfioDeviceAttachIommufdPt*)arg)->PtId == 7 ? 0 : -Errno.ENOENT;
            case (Kind.Device or Kind.Cdev, VfioIoctl.DeviceGetInfo):
                var info = (VfioDeviceInfo*)arg;
                info->Flags = VfioConstants.DeviceFlagsPci | VfioConstants.DeviceFlagsReset;
                info->NumRegions = 9;
                info->NumIrqs = 5;
                return 0;
            case (Kind.Device or Kind.Cdev, VfioIoctl.DeviceGetRegionInfo):
                return RegionInfo((byte*)arg);
            case (Kind.Device or Kind.Cdev, VfioIoctl.DeviceGetIrqInfo):
                var irq = (VfioIrqInfo*)arg;
                irq->Flags = VfioConstants.IrqInfoEventfd;
                irq->Count = irq->Index == VfioConstants.PciMsixIrqIndex ? 8u : 1u;
                return 0;
            case (Kind.Device or Kind.Cdev, VfioIoctl.DeviceSetIrqs):
                var set = (VfioIrqSet*)arg;
                Calls[^1] += $" flags=0x{set->Flags:x} index={set->Index} start={set->Start} count={set->Count}";
                return 0;
            case (Kind.Device or Kind.Cdev, VfioIoctl.DeviceReset): return 0;
            case (Kind.Container, VfioIoctl.IommuMapDma):
                var map = (VfioIommuType1DmaMap*)arg;
                if (IommuTypeSet is null) return -Errno.EINVAL;
                return Add(Type1Maps, map->Vaddr, map->Iova, map->Size);
            case (Kind.Container, VfioIoctl.IommuUnmapDma):
                var unmap = (VfioIommuType1DmaUnmap*)arg;
                unmap->Size = Remove(Type1Maps, unmap->Iova, unmap->Size);
                return 0;
            case (Kind.Container, VfioIoctl.IommuGetInfo):
                return IommuInfo((byte*)arg);
            case (Kind.Iommufd, IommuFdIoctl.IoasAlloc):
                ((IommuIoasAlloc*)arg)->OutIoasId = 7;
                return 0;
            case (Kind.Iommufd, IommuFdIoctl.IoasMap):
                var im = (IommuIoasMap*)arg;
                return im->IoasId != 7 ? -Errno.ENOENT : Add(IoasMaps, im->UserVa, im->Iova, im->Length);
            case (Kind.Iommufd, IommuFdIoctl.IoasUnmap):
                var iu = (IommuIoasUnmap*)arg;
                iu->Length = Remove(IoasMaps, iu->Iova, iu->Length);
                return iu->Length == 0 ? -Errno.ENOENT : 0;
            case (Kind.Iommufd, IommuFdIoctl.IoasIovaRanges):
                var q = (IommuIoasIovaRanges*)arg;
                uint room = q->NumIovas;
                q->NumIovas = 2;
                if (room < 2) return -Errno.EMSGSIZE;
                var r = (IommuIovaRange*)q->AllowedIovas;
                r[0] = new IommuIovaRange { Start = 0, Last = 0xfedfffff };
                r[1] = new IommuIovaRange { Start = 0xfef00000, Last = 0xffffffffffff };
                return 0;
            default:
                return -Errno.ENOTTY;
        }
    }

    private static int Add(SortedDictionary<ulong, (ulong Va, ulong Length)> maps, ulong va, ulong iova, ulong length)
    {
        foreach (var (k, v) in maps)
        {
            if (k < iova + length && iova < k + v.Length) return -Errno.EEXIST;
        }

        maps[iova] = (va, length);
        return 0;
    }

    private static ulong Remove(SortedDictionary<ulong, (ulong Va, ulong Length)> maps, ulong iova, ulong length)
    {
        ulong removed = 0;
        foreach (var (k, v) in maps.ToArray())
        {
            if (k >= iova && k + v.Length <= iova + length)
            {
                maps.Remove(k);
                removed += v.Length;
            }
        }

        return removed;
    }

    private static int RegionInfo(byte* p)
    {
        var info = (VfioRegionInfo*)p;
        info->Size = info->Index switch { 0 => 0x100000, 7 => 256, _ => 0 };
        info->Offset = (ulong)info->Index << 40;
        info->Flags = VfioConstants.RegionInfoFlagRead | VfioConstants.RegionInfoFlagWrite | (info->Index == 0 ? VfioConstants.RegionInfoFlagMmap : 0);
        if (info->Index != 0) return 0;
        // BAR0: a sparse-mmap capability (two areas around a trapped hole) then MSI-X mappable.
        uint sparseAt = 32, msixAt = 32 + 16 + 32, need = msixAt + 8;
        info->Flags |= VfioConstants.RegionInfoFlagCaps;
        if (info->Argsz < need)
        {
            info->Argsz = need;
            info->CapOffset = 0;
            return 0;
        }

        info->CapOffset = sparseAt;
        var sparse = (VfioRegionInfoCapSparseMmap*)(p + sparseAt);
        sparse->Header = new VfioInfoCapHeader { Id = VfioConstants.RegionInfoCapSparseMmap, Version = 1, Next = msixAt };
        sparse->NrAreas = 2;
        var areas = (VfioRegionSparseMmapArea*)(p + sparseAt + 16);
        areas[0] = new VfioRegionSparseMmapArea { Offset = 0, Size = 0x2000 };
        areas[1] = new VfioRegionSparseMmapArea { Offset = 0x3000, Size = 0xfd000 };
        *(VfioInfoCapHeader*)(p + msixAt) = new VfioInfoCapHeader { Id = VfioConstants.RegionInfoCapMsixMappable, Version = 1, Next = 0 };
        return 0;
    }

    private static int IommuInfo(byte* p)
    {
        var info = (VfioIommuType1Info*)p;
        uint need = 24 + 16 + 16;
        info->Flags = VfioConstants.IommuInfoPgsizes | VfioConstants.IommuInfoCaps;
        info->IovaPgsizes = 0x40201000;
        if (info->Argsz < need)
        {
            info->Argsz = need;
            return 0;
        }

        info->CapOffset = 24;
        var cap = (VfioIommuType1InfoCapIovaRange*)(p + 24);
        cap->Header = new VfioInfoCapHeader { Id = VfioConstants.IommuType1InfoCapIovaRange, Version = 1, Next = 0 };
        cap->NrIovas = 1;
        ((VfioIovaRange*)(p + 40))[0] = new VfioIovaRange { Start = 0, End = 0x7fffffffff };
        return 0;
    }

    private static string Name(Kind kind, ulong request) => (kind, request) switch
    {
        (Kind.Container, VfioIoctl.GetApiVersion) => "VFIO_GET_API_VERSION",
        (Kind.Container, VfioIoctl.CheckExtension) => "VFIO_CHECK_EXTENSION",
        (Kind.Container, VfioIoctl.SetIommu) => "VFIO_SET_IOMMU",
        (Kind.Container, VfioIoctl.IommuMapDma) => "VFIO_IOMMU_MAP_DMA",
        (Kind.Container, VfioIoctl.IommuUnmapDma) => "VFIO_IOMMU_UNMAP_DMA",
        (Kind.Container, VfioIoctl.IommuGetInfo) => "VFIO_IOMMU_GET_INFO",
        (Kind.Group, VfioIoctl.GroupGetStatus) => "VFIO_GROUP_GET_STATUS",
        (Kind.Group, VfioIoctl.GroupSetContainer) => "VFIO_GROUP_SET_CONTAINER",
        (Kind.Group, VfioIoctl.GroupUnsetContainer) => "VFIO_GROUP_UNSET_CONTAINER",
        (Kind.Group, VfioIoctl.GroupGetDeviceFd) => "VFIO_GROUP_GET_DEVICE_FD",
        (Kind.Cdev, VfioIoctl.DeviceBindIommufd) => "VFIO_DEVICE_BIND_IOMMUFD",
        (Kind.Cdev, VfioIoctl.DeviceAttachIommufdPt) => "VFIO_DEVICE_ATTACH_IOMMUFD_PT",
        (_, VfioIoctl.DeviceGetInfo) => "VFIO_DEVICE_GET_INFO",
        (_, VfioIoctl.DeviceGetRegionInfo) => "VFIO_DEVICE_GET_REGION_INFO",
        (_, VfioIoctl.DeviceGetIrqInfo) => "VFIO_DEVICE_GET_IRQ_INFO",
        (_, VfioIoctl.DeviceSetIrqs) => "VFIO_DEVICE_SET_IRQS",
        (_, VfioIoctl.DeviceReset) => "VFIO_DEVICE_RESET",
        (Kind.Iommufd, IommuFdIoctl.IoasAlloc) => "IOMMU_IOAS_ALLOC",
        (Kind.Iommufd, IommuFdIoctl.IoasMap) => "IOMMU_IOAS_MAP",
        (Kind.Iommufd, IommuFdIoctl.IoasUnmap) => "IOMMU_IOAS_UNMAP",
        (Kind.Iommufd, IommuFdIoctl.IoasIovaRanges) => "IOMMU_IOAS_IOVA_RANGES",
        _ => $"ioctl 0x{request:x}",
    };

    public nint PRead(int fd, void* buffer, nuint count, long offset)
    {
        if (!_fds.ContainsKey(fd)) return -Errno.EBADF;
        var span = new Span<byte>(buffer, (int)count);
        span.Clear();
        if (offset == 7L << 40 && count >= 4) { span[0] = 0x86; span[1] = 0x80; span[2] = 0x72; span[3] = 0x15; }
        return (nint)count;
    }

    public nint PWrite(int fd, void* buffer, nuint count, long offset)
    {
        if (!_fds.ContainsKey(fd)) return -Errno.EBADF;
        Calls.Add($"pwrite 0x{offset:x} {count}");
        return (nint)count;
    }

    public nint Read(int fd, void* buffer, nuint count) => -Errno.EAGAIN;
    public nint Write(int fd, void* buffer, nuint count) => (nint)count;
    public nint Mmap(nint address, nuint length, int protection, int flags, int fd, long offset) => -Errno.ENODEV;
    public int Munmap(nint address, nuint length) => 0;

    public int EventFd(uint initialValue, int flags)
    {
        int fd = _nextFd++;
        _fds[fd] = (Kind.EventFd, "eventfd");
        return fd;
    }

    public int Poll(int fd, short events, int timeoutMilliseconds) => 0;
}
