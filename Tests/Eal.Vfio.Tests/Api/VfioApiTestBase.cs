using System.Runtime.InteropServices;
using Eal.Emulation;
using Eal.Emulation.Kernel;
using Eal.Platform;
using Eal.Vfio.Native;
using Eal.Vfio.Uapi;

namespace Eal.Vfio.Tests.Api;

/// <summary>
/// The VFIO API contract, run against any kernel (as System.Threading.Channels' ChannelTestBase runs one suite over
/// every channel): a subclass supplies the kernel, the platform paths, a vfio-pci device and the mode.
/// </summary>
public abstract unsafe class VfioApiTestBase
{
    private readonly List<nint> _buffers = [];

    /// <summary>The kernel under test.</summary>
    protected abstract IKernel Kernel { get; }

    /// <summary>Its platform (sysfs and /dev roots).</summary>
    protected abstract IPlatform Platform { get; }

    /// <summary>A device bound to vfio-pci.</summary>
    protected abstract string Device { get; }

    /// <summary>The mode requested.</summary>
    protected abstract VfioModeRequest Request { get; }

    /// <summary>The mode the device must get.</summary>
    protected abstract VfioMode ExpectedMode { get; }

    /// <summary>Checks that the kernel holds nothing any more (emulated kernel only).</summary>
    protected virtual void AssertNothingHeld(string when) { }

    /// <summary>The emulated kernel's operation-failure hook, or null on a real kernel.</summary>
    protected virtual Action<long, int>? FailNth => null;

    private string Base => Path.Combine(Platform.SysfsRoot, "bus", "pci", "devices");

    private ulong Buffer(int pages)
    {
        nint p = (nint)NativeMemory.AlignedAlloc((nuint)(pages * 4096), 4096);
        new Span<byte>((void*)p, pages * 4096).Clear();
        _buffers.Add(p);
        return (ulong)p;
    }

    [TearDown]
    public void FreeBuffers()
    {
        foreach (var p in _buffers) NativeMemory.AlignedFree((void*)p);
        _buffers.Clear();
    }

    [Test]
    public void Setup_Info_Regions_Irqs_Config_Release()
    {
        using (var vfio = new VfioManager(Kernel, Platform, Request))
        {
            Assert.That(vfio.GetDeviceMode(Base, Device), Is.EqualTo(ExpectedMode));
            var dev = vfio.SetupDevice(Base, Device);
            Assert.That(dev.Mode, Is.EqualTo(ExpectedMode));
            Assert.That(dev.Container.State, ExpectedMode == VfioMode.Cdev ? Is.TypeOf<CdevContainer>() : Is.TypeOf<GroupContainer>());
            var info = dev.GetInfo();
            Assert.That(info.Flags & VfioConstants.DeviceFlagsPci, Is.Not.Zero);
            Assert.That(info.NumRegions, Is.GreaterThanOrEqualTo(VfioConstants.PciNumRegions));
            var config = dev.GetRegionInfo(VfioConstants.PciConfigRegionIndex);
            Assert.That(config.Size, Is.GreaterThanOrEqualTo(256UL));
            var bar0 = dev.GetRegionInfo(VfioConstants.PciBar0RegionIndex);
            Assert.That(bar0.Size, Is.GreaterThan(0UL));
            Span<byte> ids = stackalloc byte[4];
            dev.ReadConfig(0, ids);
            Assert.That(BitConverter.ToUInt16(ids), Is.Not.EqualTo((ushort)0xffff));
            Assert.That(dev.GetIrqInfo(VfioConstants.PciMsiIrqIndex).Flags & VfioConstants.IrqInfoEventfd, Is.Not.Zero);
            vfio.ReleaseDevice(dev);
            Assert.That(dev.IsReleased, Is.True);
        }

        AssertNothingHeld("after dispose");
    }

