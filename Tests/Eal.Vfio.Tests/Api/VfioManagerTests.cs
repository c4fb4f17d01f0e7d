using Eal.Emulation;
using Eal.Vfio.Native;
using Eal.Vfio.Uapi;

namespace Eal.Vfio.Tests.Api;

/// <summary>The VFIO API against the scripted <see cref="FakeKernel"/> over an emulated sysfs/dev tree.</summary>
[TestFixture]
public sealed class VfioManagerTests
{
    private EmulatedPlatform _platform = null!;
    private FakeKernel _kernel = null!;

    private string Base => Path.Combine(_platform.SysfsRoot, "bus", "pci", "devices");

    private void Machine(string spec, Action<MachineDescription>? edit = null)
    {
        var m = MachineSpec.Parse(spec);
        edit?.Invoke(m);
        _platform = new EmulatedPlatform(m);
        _kernel = new FakeKernel();
    }

    [TearDown]
    public void TearDown() => _platform?.Dispose();

    [Test]
    public void Group_SetupDevice_OpensContainerGroupAndDeviceInDpdkOrder()
    {
        Machine("vfio=2,kernel=1");
        using var vfio = new VfioManager(_kernel, _platform, VfioModeRequest.Group);
        var dev = vfio.SetupDevice(Base, "0000:01:00.0");
        Assert.That(_kernel.Calls, Is.EqualTo(new[]
        {
            "open /dev/vfio/vfio", "VFIO_GET_API_VERSION", "VFIO_CHECK_EXTENSION",
            "open /dev/vfio/0", "VFIO_GROUP_GET_STATUS", "VFIO_GROUP_SET_CONTAINER", "VFIO_SET_IOMMU",
            "VFIO_GROUP_GET_DEVICE_FD 0000:01:00.0",
        }));
        Assert.That(_kernel.IommuTypeSet, Is.EqualTo(VfioConstants.Type1v2Iommu));
        Assert.That(dev.Mode, Is.EqualTo(VfioMode.Group));
        Assert.That(dev.Container.IsDefault, Is.True);
        var state = (GroupContainer)dev.Container.State;
        Assert.That(state.Groups.Select(g => g.Number), Is.EqualTo(new[] { 0 }));
        Assert.That(state.IommuTypeSet, Is.True);
        Assert.That(vfio.SetupDevice(Base, "0000:01:00.0"), Is.SameAs(dev), "a second setup returns the open device");
    }

    [Test]
    public void Cdev_SetupDevice_AllocatesIoasBindsAndAttaches()
    {
        Machine("vfio=2");
        using var vfio = new VfioManager(_kernel, _platform);
        Assert.That(vfio.Mode, Is.EqualTo(VfioMode.Cdev));
        var dev = vfio.SetupDevice(Base, "0000:01:00.1");
        Assert.That(_kernel.Calls, Is.EqualTo(new[]
        {
            "open /dev/iommu", "IOMMU_IOAS_ALLOC", "open /dev/vfio/devices/vfio1", "VFIO_DEVICE_BIND_IOMMUFD", "VFIO_DEVICE_ATTACH_IOMMUFD_PT",
        }));
        var state = (CdevContainer)dev.Container.State;
        Assert.That(state.IoasId, Is.EqualTo(7u));
        Assert.That(state.Devices["0000:01:00.1"], Is.EqualTo(42u));
        Assert.That(dev.CdevIndex, Is.EqualTo(1));
    }

