using Eal.Vfio.Native;
using Eal.Vfio.Uapi;

namespace Eal.Vfio.Tests.Conformance;

/// <summary>Device fd rules (vfio-pci) on QEMU's edu (MSI, no reset), through the device fd of each flavour (group, cdev, no-IOMMU group).</summary>
public abstract unsafe class DeviceConformance(VfioFlavour flavour) : ConformanceBase
{
    /// <inheritdoc />
    protected override VfioFlavour Flavour => flavour;

    /// <inheritdoc />
    protected override ConformanceDevice? Function => ConformanceDevice.Edu;

    [Test]
    public void ResetWithoutResetSupportIsEinval()
    {
        int d = OpenDevice();
        var info = new VfioDeviceInfo { Argsz = 16 };
        Assert.That(K.Ioctl(d, VfioIoctl.DeviceGetInfo, &info), Is.EqualTo(0));
        Assert.That(info.Flags & VfioConstants.DeviceFlagsReset, Is.EqualTo(0u), "edu offers no reset");
        AssertErrno(K.Ioctl(d, VfioIoctl.DeviceReset, null), Errno.EINVAL, "RESET of a function without reset");
    }

    [Test]
    public void Bar0IsOneMebibyteAndAnswersTheEduId()
    {
        int d = OpenDevice();
        var region = new VfioRegionInfo { Argsz = 32, Index = 0 };
        Assert.That(K.Ioctl(d, VfioIoctl.DeviceGetRegionInfo, &region), Is.EqualTo(0));
        const uint readWrite = VfioConstants.RegionInfoFlagRead | VfioConstants.RegionInfoFlagWrite;
        // Linux also sets MMAP; the emulated kernel leaves it off for the trapped edu registers (a modelling difference)
        Assert.That((region.Size, region.Flags & readWrite), Is.EqualTo((1UL << 20, readWrite)));
        uint id;
        Assert.That(K.PRead(d, &id, 4, (long)region.Offset), Is.EqualTo((nint)4));
        Assert.That(id & 0xffff, Is.EqualTo(0x00edu), "edu's identification register ends in 0xed");
        AssertErrno(K.PRead(d, &id, 4, (long)region.Offset + (1L << 20)), Errno.EINVAL, "read past BAR0's end");
        region = new VfioRegionInfo { Argsz = 32, Index = VfioConstants.PciRomRegionIndex };
        Assert.That(K.Ioctl(d, VfioIoctl.DeviceGetRegionInfo, &region), Is.EqualTo(0));
        Assert.That(region.Size, Is.EqualTo(0UL), "edu has no ROM");
    }

    [Test]
    public void InfoAndRegionInfoRules()
    {
        int d = OpenDevice();
        var info = new VfioDeviceInfo { Argsz = 12 };
        AssertErrno(K.Ioctl(d, VfioIoctl.DeviceGetInfo, &info), Errno.EINVAL, "GET_INFO argsz 12");
        info.Argsz = 16;
        Assert.That(K.Ioctl(d, VfioIoctl.DeviceGetInfo, &info), Is.EqualTo(0));
        Assert.That(info.Flags & VfioConstants.DeviceFlagsPci, Is.EqualTo(VfioConstants.DeviceFlagsPci));
        Assert.That((info.NumRegions, info.NumIrqs), Is.EqualTo((9u, 5u)));
        var region = new VfioRegionInfo { Argsz = 32, Index = VfioConstants.PciVgaRegionIndex };
        AssertErrno(K.Ioctl(d, VfioIoctl.DeviceGetRegionInfo, &region), Errno.EINVAL, "VGA region of a non-VGA function");
        region.Index = 9;
        AssertErrno(K.Ioctl(d, VfioIoctl.DeviceGetRegionInfo, &region), Errno.EINVAL, "region 9");
        region = new VfioRegionInfo { Argsz = 16, Index = VfioConstants.PciConfigRegionIndex };
        AssertErrno(K.Ioctl(d, VfioIoctl.DeviceGetRegionInfo, &region), Errno.EINVAL, "GET_REGION_INFO argsz 16");
        region = new VfioRegionInfo { Argsz = 32, Index = VfioConstants.PciConfigRegionIndex };
        Assert.That(K.Ioctl(d, VfioIoctl.DeviceGetRegionInfo, &region), Is.EqualTo(0));
        Assert.That(region.Offset, Is.EqualTo(7UL << 40));
        Assert.That(region.Size, Is.AnyOf(256UL, 4096UL));
        region = new VfioRegionInfo { Argsz = 32, Index = 5 };
        Assert.That(K.Ioctl(d, VfioIoctl.DeviceGetRegionInfo, &region), Is.EqualTo(0));
        Assert.That((region.Size, region.Flags, region.Offset), Is.EqualTo((0UL, 0u, 5UL << 40)), "an unimplemented BAR has size 0, no flags");
    }