    [Test]
    public void DmaMap_Merge_Overlap_ChunkRules_Unmap()
    {
        using (var vfio = new VfioManager(Kernel, Platform, Request))
        {
            var dev = vfio.SetupDevice(Base, Device);
            var c = dev.Container;
            ulong va = Buffer(4);
            const ulong iova = 0x40000000;
            vfio.DmaMap(c, va, iova, 0x1000);
            vfio.DmaMap(c, va + 0x1000, iova + 0x1000, 0x1000);
            Assert.That(c.UserMaps, Has.Count.EqualTo(1));
            var e = Assert.Throws<VfioException>(() => vfio.DmaMap(c, va, iova + 0x1000, 0x1000))!;
            Assert.That(e.Errno, Is.EqualTo(Errno.EEXIST));
            vfio.DmaMap(c, va + 0x2000, iova + 0x2000, 0x2000);
            if (ExpectedMode == VfioMode.NoIommu)
            {
                vfio.DmaUnmap(c, va + 0x3000, iova + 0x3000, 0x1000); // no-IOMMU may cut a mapping
            }
            else
            {
                e = Assert.Throws<VfioException>(() => vfio.DmaUnmap(c, va + 0x3000, iova + 0x3000, 0x1000))!;
                Assert.That(e.Message, Does.Contain("cannot unmap part of a mapping"));
                vfio.DmaUnmap(c, va + 0x2000, iova + 0x2000, 0x2000);
            }

            vfio.DmaUnmap(c, va, iova, 0x2000);
            Assert.That(c.UserMaps.Sum(m => (long)m.Length), Is.EqualTo(ExpectedMode == VfioMode.NoIommu ? 0x1000 : 0));
            var ranges = vfio.GetIovaRanges(c);
            Assert.That(ranges, Is.Not.Empty);
            Assert.That(ranges.Any(r => r.Start <= iova && iova + 0x4000 - 1 <= r.End), Is.True, "the test IOVA lies in a valid range");
        }

        AssertNothingHeld("after dispose");
    }

    [Test]
    public void CustomContainer_GetsUserMapsReplayed_AndIsDestroyed()
    {
        using (var vfio = new VfioManager(Kernel, Platform, Request))
        {
            var c = vfio.CreateContainer(ExpectedMode);
            ulong va = Buffer(2);
            vfio.DmaMap(c, va, 0x50000000, 0x2000);
            var dev = vfio.AssignDevice(c, Base, Device);
            Assert.That(dev.Container, Is.SameAs(c));
            Assert.That(vfio.SetupDevice(Base, Device), Is.SameAs(dev));
            vfio.DmaUnmap(c, va, 0x50000000, 0x2000);
            vfio.DestroyContainer(c);
            Assert.That(dev.IsReleased, Is.True);
        }

        AssertNothingHeld("after dispose");
    }

    /// <summary>Fails the n-th kernel operation for every n of a full setup/map/unmap/release sequence.</summary>
    [Test]
    public void FailureInjection_EveryOperation_LeavesNothingHeld()
    {
        if (FailNth is null) Assert.Ignore("failure injection needs the emulated kernel");
        ulong va = Buffer(2);
        int n = 1;
        for (; n < 500; n++)
        {
            FailNth!(n, Errno.EIO);
            bool failed = false;
            try
            {
                using var vfio = new VfioManager(Kernel, Platform, Request);
                var dev = vfio.SetupDevice(Base, Device);
                dev.GetRegionInfo(VfioConstants.PciBar0RegionIndex);
                vfio.DmaMap(dev.Container, va, 0x60000000, 0x1000);
                vfio.DmaMap(dev.Container, va + 0x1000, 0x60001000, 0x1000);
                vfio.DmaUnmap(dev.Container, va, 0x60000000, 0x1000);
                vfio.ReleaseDevice(dev);
            }
            catch (VfioException)
            {
                failed = true;
            }

            FailNth(0, 0);
            AssertNothingHeld($"failing operation {n}");
            if (!failed) break; // the sequence ran to the end: every operation has been failed once
        }

        Assert.That(n, Is.GreaterThan(5).And.LessThan(500));
    }
}

/// <summary>The API contract on the emulated kernel, in each mode.</summary>
[TestFixture(VfioModeRequest.Group, VfioMode.Group, "vfio=2")]
[TestFixture(VfioModeRequest.Cdev, VfioMode.Cdev, "vfio=2")]
[TestFixture(VfioModeRequest.Auto, VfioMode.Cdev, "vfio=2")]
[TestFixture(VfioModeRequest.NoIommu, VfioMode.NoIommu, "iommu=off,noiommu=on,vfio=2")]
[TestFixture(VfioModeRequest.Auto, VfioMode.NoIommu, "iommu=off,noiommu=on,vfio=2")]
public sealed class EmulatedKernelVfioApiTests(VfioModeRequest request, VfioMode expected, string spec) : VfioApiTestBase
{
    private EmulatedPlatform _platform = null!;
    private EmulatedKernel _kernel = null!;