    [Test]
    public void Auto_PicksPerDevice_CdevWhenTheDeviceHasANode_ElseGroup_ElseNoIommu()
    {
        Machine("vfio=2", m => m.PciFunctions[1].VfioCdev = null);
        using (var vfio = new VfioManager(_kernel, _platform))
        {
            Assert.That(vfio.GetDeviceMode(Base, "0000:01:00.0"), Is.EqualTo(VfioMode.Cdev));
            Assert.That(vfio.GetDeviceMode(Base, "0000:01:00.1"), Is.EqualTo(VfioMode.Group));
            var a = vfio.SetupDevice(Base, "0000:01:00.0");
            var b = vfio.SetupDevice(Base, "0000:01:00.1");
            Assert.That(a.Container.State, Is.TypeOf<CdevContainer>());
            Assert.That(b.Container.State, Is.TypeOf<GroupContainer>());
            Assert.That(a.Container, Is.SameAs(vfio.DefaultContainer));
        }

        Assert.That(_kernel.OpenFds, Is.Zero);
        _platform.Dispose();
        Machine("iommu=off,noiommu=on,vfio=1");
        using var noiommu = new VfioManager(_kernel, _platform);
        Assert.That(noiommu.Mode, Is.EqualTo(VfioMode.NoIommu));
        var d = noiommu.SetupDevice(Base, "0000:01:00.0");
        Assert.That(_kernel.Calls, Does.Contain("open /dev/vfio/noiommu-0"));
        Assert.That(_kernel.IommuTypeSet, Is.EqualTo(VfioConstants.NoiommuIommu));
        Assert.That(d.Mode, Is.EqualTo(VfioMode.NoIommu));
    }

    /// <summary>Found on Linux 6.12 in no-IOMMU mode: sysfs lists vfio-dev/vfio0 but /dev/vfio/devices/vfio0 does not exist.</summary>
    [Test]
    public void Auto_SysfsCdevWithoutDevNode_FallsBackToTheGroup()
    {
        Machine("vfio=1");
        File.Delete(Path.Combine(_platform.DevRoot, "vfio", "devices", "vfio0"));
        using var vfio = new VfioManager(_kernel, _platform);
        Assert.That(vfio.GetDeviceMode(Base, "0000:01:00.0"), Is.EqualTo(VfioMode.Group));
        using var cdev = new VfioManager(_kernel, _platform, VfioModeRequest.Cdev);
        var e = Assert.Throws<VfioException>(() => cdev.GetDeviceMode(Base, "0000:01:00.0"))!;
        Assert.That(e.Message, Does.Contain("/dev/vfio/devices/vfio0 does not exist (ENODEV)"));
    }

    [Test]
    public void ExplicitModes_TheKernelCannotGive_AreClearErrors()
    {
        Machine("vfio=1,iommufd=off,cdev=off");
        var e = Assert.Throws<VfioException>(() => new VfioManager(_kernel, _platform, VfioModeRequest.Cdev))!;
        Assert.That(e.Message, Does.Contain("--vfio-mode=cdev failed: ").And.Contain("/dev/iommu does not exist (ENOENT); the kernel needs CONFIG_IOMMUFD"));
        e = Assert.Throws<VfioException>(() => new VfioManager(_kernel, _platform, VfioModeRequest.NoIommu))!;
        Assert.That(e.Message, Does.Contain("unsafe no-IOMMU mode is off (EPERM); enable it with 'echo Y > /sys/module/vfio/parameters/enable_unsafe_noiommu_mode'"));
        _platform.Dispose();

        Machine("vfio=1", m => m.PciFunctions[0].VfioCdev = null);
        using var vfio = new VfioManager(_kernel, _platform, VfioModeRequest.Cdev);
        e = Assert.Throws<VfioException>(() => vfio.SetupDevice(Base, "0000:01:00.0"))!;
        Assert.That(e.Message, Is.EqualTo("--vfio-mode=cdev on 0000:01:00.0 failed: 0000:01:00.0 has no vfio-dev/vfioN node (ENODEV); bind 0000:01:00.0 to vfio-pci (dpdk-devbind.py -b vfio-pci 0000:01:00.0); the kernel needs CONFIG_VFIO_DEVICE_CDEV, or use --vfio-mode=group"));
        Assert.That(e.Errno, Is.EqualTo(Errno.ENODEV));
        Assert.That(_kernel.OpenFds, Is.Zero);
    }