    [Test]
    public void ConfigAndRegionAccessRules()
    {
        int d = OpenDevice();
        uint v;
        Assert.That(K.PRead(d, &v, 4, 7L << 40), Is.EqualTo((nint)4));
        string vendor = File.ReadAllText(Path.Combine(SysfsDevice, "vendor")).Trim();
        Assert.That((v & 0xffff).ToString("x4", System.Globalization.CultureInfo.InvariantCulture), Is.EqualTo(vendor[2..]));
        var region = new VfioRegionInfo { Argsz = 32, Index = VfioConstants.PciConfigRegionIndex };
        K.Ioctl(d, VfioIoctl.DeviceGetRegionInfo, &region);
        AssertErrno(K.PRead(d, &v, 4, (7L << 40) + (long)region.Size), Errno.EFAULT, "config read at its end");
        AssertErrno(K.PRead(d, &v, 4, 9L << 40), Errno.EINVAL, "read of region 9");
        AssertErrno(K.Mmap(0, 4096, 1, 1, d, 7L << 40), Errno.EINVAL, "mmap of config space");
        AssertErrno(K.Mmap(0, 4096, 1, 2, d, 0), Errno.EINVAL, "private mmap of BAR0");
    }

    /// <summary>The device's sysfs directory (emulated or real).</summary>
    protected string SysfsDevice => T.Emulated is { } k ? Path.Combine(k.Platform.SysfsRoot, "bus/pci/devices", T.Device) : $"/sys/bus/pci/devices/{T.Device}";

    [Test]
    public void IrqRules()
    {
        int d = OpenDevice();
        var irq = new VfioIrqInfo { Argsz = 16, Index = 5 };
        AssertErrno(K.Ioctl(d, VfioIoctl.DeviceGetIrqInfo, &irq), Errno.EINVAL, "IRQ index 5");
        irq.Index = VfioConstants.PciMsiIrqIndex;
        Assert.That(K.Ioctl(d, VfioIoctl.DeviceGetIrqInfo, &irq), Is.EqualTo(0));
        Assert.That(irq.Flags, Is.EqualTo(VfioConstants.IrqInfoEventfd | VfioConstants.IrqInfoNoresize));
        const uint msi = VfioConstants.PciMsiIrqIndex, trigger = VfioConstants.IrqSetActionTrigger;
        AssertErrno(SetIrqs(d, VfioConstants.IrqSetDataNone | VfioConstants.IrqSetActionMask, msi, 0, 1), Errno.ENOTTY, "MSI mask");
        AssertErrno(SetIrqs(d, VfioConstants.IrqSetDataNone | trigger, msi, 0, 1), Errno.EINVAL, "MSI trigger while disabled");
        AssertErrno(SetIrqs(d, VfioConstants.IrqSetDataNone | trigger, msi, 0, 0), Errno.EINVAL, "MSI disable while disabled");
        AssertErrno(SetIrqs(d, VfioConstants.IrqSetDataNone | VfioConstants.IrqSetDataBool | trigger, msi, 0, 1), Errno.EINVAL, "two data types");
        AssertErrno(SetIrqs(d, VfioConstants.IrqSetDataEventfd | trigger, msi, 0, 1, argsz: 20), Errno.EINVAL, "eventfd payload missing");
        int notEventfd = Keep(K.Open("/dev/null", LibC.OpenReadWrite), "open /dev/null");
        AssertErrno(SetIrqs(d, VfioConstants.IrqSetDataEventfd | trigger, msi, 0, 1, [notEventfd]), Errno.EINVAL, "not an eventfd");
        AssertErrno(SetIrqs(d, VfioConstants.IrqSetDataEventfd | trigger, msi, 0, 1, [999_999]), Errno.EBADF, "closed fd");
        AssertErrno(SetIrqs(d, VfioConstants.IrqSetDataEventfd | trigger, msi, 1, 1, [-1]), Errno.EINVAL, "start past the vectors");
        AssertErrno(K.IoctlValue(d, 0x3B00 | 140, 0), Errno.ENOTTY, "unknown device ioctl");
        var bind = new VfioDeviceBindIommufd { Argsz = 16 };
        AssertErrno(K.Ioctl(d, VfioIoctl.DeviceBindIommufd, &bind), Errno.EINVAL, "BIND_IOMMUFD on a device fd from a group or already bound");
    }

    [Test]
    public void MsiLoopbackTriggerSignalsTheEventfd()
    {
        int d = OpenDevice();
        int ev = Keep(K.EventFd(0, LibC.EventFdNonBlock), "eventfd");
        const uint msi = VfioConstants.PciMsiIrqIndex, trigger = VfioConstants.IrqSetActionTrigger;
        Assert.That(SetIrqs(d, VfioConstants.IrqSetDataEventfd | trigger, msi, 0, 1, [ev]), Is.EqualTo(0));
        Assert.That(SetIrqs(d, VfioConstants.IrqSetDataNone | trigger, msi, 0, 1), Is.EqualTo(0));
        ulong count = 0;
        Assert.That(K.Poll(ev, LibC.PollIn, 1000), Is.EqualTo((int)LibC.PollIn));
        Assert.That(K.Read(ev, &count, 8), Is.EqualTo((nint)8));
        Assert.That(count, Is.EqualTo(1UL));
        Assert.That(SetIrqs(d, VfioConstants.IrqSetDataNone | trigger, msi, 0, 0), Is.EqualTo(0), "disable");
        AssertErrno(SetIrqs(d, VfioConstants.IrqSetDataNone | trigger, msi, 0, 1), Errno.EINVAL, "trigger after disable");
    }
}
