using Eal.Vfio.Native;
using Eal.Vfio.Uapi;

namespace Eal.Vfio.Tests.Conformance;

/// <summary>Container, group and type1v2 rules (group flavour).</summary>
public abstract unsafe class Type1Conformance : ConformanceBase
{
    /// <inheritdoc />
    protected override VfioFlavour Flavour => VfioFlavour.Group;

    private const ulong Iova = 0x100000;

    [Test]
    public void ApiVersionIsZeroAndExtensionsAreTheType1Ones()
    {
        int c = OpenContainer();
        Assert.That(K.IoctlValue(c, VfioIoctl.GetApiVersion, 0), Is.EqualTo(0));
        Assert.That(K.IoctlValue(c, VfioIoctl.CheckExtension, (nint)VfioConstants.Type1Iommu), Is.EqualTo(1));
        Assert.That(K.IoctlValue(c, VfioIoctl.CheckExtension, (nint)VfioConstants.Type1v2Iommu), Is.EqualTo(1));
        Assert.That(K.IoctlValue(c, VfioIoctl.CheckExtension, (nint)VfioConstants.UnmapAll), Is.EqualTo(1));
        Assert.That(K.IoctlValue(c, VfioIoctl.CheckExtension, (nint)VfioConstants.NoiommuIommu), Is.EqualTo(0));
        Assert.That(K.IoctlValue(c, VfioIoctl.CheckExtension, 77), Is.EqualTo(0));
    }

    [Test]
    public void ContainerWithoutIommuDriverAnswersEinvalThenDriverAnswersEnotty()
    {
        int c = OpenContainer();
        AssertErrno(K.IoctlValue(c, 0x3B00 | 140, 0), Errno.EINVAL, "unknown ioctl, no driver");
        AssertErrno(Map(c, Iova, Buffer(), 0x2000), Errno.EINVAL, "MAP_DMA before SET_IOMMU");
        AssertErrno(K.IoctlValue(c, VfioIoctl.SetIommu, (nint)VfioConstants.Type1v2Iommu), Errno.EINVAL, "SET_IOMMU before a group");
        var (container, _) = ContainerReady();
        AssertErrno(K.IoctlValue(container, 0x3B00 | 140, 0), Errno.ENOTTY, "unknown ioctl, type1");
    }

    [Test]
    public void SetIommuRules()
    {
        int c = OpenContainer(), g = OpenGroup();
        Assert.That(SetContainer(g, c), Is.EqualTo(0));
        AssertErrno(K.IoctlValue(c, VfioIoctl.SetIommu, 77), Errno.ENODEV, "SET_IOMMU 77");
        AssertErrno(K.IoctlValue(c, VfioIoctl.SetIommu, (nint)VfioConstants.NoiommuIommu), Errno.ENODEV, "SET_IOMMU no-IOMMU on an IOMMU group");
        Assert.That(K.IoctlValue(c, VfioIoctl.SetIommu, (nint)VfioConstants.Type1v2Iommu), Is.EqualTo(0));
        AssertErrno(K.IoctlValue(c, VfioIoctl.SetIommu, (nint)VfioConstants.Type1v2Iommu), Errno.EINVAL, "second SET_IOMMU");
    }

    [Test]
    public void GroupOpenRules()
    {
        OpenGroup();
        AssertErrno(K.Open(Dev($"vfio/{T.Group}"), LibC.OpenReadWrite), Errno.EBUSY, "second open of a group");
        AssertErrno(K.Open(Dev("vfio/999"), LibC.OpenReadWrite), Errno.ENOENT, "open of a group that does not exist");
    }

    [Test]
    public void GroupStatusAndContainerRules()
    {
        int c = OpenContainer(), g = OpenGroup();
        var st = new VfioGroupStatus { Argsz = 4 };
        AssertErrno(K.Ioctl(g, VfioIoctl.GroupGetStatus, &st), Errno.EINVAL, "GET_STATUS argsz 4");
        st.Argsz = 8;
        Assert.That(K.Ioctl(g, VfioIoctl.GroupGetStatus, &st), Is.EqualTo(0));
        Assert.That(st.Flags, Is.EqualTo(VfioConstants.GroupFlagsViable));
        AssertErrno(GetDeviceFd(g, T.Device), Errno.EINVAL, "GET_DEVICE_FD without a container");
        AssertErrno(K.Ioctl(g, VfioIoctl.GroupUnsetContainer, null), Errno.EINVAL, "UNSET_CONTAINER without one");
        AssertErrno(SetContainer(g, 999_999), Errno.EBADF, "SET_CONTAINER with a closed fd");
        int ev = Keep(K.EventFd(0, 0), "eventfd");
        AssertErrno(SetContainer(g, ev), Errno.EBADFD, "SET_CONTAINER with an eventfd");
        Assert.That(SetContainer(g, c), Is.EqualTo(0));
        AssertErrno(SetContainer(g, c), Errno.EINVAL, "second SET_CONTAINER");
        Assert.That(K.Ioctl(g, VfioIoctl.GroupGetStatus, &st), Is.EqualTo(0));
        Assert.That(st.Flags, Is.EqualTo(VfioConstants.GroupFlagsViable | VfioConstants.GroupFlagsContainerSet));
        AssertErrno(GetDeviceFd(g, T.Device), Errno.EINVAL, "GET_DEVICE_FD before SET_IOMMU");
    }