    [Test]
    public void CdevOnANoIommuDevice_SaysThereIsNoneAndPointsToNoIommuMode()
    {
        Machine("vfio=1,iommu=off,noiommu=on");
        using var vfio = new VfioManager(_kernel, _platform, VfioModeRequest.Cdev);
        var e = Assert.Throws<VfioException>(() => vfio.SetupDevice(Base, "0000:01:00.0"))!;
        Assert.That(e.Message, Does.Contain("is a no-IOMMU group and Linux gives such devices no VFIO cdev (ENODEV); use --vfio-mode=noiommu (unsafe) or enable the IOMMU"));
        Assert.That(e.Errno, Is.EqualTo(Errno.ENODEV));
        Assert.That(_kernel.OpenFds, Is.Zero);
    }

    [Test]
    public void DeviceBoundToAKernelDriver_SaysWhichDriverAndHowToFix()
    {
        Machine("vfio=1,kernel=1");
        using var vfio = new VfioManager(_kernel, _platform, VfioModeRequest.Group);
        var e = Assert.Throws<VfioException>(() => vfio.SetupDevice(Base, "0000:01:00.1"))!;
        Assert.That(e.Message, Is.EqualTo("VFIO setup on 0000:01:00.1 (group 1) failed: 0000:01:00.1 is not managed by VFIO (no /dev/vfio node for group 1) (ENODEV); 0000:01:00.1 is bound to i40e; bind it to vfio-pci (dpdk-devbind.py -b vfio-pci 0000:01:00.1)"));
        Assert.That(e.Device, Is.EqualTo("0000:01:00.1"));
        Assert.That(e.Group, Is.EqualTo(1));
    }

    [Test]
    public void NonViableGroup_NamesTheDeviceThatSpoilsIt_AndClosesTheGroup()
    {
        Machine("vfio=1,kernel=1", m => m.PciFunctions[1].IommuGroup = 0);
        _kernel.GroupViable = false;
        using var vfio = new VfioManager(_kernel, _platform, VfioModeRequest.Group);
        var e = Assert.Throws<VfioException>(() => vfio.SetupDevice(Base, "0000:01:00.0"))!;
        Assert.That(e.Message, Is.EqualTo("VFIO_GROUP_GET_STATUS on 0000:01:00.0 (group 0) failed: group 0 is not viable: 0000:01:00.1 is bound to i40e; bind it to vfio-pci or unbind it"));
        Assert.That(e.Fix, Is.EqualTo("bind it to vfio-pci or unbind it"));
        Assert.That(_kernel.OpenPaths, Is.EqualTo(new[] { "/dev/vfio/vfio" }), "the group fd is closed again");
        Assert.That(vfio.Devices, Is.Empty);
    }

    [TestCase(Errno.EBUSY, "group 0 is already open in another process")]
    [TestCase(Errno.EACCES, "run as root or give this user access to")]
    public void GroupOpenErrors_CarryErrnoNameAndFix(int errno, string fix)
    {
        Machine("vfio=1");
        _kernel.FailCallNamed["open /dev/vfio/0"] = errno;
        using var vfio = new VfioManager(_kernel, _platform, VfioModeRequest.Group);
        var e = Assert.Throws<VfioException>(() => vfio.SetupDevice(Base, "0000:01:00.0"))!;
        Assert.That(e.Message, Does.StartWith("open ").And.Contain("/dev/vfio/0 on 0000:01:00.0 (group 0) failed: " + Errno.Name(errno) + " (").And.Contain(fix));
        Assert.That(e.ErrnoName, Is.EqualTo(Errno.Name(errno)));
    }

