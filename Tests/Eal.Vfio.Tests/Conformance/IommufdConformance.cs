using Eal.Vfio.Native;
using Eal.Vfio.Uapi;

namespace Eal.Vfio.Tests.Conformance;

/// <summary>IOMMUFD and device cdev rules (cdev flavour).</summary>
public abstract unsafe class IommufdConformance : ConformanceBase
{
    /// <inheritdoc />
    protected override VfioFlavour Flavour => VfioFlavour.Cdev;

    [Test]
    public void IoasAllocChecksFlagsSizeAndTail()
    {
        int fd = OpenIommufd();
        AssertErrno(IoasAlloc(fd, out _, flags: 1), Errno.EOPNOTSUPP, "IOAS_ALLOC flags 1");
        AssertErrno(IoasAlloc(fd, out _, size: 8), Errno.EINVAL, "IOAS_ALLOC size 8");
        var tail = stackalloc uint[4] { 16, 0, 0, 1 };
        AssertErrno(K.Ioctl(fd, IommuFdIoctl.IoasAlloc, tail), Errno.E2BIG, "non-zero tail past the known struct");
        tail[3] = 0;
        Assert.That(K.Ioctl(fd, IommuFdIoctl.IoasAlloc, tail), Is.EqualTo(0), "a zero tail is accepted");
        Assert.That(tail[2], Is.GreaterThan(0u));
        AssertErrno(K.Ioctl(fd, 0x3B00 | 0xa0, tail), Errno.ENOTTY, "unknown IOMMUFD command");
    }

    [Test]
    public void CdevGrantsNothingBeforeBind()
    {
        int d = OpenCdev();
        var info = new VfioDeviceInfo { Argsz = 24 };
        AssertErrno(K.Ioctl(d, VfioIoctl.DeviceGetInfo, &info), Errno.EINVAL, "GET_INFO before bind");
        AssertErrno(K.IoctlValue(d, 0x3B00 | 140, 0), Errno.EINVAL, "unknown ioctl before bind");
        AssertErrno(AttachCdev(d, 1, out _), Errno.EINVAL, "ATTACH before bind");
    }

    [Test]
    public void BindRules()
    {
        var (fd, _) = IommufdWithIoas();
        int d = OpenCdev();
        AssertErrno(BindCdev(d, fd, out _, argsz: 12), Errno.EINVAL, "BIND argsz 12");
        AssertErrno(BindCdev(d, fd, out _, flags: 2), Errno.EINVAL, "BIND unknown flag");
        AssertErrno(BindCdev(d, 999_999, out _), Errno.EBADF, "BIND to a closed fd");
        int ev = Keep(K.EventFd(0, 0), "eventfd");
        AssertErrno(BindCdev(d, ev, out _), Errno.EBADFD, "BIND to an eventfd");
        Assert.That(BindCdev(d, fd, out uint devid), Is.EqualTo(0));
        Assert.That(devid, Is.GreaterThan(0u));
        AssertErrno(BindCdev(d, fd, out _), Errno.EINVAL, "second BIND");
        AssertErrno(K.Open(Dev($"vfio/{T.Group}"), LibC.OpenReadWrite), Errno.EBUSY, "group open while its device is bound");
        var info = new VfioDeviceInfo { Argsz = 16 };
        Assert.That(K.Ioctl(d, VfioIoctl.DeviceGetInfo, &info), Is.EqualTo(0), "GET_INFO after bind, before attach");
    }

    [Test]
    public void BindWhileTheGroupIsOpenIsEbusy()
    {
        var (fd, _) = IommufdWithIoas();
        OpenGroup();
        int d = OpenCdev();
        AssertErrno(BindCdev(d, fd, out _), Errno.EBUSY, "BIND while the group is open");
    }