    [Test]
    public void GetDeviceFdRules()
    {
        var (_, g) = ContainerReady();
        AssertErrno(GetDeviceFd(g, "0000:99:00.0"), Errno.ENODEV, "unknown device name");
        AssertErrno(GetDeviceFd(g, T.Device + " vf_token=00000000-0000-0000-0000-000000000000"), Errno.EINVAL, "vf_token for a function that is no VF");
        int d = Keep(GetDeviceFd(g, T.Device), "GET_DEVICE_FD");
        AssertErrno(K.Ioctl(g, VfioIoctl.GroupUnsetContainer, null), Errno.EBUSY, "UNSET_CONTAINER with a device open");
        CloseNow(d);
        Assert.That(K.Ioctl(g, VfioIoctl.GroupUnsetContainer, null), Is.EqualTo(0));
    }

    [TestCase(0x200800UL, 0x2000UL, 3u, 32u, Errno.EINVAL, TestName = "Map_UnalignedIova_Einval")]
    [TestCase(0x300000UL, 0UL, 3u, 32u, Errno.EINVAL, TestName = "Map_ZeroSize_Einval")]
    [TestCase(0x300000UL, 0x2000UL, 0u, 32u, Errno.EINVAL, TestName = "Map_NoReadNoWrite_Einval")]
    [TestCase(0x300000UL, 0x2000UL, 0x13u, 32u, Errno.EINVAL, TestName = "Map_UnknownFlag_Einval")]
    [TestCase(0x300000UL, 0x2000UL, 3u, 16u, Errno.EINVAL, TestName = "Map_ArgszTooSmall_Einval")]
    [TestCase(0xfffffffffffff000UL, 0x2000UL, 3u, 32u, Errno.EINVAL, TestName = "Map_WrapPast2To64_Einval")]
    [TestCase(0xfee00000UL, 0x2000UL, 3u, 32u, Errno.EINVAL, TestName = "Map_MsiWindow_Einval")]
    [TestCase(1UL << 50, 0x2000UL, 3u, 32u, Errno.EINVAL, TestName = "Map_BeyondAperture_Einval")]
    public void MapRejects(ulong iova, ulong size, uint flags, uint argsz, int errno)
    {
        var (c, _) = ContainerReady();
        AssertErrno(Map(c, iova, Buffer(), size, flags, argsz), errno, $"MAP_DMA iova 0x{iova:x} size 0x{size:x} flags 0x{flags:x} argsz {argsz}");
    }

    [Test]
    public void MapOverlapIsEexistAndBadVaddrIsEfault()
    {
        var (c, _) = ContainerReady();
        ulong va = Buffer();
        Assert.That(Map(c, Iova, va, 0x2000), Is.EqualTo(0));
        AssertErrno(Map(c, Iova, va, 0x2000), Errno.EEXIST, "same range again");
        AssertErrno(Map(c, Iova + 0x1000, va + 0x10000, 0x2000), Errno.EEXIST, "overlapping the tail");
        AssertErrno(Map(c, 0x400000, 0x1000, 0x2000), Errno.EFAULT, "unmapped user memory");
    }

    [Test]
    public void UnmapRules()
    {
        var (c, _) = ContainerReady();
        ulong va = Buffer();
        Assert.That(Map(c, Iova, va, 0x2000), Is.EqualTo(0));
        AssertErrno(Unmap(c, Iova, 0x1000, out _), Errno.EINVAL, "unmap of the first half (type1v2 does not split)");
        AssertErrno(Unmap(c, Iova + 0x1000, 0x1000, out _), Errno.EINVAL, "unmap of the second half");
        AssertErrno(Unmap(c, 0xfffffffffffff000, 0x2000, out _), Errno.EINVAL, "unmap wrapping 2^64");
        AssertErrno(Unmap(c, Iova, 0x1000, out _, VfioConstants.DmaUnmapFlagAll), Errno.EINVAL, "unmap-all with an iova");
        AssertErrno(Unmap(c, 0, 0, out _, 0x80), Errno.EINVAL, "unknown unmap flag");
        Assert.That(Unmap(c, 0x800000, 0x1000, out ulong none), Is.EqualTo(0));
        Assert.That(none, Is.EqualTo(0UL), "unmapping nothing succeeds with size 0");
        Assert.That(Unmap(c, 0, 0x200000, out ulong superset), Is.EqualTo(0));
        Assert.That(superset, Is.EqualTo(0x2000UL));
        Assert.That(Map(c, Iova, va, 0x2000), Is.EqualTo(0));
        Assert.That(Map(c, Iova + 0x10000, va + 0x10000, 0x1000), Is.EqualTo(0));
        Assert.That(Unmap(c, 0, 0, out ulong all, VfioConstants.DmaUnmapFlagAll), Is.EqualTo(0));
        Assert.That(all, Is.EqualTo(0x3000UL));
    }