    [Test]
    public void SetIommuFailure_UnsetsTheContainerAndClosesTheGroup()
    {
        Machine("vfio=1");
        _kernel.FailCallNamed["VFIO_SET_IOMMU"] = Errno.EINVAL;
        using var vfio = new VfioManager(_kernel, _platform, VfioModeRequest.Group);
        var e = Assert.Throws<VfioException>(() => vfio.SetupDevice(Base, "0000:01:00.0"))!;
        Assert.That(e.Message, Does.StartWith("VFIO_SET_IOMMU(VFIO_TYPE1v2_IOMMU) on 0000:01:00.0 (group 0) failed: EINVAL"));
        Assert.That(_kernel.Calls.TakeLast(3), Is.EqualTo(new[] { "VFIO_SET_IOMMU", "VFIO_GROUP_UNSET_CONTAINER", "close /dev/vfio/0" }));
    }

    [Test]
    public void Release_GroupLeavesTheContainerWithItsLastDevice()
    {
        Machine("vfio=2", m => m.PciFunctions[1].IommuGroup = 0);
        using var vfio = new VfioManager(_kernel, _platform, VfioModeRequest.Group);
        var a = vfio.SetupDevice(Base, "0000:01:00.0");
        var b = vfio.SetupDevice(Base, "0000:01:00.1");
        var state = (GroupContainer)a.Container.State;
        Assert.That(state.Groups.Single().Devices, Is.EqualTo(new[] { "0000:01:00.0", "0000:01:00.1" }));
        vfio.ReleaseDevice(a);
        Assert.That(state.Groups, Has.Count.EqualTo(1));
        Assert.That(a.IsReleased, Is.True);
        vfio.ReleaseDevice(b);
        Assert.That(state.Groups, Is.Empty);
        Assert.That(state.IommuTypeSet, Is.False);
        Assert.That(_kernel.Calls.TakeLast(3), Is.EqualTo(new[] { "close device 0000:01:00.1", "VFIO_GROUP_UNSET_CONTAINER", "close /dev/vfio/0" }));
        var e = Assert.Throws<VfioException>(() => a.GetInfo())!;
        Assert.That(e.Message, Is.EqualTo("GetInfo on 0000:01:00.0: the device was released; set it up again with VfioManager.SetupDevice"));
    }

    [Test]
    public void UserMaps_OnAnEmptyGroupContainer_AreReplayedChunkByChunkWhenTheFirstGroupJoins()
    {
        Machine("vfio=1");
        using var vfio = new VfioManager(_kernel, _platform, VfioModeRequest.Group);
        var c = vfio.CreateContainer();
        vfio.DmaMap(c, 0x7f0000000000, 0x100000, 0x1000);
        vfio.DmaMap(c, 0x7f0000001000, 0x101000, 0x1000);
        Assert.That(_kernel.Calls, Has.No.Member("VFIO_IOMMU_MAP_DMA"));
        Assert.That(c.UserMaps, Is.EqualTo(new[] { new Dma.UserMap(0x7f0000000000, 0x100000, 0x2000, 0x1000) }), "adjacent maps merge");
        vfio.AssignDevice(c, Base, "0000:01:00.0");
        Assert.That(_kernel.Type1Maps.Keys, Is.EqualTo(new ulong[] { 0x100000, 0x101000 }), "replayed as the two original chunks");
        Assert.That(_kernel.Calls.Count(x => x == "VFIO_IOMMU_MAP_DMA"), Is.EqualTo(2));
    }