    [Test]
    public void AttachDetachAndDestroyRules()
    {
        var (fd, ioas) = IommufdWithIoas();
        Assert.That(IoasAlloc(fd, out uint spare), Is.EqualTo(0));
        int d = OpenCdev();
        Assert.That(BindCdev(d, fd, out uint devid), Is.EqualTo(0));
        Assert.That(DetachCdev(d), Is.EqualTo(0), "DETACH when not attached");
        AssertErrno(AttachCdev(d, 999, out _), Errno.ENOENT, "ATTACH to an unknown id");
        AssertErrno(AttachCdev(d, devid, out _), Errno.EINVAL, "ATTACH to a device id");
        AssertErrno(AttachCdev(d, ioas, out _, argsz: 8), Errno.EINVAL, "ATTACH argsz 8");
        AssertErrno(AttachCdev(d, ioas, out _, flags: 2), Errno.EINVAL, "ATTACH unknown flag");
        Assert.That(AttachCdev(d, ioas, out uint hwpt), Is.EqualTo(0));
        Assert.That(hwpt, Is.Not.EqualTo(ioas), "attaching an IOAS reports the automatic HWPT");
        AssertErrno(Destroy(fd, ioas), Errno.EBUSY, "DESTROY of an IOAS in use");
        AssertErrno(Destroy(fd, hwpt), Errno.EBUSY, "DESTROY of an attached HWPT");
        AssertErrno(Destroy(fd, devid), Errno.EBUSY, "DESTROY of a bound device");
        AssertErrno(Destroy(fd, 999), Errno.ENOENT, "DESTROY of an unknown id");
        Assert.That(Destroy(fd, spare), Is.EqualTo(0));
        Assert.That(DetachCdev(d), Is.EqualTo(0));
        AssertErrno(Destroy(fd, hwpt), Errno.ENOENT, "the automatic HWPT dies with its last device");
        Assert.That(Destroy(fd, ioas), Is.EqualTo(0));
    }

    [Test]
    public void IovaRangesReportsCountWithEmsgsizeAndExcludesTheMsiWindow()
    {
        var (fd, ioas) = IommufdWithIoas();
        int d = OpenCdev();
        Assert.That(BindCdev(d, fd, out _), Is.EqualTo(0));
        Assert.That(AttachCdev(d, ioas, out _), Is.EqualTo(0));
        var ranges = new IommuIovaRange[8];
        fixed (IommuIovaRange* r = ranges)
        {
            var cmd = new IommuIoasIovaRanges { Size = 32, IoasId = ioas, NumIovas = 0, AllowedIovas = (ulong)r };
            AssertErrno(K.Ioctl(fd, IommuFdIoctl.IoasIovaRanges, &cmd), Errno.EMSGSIZE, "IOVA_RANGES with no room");
            Assert.That(cmd.NumIovas, Is.EqualTo(2u));
            Assert.That(cmd.OutIovaAlignment, Is.EqualTo(4096UL));
            cmd.NumIovas = 8;
            Assert.That(K.Ioctl(fd, IommuFdIoctl.IoasIovaRanges, &cmd), Is.EqualTo(0));
            Assert.That(ranges[0].Start, Is.EqualTo(0UL));
            Assert.That(ranges[0].Last, Is.EqualTo(0xfedfffffUL));
            Assert.That(ranges[1].Start, Is.EqualTo(0xfef00000UL));
            cmd.Reserved = 1;
            AssertErrno(K.Ioctl(fd, IommuFdIoctl.IoasIovaRanges, &cmd), Errno.EOPNOTSUPP, "IOVA_RANGES with __reserved set");
        }
    }

