using Eal.Platform;
using Eal.Vfio.Native;
using Eal.Vfio.Uapi;

namespace Eal.Vfio.Backends;

/// <summary>
/// cdev mode: <c>/dev/iommu</c> with one IOAS per container (<c>IOMMU_IOAS_ALLOC</c>), devices
/// <c>/dev/vfio/devices/vfioN</c> bound (<c>VFIO_DEVICE_BIND_IOMMUFD</c>) and attached
/// (<c>VFIO_DEVICE_ATTACH_IOMMUFD_PT</c>) to it, DMA with <c>IOMMU_IOAS_MAP</c>/<c>UNMAP</c>. The IOAS keeps its
/// mappings whatever devices come and go, so nothing needs replaying.
/// </summary>
internal sealed unsafe class CdevBackend : IVfioBackend
{
    private readonly IKernel _kernel;
    private readonly VfioSysfs _sysfs;

    public CdevBackend(IKernel kernel, VfioSysfs sysfs)
    {
        _kernel = kernel;
        _sysfs = sysfs;
    }

    public VfioMode Mode => VfioMode.Cdev;

    public bool PartialUnmap => false;

    public (string Map, string Unmap) CallNames => ("IOMMU_IOAS_MAP", "IOMMU_IOAS_UNMAP");

    public VfioContainerState OpenContainer()
    {
        string path = _sysfs.IommufdPath;
        int fd = _kernel.Open(path, LibC.OpenReadWrite);
        if (fd < 0)
        {
            throw VfioException.Create("open " + path, -fd, fix: -fd switch
            {
                Errno.ENOENT => "the kernel has no IOMMUFD (CONFIG_IOMMUFD); load the iommufd module or use --vfio-mode=group",
                Errno.EACCES or Errno.EPERM => "run as root or give this user access to /dev/iommu",
                _ => null,
            });
        }

        var alloc = new IommuIoasAlloc { Size = (uint)sizeof(IommuIoasAlloc) };
        int r = _kernel.Ioctl(fd, IommuFdIoctl.IoasAlloc, &alloc);
        if (r < 0)
        {
            _kernel.Close(fd);
            throw VfioException.Create("IOMMU_IOAS_ALLOC on " + path, -r);
        }

        return new CdevContainer(fd, alloc.OutIoasId);
    }

    public void CloseContainer(VfioContainerState state)
    {
        var c = (CdevContainer)state;
        // Closing /dev/iommu destroys the IOAS and its mappings; devices were closed before (auto-unbind).
        c.DeviceIds.Clear();
        _kernel.Close(c.IommuFd);
    }

    public bool IsDmaReady(VfioContainerState state) => true;

    public int AttachDevice(VfioContainerState state, in DeviceTarget target, out bool becameReady)
    {
        var c = (CdevContainer)state;
        becameReady = false;
        int index = target.CdevIndex ?? throw new InvalidOperationException("cdev backend without a cdev index");
        string path = _sysfs.CdevPath(index);
        int fd = _kernel.Open(path, LibC.OpenReadWrite);
        if (fd < 0)
        {
            int e = -fd;
            throw VfioException.Create("open " + path, e, target.Address, fix: e switch
            {
                Errno.ENOENT => $"bind {target.Address} to vfio-pci; the kernel needs CONFIG_VFIO_DEVICE_CDEV (or use --vfio-mode=group)",
                Errno.EBUSY => $"{target.Address} is already open in another process",
                Errno.EACCES or Errno.EPERM => $"run as root or give this user access to {path}",
                _ => null,
            });
        }

        try
        {
            Guid token = target.VfToken ?? Guid.Empty;
            byte* uuid = stackalloc byte[16];
            WriteUuid(token, new Span<byte>(uuid, 16));
            var bind = new VfioDeviceBindIommufd
            {
                Argsz = (uint)sizeof(VfioDeviceBindIommufd),
                Flags = target.VfToken is null ? 0 : VfioConstants.DeviceBindFlagToken,
                Iommufd = c.IommuFd,
                TokenUuidPtr = target.VfToken is null ? 0 : (ulong)uuid,
            };
            int r = _kernel.Ioctl(fd, VfioIoctl.DeviceBindIommufd, &bind);
            if (r < 0)
            {
                throw VfioException.Create("VFIO_DEVICE_BIND_IOMMUFD", -r, target.Address, fix: -r switch
                {
                    Errno.EINVAL when target.VfToken is not null => "binding with a VF token needs Linux 6.17 or later; use --vfio-mode=group",
                    Errno.EBUSY => $"{target.Address} is already bound to an iommufd",
                    Errno.EPERM or Errno.EACCES => "pass the VF token the PF owner configured (vf_token=<uuid>)",
                    _ => null,
                });
            }

            var attach = new VfioDeviceAttachIommufdPt { Argsz = (uint)sizeof(VfioDeviceAttachIommufdPt), PtId = c.IoasId };
            r = _kernel.Ioctl(fd, VfioIoctl.DeviceAttachIommufdPt, &attach);
            if (r < 0) throw VfioException.Create($"VFIO_DEVICE_ATTACH_IOMMUFD_PT (IOAS {c.IoasId})", -r, target.Address);
            c.DeviceIds[target.Address] = bind.OutDevid;
            return fd;
        }
        catch
        {
            _kernel.Close(fd); // closing the cdev unbinds it from the iommufd
            throw;
        }
    }