    [Test]
    public void Type1_PartialUnmapIsRefused_WholeChunksUnmap()
    {
        Machine("vfio=1");
        using var vfio = new VfioManager(_kernel, _platform, VfioModeRequest.Group);
        var dev = vfio.SetupDevice(Base, "0000:01:00.0");
        var c = dev.Container;
        vfio.DmaMap(c, 0x10000, 0x100000, 0x2000);
        var e = Assert.Throws<VfioException>(() => vfio.DmaUnmap(c, 0x10000, 0x100000, 0x1000))!;
        Assert.That(e.Message, Is.EqualTo("DmaUnmap failed: IOVA 0x100000+0x1000 in container 0 (group, default): 0x101000 is inside a mapping of 0x2000 bytes at 0x100000, and this IOMMU type cannot unmap part of a mapping (EINVAL); unmap exactly what DmaMap mapped (whole map calls)"));
        e = Assert.Throws<VfioException>(() => vfio.DmaUnmap(c, 0x10000, 0x200000, 0x1000))!;
        Assert.That(e.Message, Does.Contain("IOVA 0x200000 was not mapped with DmaMap"));
        e = Assert.Throws<VfioException>(() => vfio.DmaUnmap(c, 0x20000, 0x100000, 0x2000))!;
        Assert.That(e.Message, Does.Contain("IOVA 0x100000 is mapped to VA 0x10000, not 0x20000"));
        vfio.DmaUnmap(c, 0x10000, 0x100000, 0x2000);
        Assert.That(_kernel.Type1Maps, Is.Empty);
        Assert.That(c.UserMaps, Is.Empty);
    }

    [Test]
    public void NoIommu_AllowsPartialUnmap_AndMakesNoDmaCalls()
    {
        Machine("iommu=off,noiommu=on,vfio=1");
        using var vfio = new VfioManager(_kernel, _platform);
        var dev = vfio.SetupDevice(Base, "0000:01:00.0");
        vfio.DmaMap(dev.Container, 0x10000, 0x10000, 0x3000);
        vfio.DmaUnmap(dev.Container, 0x11000, 0x11000, 0x1000);
        Assert.That(dev.Container.UserMaps.Select(m => (m.Iova, m.Length)), Is.EqualTo(new[] { (0x10000UL, 0x1000UL), (0x12000UL, 0x1000UL) }));
        Assert.That(_kernel.Calls.Where(x => x.Contains("DMA", StringComparison.Ordinal)), Is.Empty);
        Assert.That(vfio.GetIovaRanges(dev.Container).Single().End, Is.EqualTo(ulong.MaxValue));
    }

    [Test]
    public void DmaMap_Overlap_Wrap_ZeroLength_KernelErrors()
    {
        Machine("vfio=1");
        using var vfio = new VfioManager(_kernel, _platform);
        var c = vfio.DefaultContainer;
        vfio.DmaMap(c, 0x10000, 0x100000, 0x2000);
        var e = Assert.Throws<VfioException>(() => vfio.DmaMap(c, 0x90000, 0x101000, 0x1000))!;
        Assert.That(e.Message, Is.EqualTo("DmaMap failed: IOVA 0x101000+0x1000 overlaps the mapping at 0x100000+0x2000 in container 0 (cdev, default) (EEXIST); unmap it first or use another IOVA"));
        e = Assert.Throws<VfioException>(() => vfio.DmaMap(c, 0x10000, ulong.MaxValue - 0xfff, 0x2000))!;
        Assert.That(e.Errno, Is.EqualTo(Errno.EOVERFLOW));
        Assert.That(e.Message, Does.Contain("wraps past 2^64"));
        e = Assert.Throws<VfioException>(() => vfio.DmaMap(c, 0x10000, 0x300000, 0))!;
        Assert.That(e.Message, Does.Contain("length is 0"));
        _kernel.FailCallNamed["IOMMU_IOAS_MAP"] = Errno.ENOMEM;
        e = Assert.Throws<VfioException>(() => vfio.DmaMap(c, 0x50000, 0x400000, 0x1000))!;
        Assert.That(e.Message, Is.EqualTo("IOMMU_IOAS_MAP failed: mapping VA 0x50000 at IOVA 0x400000 (0x1000 bytes) in container 0 (cdev, default) (ENOMEM); pinning failed: raise RLIMIT_MEMLOCK (ulimit -l) or free memory"));
        Assert.That(c.UserMaps.Count, Is.EqualTo(1), "a refused map is not remembered");
    }