    [Test]
    public void IoasMapRules()
    {
        var (fd, ioas) = IommufdWithIoas();
        int d = OpenCdev();
        Assert.That(BindCdev(d, fd, out _), Is.EqualTo(0));
        Assert.That(AttachCdev(d, ioas, out uint hwpt), Is.EqualTo(0));
        ulong va = Buffer();
        const ulong iova = 0x100000;
        Assert.That(IoasMap(fd, ioas, iova, va, 0x2000, out _), Is.EqualTo(0));
        AssertErrno(IoasMap(fd, ioas, iova, va, 0x2000, out _), Errno.EEXIST, "overlapping map");
        AssertErrno(IoasMap(fd, ioas, 0x200800, va, 0x2000, out _), Errno.EINVAL, "unaligned iova");
        AssertErrno(IoasMap(fd, ioas, 0x300000, va + 0x800, 0x2000, out _), Errno.EINVAL, "unaligned user_va");
        AssertErrno(IoasMap(fd, ioas, 0x300000, va, 0x800, out _), Errno.EINVAL, "unaligned length");
        AssertErrno(IoasMap(fd, ioas, 0x300000, va, 0, out _), Errno.EINVAL, "zero length");
        AssertErrno(IoasMap(fd, ioas, 0xfffffffffffff000, va, 0x2000, out _), Errno.EOVERFLOW, "wrap past 2^64");
        AssertErrno(IoasMap(fd, ioas, 0xfee00000, va, 0x2000, out _), Errno.EINVAL, "MSI window");
        AssertErrno(IoasMap(fd, ioas, 1UL << 50, va, 0x2000, out _), Errno.EINVAL, "beyond the aperture");
        AssertErrno(IoasMap(fd, ioas, 0x300000, va, 0x2000, out _, flags: 0x17), Errno.EOPNOTSUPP, "unknown flag");
        AssertErrno(IoasMap(fd, ioas, 0x300000, va, 0x2000, out _, flags: 1), Errno.EINVAL, "neither readable nor writeable");
        AssertErrno(IoasMap(fd, ioas, 0x300000, va, 0x2000, out _, reserved: 1), Errno.EOPNOTSUPP, "__reserved set");
        AssertErrno(IoasMap(fd, 999, 0x300000, va, 0x2000, out _), Errno.ENOENT, "unknown IOAS");
        AssertErrno(IoasMap(fd, hwpt, 0x300000, va, 0x2000, out _), Errno.ENOENT, "a HWPT id is not an IOAS");
        AssertErrno(IoasMap(fd, ioas, 0x400000, 0x1000, 0x2000, out _), Errno.EFAULT, "unmapped user memory");
        Assert.That(IoasMap(fd, ioas, 0, va + 0x10000, 0x3000, out ulong auto1, flags: 6), Is.EqualTo(0));
        Assert.That(IoasMap(fd, ioas, 0, va + 0x20000, 0x1000, out ulong auto2, flags: 6), Is.EqualTo(0));
        Assert.That(auto1, Is.Not.EqualTo(0UL), "the kernel never hands out IOVA 0");
        Assert.That(auto1 % 4096, Is.EqualTo(0UL));
        Assert.That(auto2 >= auto1 + 0x3000 || auto2 + 0x1000 <= auto1, Is.True, "kernel-chosen IOVAs do not overlap");
    }

    [Test]
    public void IoasUnmapRules()
    {
        var (fd, ioas) = IommufdWithIoas();
        ulong va = Buffer();
        const ulong iova = 0x100000;
        Assert.That(IoasMap(fd, ioas, iova, va, 0x2000, out _), Is.EqualTo(0));
        Assert.That(IoasMap(fd, ioas, iova + 0x10000, va + 0x10000, 0x1000, out _), Is.EqualTo(0));
        AssertErrno(IoasUnmap(fd, ioas, iova, 0x1000, out _), Errno.ENOENT, "unmap cutting a mapping");
        AssertErrno(IoasUnmap(fd, ioas, 0x800000, 0x1000, out _), Errno.ENOENT, "unmap of an empty range");
        AssertErrno(IoasUnmap(fd, ioas, iova, 0, out _), Errno.EINVAL, "zero length");
        AssertErrno(IoasUnmap(fd, ioas, 0xfffffffffffff000, 0x2000, out _), Errno.EOVERFLOW, "wrap past 2^64");
        AssertErrno(IoasUnmap(fd, 999, iova, 0x1000, out _), Errno.ENOENT, "unknown IOAS");
        Assert.That(IoasUnmap(fd, ioas, 0, 0x200000, out ulong superset), Is.EqualTo(0));
        Assert.That(superset, Is.EqualTo(0x3000UL));
        Assert.That(IoasMap(fd, ioas, iova, va, 0x2000, out _), Is.EqualTo(0));
        Assert.That(IoasUnmap(fd, ioas, 0, ulong.MaxValue, out ulong all), Is.EqualTo(0));
        Assert.That(all, Is.EqualTo(0x2000UL));
        Assert.That(IoasUnmap(fd, ioas, 0, ulong.MaxValue, out ulong empty), Is.EqualTo(0), "unmap-all of an empty IOAS succeeds");
        Assert.That(empty, Is.EqualTo(0UL));
    }
}