    protected override IKernel Kernel => _kernel;
    protected override IPlatform Platform => _platform;
    protected override string Device => "0000:01:00.0";
    protected override VfioModeRequest Request => request;
    protected override VfioMode ExpectedMode => expected;
    protected override Action<long, int>? FailNth => (n, errno) =>
    {
        if (n == 0) _kernel.ClearFailure();
        else _kernel.FailNth(n, errno);
    };

    protected override void AssertNothingHeld(string when) =>
        Assert.That(_kernel.Resources.IsEmpty, Is.True, $"{when}: the emulated kernel still holds {_kernel.Resources}");

    [SetUp]
    public void SetUp()
    {
        _platform = new EmulatedPlatform(MachineSpec.Parse(spec));
        _kernel = new EmulatedKernel(_platform);
    }

    [TearDown]
    public void TearDownKernel()
    {
        _kernel.Dispose();
        _platform.Dispose();
    }
}

/// <summary>
/// The API contract on this machine's real kernel, when it has VFIO and a device bound to vfio-pci
/// (set <c>EAL_VFIO_TEST_DEVICE=DDDD:BB:DD.F</c> to choose one; inside /work/shared/vm/run-vm.sh it is the first of
/// <c>VFIO_VM_BDFS</c>). Skipped with the reason otherwise.
/// </summary>
[TestFixture(VfioModeRequest.Group, VfioMode.Group)]
[TestFixture(VfioModeRequest.Cdev, VfioMode.Cdev)]
[TestFixture(VfioModeRequest.NoIommu, VfioMode.NoIommu)]
public sealed class RealKernelVfioApiTests(VfioModeRequest request, VfioMode expected) : VfioApiTestBase
{
    private readonly LinuxKernel _kernel = new();
    private readonly RealPlatform _platform = new();
    private string _device = "";

    protected override IKernel Kernel => _kernel;
    protected override IPlatform Platform => _platform;
    protected override string Device => _device;
    protected override VfioModeRequest Request => request;
    protected override VfioMode ExpectedMode => expected;

    [SetUp]
    public void SetUp()
    {
        if (!File.Exists("/dev/vfio/vfio") && !File.Exists("/dev/iommu"))
            Assert.Ignore("No real VFIO here: /dev/vfio/vfio and /dev/iommu are missing (run inside /work/shared/vm/run-vm.sh, or load vfio-pci).");
        string? dev = Environment.GetEnvironmentVariable("EAL_VFIO_TEST_DEVICE")
            ?? Environment.GetEnvironmentVariable("VFIO_VM_BDFS")?.Split(',')[0];
        dev ??= Directory.Exists("/sys/bus/pci/drivers/vfio-pci")
            ? Directory.EnumerateFileSystemEntries("/sys/bus/pci/drivers/vfio-pci").Select(Path.GetFileName).FirstOrDefault(n => n!.Contains(':', StringComparison.Ordinal))
            : null;
        if (string.IsNullOrEmpty(dev)) Assert.Ignore("No device is bound to vfio-pci (bind one, or set EAL_VFIO_TEST_DEVICE).");
        _device = dev;
        var sysfs = new VfioSysfs(_platform);
        bool available = expected switch
        {
            VfioMode.Cdev => sysfs.IommufdNodeExists && VfioSysfs.CdevIndex("/sys/bus/pci/devices", dev) is { } i && VfioSysfs.NodeExists(sysfs.CdevPath(i)),
            VfioMode.NoIommu => sysfs.NoIommuEnabled,
            _ => sysfs.ContainerNodeExists && !sysfs.NoIommuEnabled,
        };
        if (!available) Assert.Ignore($"This kernel does not offer {expected.ToOptionValue()} mode for {dev}.");
    }

    private sealed class RealPlatform : IPlatform
    {
        public string Name => "linux";
        public bool IsEmulated => false;
        public string SysfsRoot => "/sys";
        public string DevRoot => "/dev";
        public string ProcRoot => "/proc";
    }
}