    [Test]
    public void IovaRanges_PerBackend()
    {
        Machine("vfio=1");
        using var group = new VfioManager(_kernel, _platform, VfioModeRequest.Group);
        var e = Assert.Throws<VfioException>(() => group.GetIovaRanges(group.DefaultContainer))!;
        Assert.That(e.Message, Is.EqualTo("VFIO_IOMMU_GET_INFO failed: the container has no group yet, so no IOMMU type (ENODEV); assign a device to the container first"));
        group.SetupDevice(Base, "0000:01:00.0");
        var r = group.GetIovaRanges(group.DefaultContainer);
        Assert.That(r.Select(x => (x.Start, x.End)), Is.EqualTo(new[] { (0UL, 0x7fffffffffUL) }));
        group.Dispose();

        using var cdev = new VfioManager(_kernel, _platform, VfioModeRequest.Cdev);
        r = cdev.GetIovaRanges(cdev.DefaultContainer);
        Assert.That(r.Select(x => (x.Start, x.End)), Is.EqualTo(new[] { (0UL, 0xfedfffffUL), (0xfef00000UL, 0xffffffffffffUL) }));
    }

    [Test]
    public void Device_RegionInfo_DecodesSparseMmapAndMsixMappable_ConfigAndIrqs()
    {
        Machine("vfio=1");
        using var vfio = new VfioManager(_kernel, _platform);
        var dev = vfio.SetupDevice(Base, "0000:01:00.0");
        var bar0 = dev.GetRegionInfo(0);
        Assert.That(bar0.SparseMmapAreas!.Select(a => (a.Offset, a.Size)), Is.EqualTo(new[] { (0UL, 0x2000UL), (0x3000UL, 0xfd000UL) }));
        Assert.That(bar0.MsixMappable, Is.True);
        Assert.That(bar0.CanMmap, Is.True);
        Assert.That(bar0.Offset, Is.EqualTo(0UL));
        Assert.That(_kernel.Calls.Count(c => c == "VFIO_DEVICE_GET_REGION_INFO"), Is.EqualTo(2), "grown once for the capability chain");
        Span<byte> id = stackalloc byte[4];
        dev.ReadConfig(0, id);
        Assert.That(id.ToArray(), Is.EqualTo(new byte[] { 0x86, 0x80, 0x72, 0x15 }));
        Assert.That(dev.GetIrqInfo(VfioConstants.PciMsixIrqIndex).Count, Is.EqualTo(8u));
        dev.SetIrqEventFds(VfioConstants.PciMsixIrqIndex, 0, [5, 6]);
        Assert.That(_kernel.Calls[^1], Is.EqualTo("VFIO_DEVICE_SET_IRQS flags=0x24 index=2 start=0 count=2"));
        dev.DisableIrqs(VfioConstants.PciMsixIrqIndex);
        Assert.That(_kernel.Calls[^1], Is.EqualTo("VFIO_DEVICE_SET_IRQS flags=0x21 index=2 start=0 count=0"));
        Assert.That(dev.TryReset(), Is.True);
        var ex = Assert.Throws<VfioException>(() => dev.MapRegion(dev.GetRegionInfo(7), 0, 256))!;
        Assert.That(ex.Message, Does.Contain("the region has no VFIO_REGION_INFO_FLAG_MMAP"));
    }