    private static void WriteUuid(Guid guid, Span<byte> destination)
    {
        // A UUID is 16 bytes in textual (big-endian) order, which is not Guid's in-memory layout.
        guid.TryWriteBytes(destination, bigEndian: true, out _);
    }

    public void DetachDevice(VfioContainerState state, in DeviceTarget target, int deviceFd)
    {
        ((CdevContainer)state).DeviceIds.Remove(target.Address);
        _kernel.Close(deviceFd);
    }

    public int Map(VfioContainerState state, ulong va, ulong iova, ulong length)
    {
        var c = (CdevContainer)state;
        var map = new IommuIoasMap
        {
            Size = (uint)sizeof(IommuIoasMap),
            Flags = IommuFdConstants.IoasMapFixedIova | IommuFdConstants.IoasMapReadable | IommuFdConstants.IoasMapWriteable,
            IoasId = c.IoasId,
            UserVa = va,
            Length = length,
            Iova = iova,
        };
        int r = _kernel.Ioctl(c.IommuFd, IommuFdIoctl.IoasMap, &map);
        return r < 0 ? r : 0;
    }

    public int Unmap(VfioContainerState state, ulong iova, ulong length, out ulong unmapped)
    {
        var c = (CdevContainer)state;
        var unmap = new IommuIoasUnmap { Size = (uint)sizeof(IommuIoasUnmap), IoasId = c.IoasId, Iova = iova, Length = length };
        int r = _kernel.Ioctl(c.IommuFd, IommuFdIoctl.IoasUnmap, &unmap);
        unmapped = r < 0 ? 0 : unmap.Length;
        return r < 0 ? r : 0;
    }

    public IReadOnlyList<VfioIovaRange> GetIovaRanges(VfioContainerState state)
    {
        var c = (CdevContainer)state;
        uint capacity = 4;
        for (int attempt = 0; attempt < 8; attempt++)
        {
            var ranges = new IommuIovaRange[capacity];
            fixed (IommuIovaRange* p = ranges)
            {
                var q = new IommuIoasIovaRanges { Size = (uint)sizeof(IommuIoasIovaRanges), IoasId = c.IoasId, NumIovas = capacity, AllowedIovas = (ulong)p };
                int r = _kernel.Ioctl(c.IommuFd, IommuFdIoctl.IoasIovaRanges, &q);
                if (r == -Errno.EMSGSIZE && q.NumIovas > capacity)
                {
                    capacity = q.NumIovas; // the kernel says how many there are: ask again with room for all
                    continue;
                }

                if (r < 0) throw VfioException.Create($"IOMMU_IOAS_IOVA_RANGES (IOAS {c.IoasId})", -r);
                var result = new VfioIovaRange[Math.Min(q.NumIovas, capacity)];
                for (int i = 0; i < result.Length; i++) result[i] = new VfioIovaRange { Start = ranges[i].Start, End = ranges[i].Last };
                return result;
            }
        }

        throw VfioException.Create($"IOMMU_IOAS_IOVA_RANGES (IOAS {c.IoasId})", Errno.EMSGSIZE, detail: "the number of ranges kept growing");
    }
}