    [Test]
    public void GetInfoGrowsArgszThenReturnsTheCapabilityChain()
    {
        var (c, _) = ContainerReady();
        var buffer = new byte[512];
        fixed (byte* p = buffer)
        {
            var info = (VfioIommuType1Info*)p;
            info->Argsz = 24;
            new Span<byte>(p + 24, 512 - 24).Fill(0xAA);
            Assert.That(K.Ioctl(c, VfioIoctl.IommuGetInfo, p), Is.EqualTo(0));
            Assert.That(info->Flags, Is.EqualTo(VfioConstants.IommuInfoPgsizes | VfioConstants.IommuInfoCaps));
            Assert.That(info->CapOffset, Is.EqualTo(0u));
            Assert.That(info->Argsz, Is.GreaterThan(24u));
            Assert.That(buffer.AsSpan(24).IndexOfAnyExcept((byte)0xAA), Is.EqualTo(-1), "nothing written past argsz");
            Assert.That(info->IovaPgsizes & 0x1000, Is.EqualTo(0x1000UL));
            info->Argsz = 512;
            Assert.That(K.Ioctl(c, VfioIoctl.IommuGetInfo, p), Is.EqualTo(0));
            var chain = VfioCapabilityChain.FromIommuType1Info(buffer);
            Assert.That(chain.TryFind(VfioConstants.IommuType1InfoCapIovaRange, out var cap), Is.True);
            var ranges = cap.ReadIovaRanges();
            Assert.That(ranges.Length, Is.EqualTo(2));
            Assert.That(ranges[0].Start, Is.EqualTo(0UL));
            Assert.That(ranges[0].End, Is.EqualTo(0xfedfffffUL));
            Assert.That(ranges[1].Start, Is.EqualTo(0xfef00000UL));
            Assert.That(chain.TryFind(VfioConstants.IommuType1InfoDmaAvail, out var avail), Is.True);
            Assert.That(avail.Read<VfioIommuType1InfoDmaAvail>().Avail, Is.EqualTo(65535u));
        }
    }

    [Test]
    public void GroupStatusWritesOnlyArgszBytes()
    {
        var g = OpenGroup();
        var buffer = new byte[16];
        buffer.AsSpan().Fill(0xAA);
        fixed (byte* p = buffer)
        {
            *(uint*)p = 8;
            Assert.That(K.Ioctl(g, VfioIoctl.GroupGetStatus, p), Is.EqualTo(0));
        }
        Assert.That(buffer.AsSpan(8).IndexOfAnyExcept((byte)0xAA), Is.EqualTo(-1));
    }
}

/// <summary>No-IOMMU containers: only the no-IOMMU driver, no DMA mapping.</summary>
public abstract class NoIommuConformance : ConformanceBase
{
    /// <inheritdoc />
    protected override VfioFlavour Flavour => VfioFlavour.NoIommu;

    [Test]
    public void ExtensionsFollowTheGroupKind()
    {
        int c = OpenContainer();
        Assert.That(K.IoctlValue(c, VfioIoctl.CheckExtension, (nint)VfioConstants.NoiommuIommu), Is.EqualTo(1));
        int g = OpenGroup();
        Assert.That(SetContainer(g, c), Is.EqualTo(0));
        Assert.That(K.IoctlValue(c, VfioIoctl.CheckExtension, (nint)VfioConstants.Type1Iommu), Is.EqualTo(0));
        Assert.That(K.IoctlValue(c, VfioIoctl.CheckExtension, (nint)VfioConstants.NoiommuIommu), Is.EqualTo(1));
        AssertErrno(K.IoctlValue(c, VfioIoctl.SetIommu, (nint)VfioConstants.Type1v2Iommu), Errno.ENODEV, "type1 on a no-IOMMU group");
        Assert.That(K.IoctlValue(c, VfioIoctl.SetIommu, (nint)VfioConstants.NoiommuIommu), Is.EqualTo(0));
    }

    [Test]
    public void MapDmaIsEnotty()
    {
        var (c, _) = ContainerReady();
        AssertErrno(Map(c, 0x100000, Buffer(), 0x2000), Errno.ENOTTY, "MAP_DMA on a no-IOMMU container");
        AssertErrno(K.IoctlValue(c, 0x3B00 | 140, 0), Errno.ENOTTY, "unknown ioctl");
    }

    [Test]
    public void DeviceOpensThroughTheNoIommuGroup()
    {
        int d = OpenDevice();
        var info = new VfioDeviceInfo { Argsz = 16 };
        unsafe
        {
            Assert.That(K.Ioctl(d, VfioIoctl.DeviceGetInfo, &info), Is.EqualTo(0));
        }
        Assert.That(info.Flags & VfioConstants.DeviceFlagsPci, Is.EqualTo(VfioConstants.DeviceFlagsPci));
        Assert.That(info.NumRegions, Is.EqualTo(9u));
    }
}