    [Test]
    public void Containers_ModeMismatch_GroupInAnotherContainer_DestroyDefault()
    {
        Machine("vfio=2", m => m.PciFunctions[1].IommuGroup = 0);
        using var vfio = new VfioManager(_kernel, _platform);
        var cdev = vfio.CreateContainer(VfioMode.Cdev);
        var group = vfio.CreateContainer(VfioMode.Group);
        Assert.That(cdev.State, Is.TypeOf<CdevContainer>());
        Assert.That(group.State, Is.TypeOf<GroupContainer>());
        vfio.AssignDevice(cdev, Base, "0000:01:00.0");
        var e = Assert.Throws<VfioException>(() => vfio.AssignDevice(group, Base, "0000:01:00.1"))!;
        Assert.That(e.Message, Is.EqualTo("AssignDevice on 0000:01:00.1 (group 0) failed: 0000:01:00.1 uses cdev mode but container 2 (group) is group (EINVAL); assign it to a cdev container"));
        e = Assert.Throws<VfioException>(() => vfio.AssignDevice(cdev, Base, "0000:01:00.0"))!;
        Assert.That(e.Errno, Is.EqualTo(Errno.EEXIST));
        e = Assert.Throws<VfioException>(() => vfio.DestroyContainer(vfio.DefaultContainer))!;
        Assert.That(e.Message, Does.Contain("is a default container"));
        vfio.DestroyContainer(cdev);
        Assert.That(cdev.IsDestroyed, Is.True);
        Assert.That(vfio.FindDevice("0000:01:00.0"), Is.Null);
    }

    [Test]
    public void Group_AGroupIsOneUnit_ItsDevicesShareOneContainer()
    {
        Machine("vfio=2,cdev=off", m => m.PciFunctions[1].IommuGroup = 0);
        using var vfio = new VfioManager(_kernel, _platform, VfioModeRequest.Group);
        var custom = vfio.CreateContainer();
        vfio.AssignDevice(custom, Base, "0000:01:00.0");
        var e = Assert.Throws<VfioException>(() => vfio.AssignDevice(vfio.DefaultContainer, Base, "0000:01:00.1"))!;
        Assert.That(e.Message, Is.EqualTo("AssignDevice on 0000:01:00.1 (group 0) failed: group 0 is already in container 1 (group) (EBUSY); all devices of a group share one container: assign 0000:01:00.1 to container 1 (group)"));
        Assert.That(vfio.SetupDevice(Base, "0000:01:00.1").Container, Is.SameAs(custom), "setup follows the group into its custom container");
    }

    /// <summary>
    /// Fails the n-th kernel call for every n along setup → region info → map → unmap → release → dispose, in each
    /// mode: every run must end with no fd open and no mapping left.
    /// </summary>
    [TestCase("vfio=2", VfioModeRequest.Cdev)]
    [TestCase("vfio=2", VfioModeRequest.Group)]
    [TestCase("iommu=off,noiommu=on,vfio=2", VfioModeRequest.NoIommu)]
    public void FailureInjection_EveryCall_LeaksNothing(string spec, VfioModeRequest mode)
    {
        Machine(spec, m => m.PciFunctions[1].IommuGroup = 0);
        int total = Run(-1);
        Assert.That(total, Is.GreaterThan(10));
        for (int n = 1; n <= total; n++)
        {
            _kernel = new FakeKernel();
            Run(n);
            Assert.That(_kernel.OpenFds, Is.Zero, $"fail at call {n}: open {string.Join(", ", _kernel.OpenPaths)}");
            Assert.That(_kernel.Type1Maps.Count + _kernel.IoasMaps.Count, Is.Zero, $"fail at call {n}: mappings left");
        }

        int Run(int failAt)
        {
            _kernel.FailAtCall = failAt;
            try
            {
                using var vfio = new VfioManager(_kernel, _platform, mode);
                var a = vfio.SetupDevice(Base, "0000:01:00.0");
                var b = vfio.SetupDevice(Base, "0000:01:00.1");
                a.GetRegionInfo(0);
                vfio.DmaMap(a.Container, 0x10000, 0x100000, 0x1000);
                vfio.DmaMap(a.Container, 0x11000, 0x101000, 0x1000);
                vfio.DmaUnmap(a.Container, 0x10000, 0x100000, 0x1000);
                vfio.ReleaseDevice(a);
                vfio.ReleaseDevice(b);
            }
            catch (VfioException)
            {
                // expected for injected failures
            }

            return _kernel.Calls_;
        }
    }
}
