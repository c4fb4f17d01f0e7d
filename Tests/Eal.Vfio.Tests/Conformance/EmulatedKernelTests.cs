using System.Runtime.InteropServices;
using Eal.Emulation;
using Eal.Emulation.Kernel;
using Eal.Vfio.Native;
using Eal.Vfio.Uapi;

namespace Eal.Vfio.Tests.Conformance;

/// <summary>What only the emulated kernel offers: device DMA through the IOMMU domain, fault log, accounting, failure injection.</summary>
[TestFixture]
public sealed unsafe class EmulatedKernelDmaTests : ConformanceBase
{
    private VfioFlavour _flavour = VfioFlavour.Group;

    /// <inheritdoc />
    protected override VfioFlavour Flavour => _flavour;

    /// <inheritdoc />
    protected override ConformanceTarget? CreateTarget(out string reason)
    {
        reason = string.Empty;
        _flavour = TestContext.CurrentContext.Test.Name.Contains("NoIommu", StringComparison.Ordinal) ? VfioFlavour.NoIommu
            : TestContext.CurrentContext.Test.Name.Contains("Cdev", StringComparison.Ordinal) ? VfioFlavour.Cdev : VfioFlavour.Group;
        return new EmulatedTarget(_flavour);
    }

    private EmulatedKernel Kernel => T.Emulated!;

    [Test]
    public void DeviceDmaGoesThroughTheContainerDomainAndFaultsTouchNothing()
    {
        var (c, _) = ContainerReady();
        var model = Kernel.GetDeviceModel(T.Device);
        ulong va = Buffer(0x4000);
        new Span<byte>((void*)va, 0x4000).Clear();
        Assert.That(Map(c, 0x100000, va, 0x2000), Is.EqualTo(0));
        Assert.That(Map(c, 0x200000, va + 0x2000, 0x1000, flags: VfioConstants.DmaMapFlagRead), Is.EqualTo(0));
        var dma = model.Dma;
        Assert.That(dma, Is.Not.Null, "attached once the container has an IOMMU");
        Assert.That(dma!.TryWrite(0x100ffe, [1, 2, 3, 4]), Is.True, "a write across two pages of one mapping");
        Assert.That(new Span<byte>((void*)(va + 0xffe), 4).ToArray(), Is.EqualTo(new byte[] { 1, 2, 3, 4 }));
        var read = new byte[4];
        Assert.That(dma.TryRead(0x100ffe, read), Is.True);
        Assert.That(read, Is.EqualTo(new byte[] { 1, 2, 3, 4 }));

        Assert.That(dma.TryWrite(0x101ffe, [9, 9, 9, 9]), Is.False, "the access runs past the mapping");
        Assert.That(new Span<byte>((void*)(va + 0x1ffe), 2).ToArray(), Is.EqualTo(new byte[] { 0, 0 }), "a faulting access touches nothing");
        Assert.That(dma.TryWrite(0x200000, [5]), Is.False, "write to a mapping without DMA_MAP_FLAG_WRITE");
        Assert.That(dma.TryRead(0x200000, read), Is.True);
        Assert.That(Unmap(c, 0x100000, 0x2000, out _), Is.EqualTo(0));
        Assert.That(dma.TryRead(0x100ffe, read), Is.False, "just unmapped");

        var faults = Kernel.Faults;
        Assert.That(faults.Select(f => (f.Iova, f.Write, f.Reason)), Is.EqualTo(new[]
        {
            (0x102000UL, true, "IOVA not mapped"),
            (0x200000UL, true, "write to a read-only mapping"),
            (0x100ffeUL, false, "IOVA not mapped"),
        }));
        Assert.That(faults.All(f => f.Device == T.Device), Is.True);
    }

    [Test]
    public void DmaBeforeAttachAndAfterDetachIsBlocked_Cdev()
    {
        var model = Kernel.GetDeviceModel(T.Device);
        Assert.That(model.Dma, Is.Null, "no domain before attach");
        var (fd, ioas) = IommufdWithIoas();
        int d = OpenCdev();
        Assert.That(BindCdev(d, fd, out _), Is.EqualTo(0));
        Assert.That(AttachCdev(d, ioas, out _), Is.EqualTo(0));
        ulong va = Buffer(0x1000);
        Assert.That(IoasMap(fd, ioas, 0x400000, va, 0x1000, out _), Is.EqualTo(0));
        var dma = model.Dma!;
        Assert.That(dma.TryWrite(0x400010, [7]), Is.True);
        Assert.That(*(byte*)(va + 0x10), Is.EqualTo(7));
        Assert.That(DetachCdev(d), Is.EqualTo(0));
        Assert.That(model.Dma, Is.Null);
        Assert.That(dma.TryWrite(0x400010, [8]), Is.False);
        Assert.That(*(byte*)(va + 0x10), Is.EqualTo(7));
        Assert.That(Kernel.Faults.Single().Reason, Does.Contain("not attached"));
    }

    [Test]
    public void NoIommuDmaUsesPhysicalAddresses_NoIommu()
    {
        var registry = new PhysicalMemoryRegistry();
        Kernel.PhysicalMemory = registry;
        ContainerReady();
        ulong va = Buffer(0x2000);
        ulong pa = registry.Register((nint)va, 0x2000);
        var dma = Kernel.GetDeviceModel(T.Device).Dma!;
        Assert.That(dma.TryWrite(pa + 8, [0x5a]), Is.True);
        Assert.That(*(byte*)(va + 8), Is.EqualTo(0x5a));
        Assert.That(dma.TryWrite(pa + 0x2000, [1]), Is.False);
        Assert.That(Kernel.Faults.Single().Reason, Is.EqualTo("no memory at this physical address"));
    }

    [Test]
    public void InterruptsFromTheModelReachTheEventfd()
    {
        int d = OpenDevice();
        int ev = Keep(K.EventFd(0, LibC.EventFdNonBlock), "eventfd");
        var buffer = stackalloc byte[24];
        *(VfioIrqSet*)buffer = new VfioIrqSet { Argsz = 24, Flags = VfioConstants.IrqSetDataEventfd | VfioConstants.IrqSetActionTrigger, Index = VfioConstants.PciMsixIrqIndex, Start = 3, Count = 1 };
        *(int*)(buffer + 20) = ev;
        Assert.That(K.Ioctl(d, VfioIoctl.DeviceSetIrqs, buffer), Is.EqualTo(0));
        Assert.That(Kernel.Resources.HeldEventFds, Is.EqualTo(1));
        var sink = Kernel.GetDeviceModel(T.Device).Interrupts!;
        sink.Raise(2, 2); // a vector without an eventfd is lost
        sink.Raise(2, 3);
        sink.Raise(2, 3);
        ulong count;
        Assert.That(K.Read(ev, &count, 8), Is.EqualTo((nint)8));
        Assert.That(count, Is.EqualTo(2UL));
    }

    [Test]
    public void NonViableGroupCannotJoinAContainer()
    {
        var machine = MachineSpec.Resolve("vfio=1,kernel=1");
        var vfio = machine.PciFunctions.First(f => f.Driver == "vfio-pci");
        machine.PciFunctions.First(f => f.Driver != "vfio-pci").IommuGroup = vfio.IommuGroup;
        using var platform = new EmulatedPlatform(machine);
        using var kernel = new EmulatedKernel(platform);
        int c = kernel.Open(Path.Combine(platform.DevRoot, "vfio/vfio"), LibC.OpenReadWrite);
        int g = kernel.Open(Path.Combine(platform.DevRoot, $"vfio/{vfio.IommuGroup}"), LibC.OpenReadWrite);
        var st = new VfioGroupStatus { Argsz = 8 };
        Assert.That(kernel.Ioctl(g, VfioIoctl.GroupGetStatus, &st), Is.EqualTo(0));
        Assert.That(st.Flags, Is.EqualTo(0u), "a function of the group is bound to a kernel driver");
        AssertErrno(kernel.Ioctl(g, VfioIoctl.GroupSetContainer, &c), Errno.EPERM, "SET_CONTAINER of a non-viable group");
        platform.BindDriver(machine.PciFunctions.First(f => f.Driver != "vfio-pci").Address, null);
        Assert.That(kernel.Ioctl(g, VfioIoctl.GroupGetStatus, &st), Is.EqualTo(0));
        Assert.That(st.Flags, Is.EqualTo(VfioConstants.GroupFlagsViable), "unbinding makes it viable");
        Assert.That(kernel.Ioctl(g, VfioIoctl.GroupSetContainer, &c), Is.EqualTo(0));
        kernel.Close(g);
        kernel.Close(c);
        Assert.That(kernel.Resources.IsEmpty, Is.True);
    }

    [Test]
    public void ClosingTheContainerFirstKeepsMappingsUntilTheLastGroupLeaves()
    {
        var (c, g) = ContainerReady();
        Assert.That(Map(c, 0x100000, Buffer(), 0x4000), Is.EqualTo(0));
        CloseNow(c);
        Assert.That(Kernel.Resources, Is.EqualTo(new KernelResources(1, 1, 1, 4, 0, 0, 0)));
        CloseNow(g);
        Assert.That(Kernel.Resources.IsEmpty, Is.True);
    }

    [Test]
    public void BarMmapReadsWhatTrappedWritesStored()
    {
        int d = OpenDevice();
        nint bar = K.Mmap(0, 0x10000, 3, 1, d, 0);
        Assert.That(KernelResultIsError(bar), Is.False, $"mmap of BAR0 failed: {bar}");
        uint v = 0xdeadbeef;
        Assert.That(K.PWrite(d, &v, 4, 0x40), Is.EqualTo((nint)4));
        Assert.That(*(uint*)(bar + 0x40), Is.EqualTo(0xdeadbeef));
        Assert.That(Kernel.Resources.DeviceMappings, Is.EqualTo(1));
        Assert.That(K.Munmap(bar, 0x10000), Is.EqualTo(0));
        Assert.That(Kernel.Resources.DeviceMappings, Is.EqualTo(0));
    }

    private static bool KernelResultIsError(nint r) => Eal.Platform.KernelResult.IsMmapError(r);
}

/// <summary>Fail the n-th kernel operation for every n of a full setup/teardown: every run ends with nothing held.</summary>
[TestFixture]
public sealed unsafe class EmulatedKernelFailureInjectionTests
{
    [TestCase(VfioFlavour.Group)]
    [TestCase(VfioFlavour.NoIommu)]
    [TestCase(VfioFlavour.Cdev)]
    public void EveryFailurePointLeavesNothingBehind(VfioFlavour flavour)
    {
        using var target = new EmulatedTarget(flavour);
        var kernel = target.Emulated!;
        kernel.PhysicalMemory = new PhysicalMemoryRegistry();
        var memory = NativeMemory.AlignedAlloc(0x10000, 4096);
        try
        {
            long before = kernel.OperationCount;
            Assert.That(Sequence(target, (ulong)memory, flavour), Is.EqualTo(0), "the clean run succeeds");
            long operations = kernel.OperationCount - before;
            long setup = _setupDone - before;
            Assert.That(setup, Is.GreaterThan(10));
            Assert.That(operations, Is.GreaterThan(setup), "the teardown makes kernel calls too");
            Assert.That(kernel.Resources.IsEmpty, Is.True);
            for (long n = 1; n <= operations; n++)
            {
                kernel.FailNth(n, Errno.ENOMEM);
                int r = Sequence(target, (ulong)memory, flavour);
                // A failed setup step is reported; a failed teardown step (unmap, unset) is survived because close releases it.
                Assert.That(r, Is.EqualTo(n <= setup ? -Errno.ENOMEM : 0), $"operation {n} of {operations} ({setup} in setup) was injected");
                Assert.That(kernel.Resources.IsEmpty, Is.True, $"after failing operation {n}: {kernel.Resources}");
            }
        }
        finally
        {
            NativeMemory.AlignedFree(memory);
        }
    }

    private long _setupDone;

    /// <summary>A full setup and teardown that releases, in reverse order, whatever it opened when a step fails.</summary>
    private int Sequence(ConformanceTarget t, ulong memory, VfioFlavour flavour)
    {
        var k = t.Kernel;
        var undo = new Stack<Action>();
        int Step(int r, Action? release = null)
        {
            if (r >= 0 && release is not null) undo.Push(release);
            return r;
        }
        try
        {
            int device;
            if (flavour == VfioFlavour.Cdev)
            {
                int fd = Step(k.Open(Path.Combine(t.DevRoot, "iommu"), LibC.OpenReadWrite), null);
                if (fd < 0) return fd;
                undo.Push(() => k.Close(fd));
                var alloc = new IommuIoasAlloc { Size = 12 };
                int r = k.Ioctl(fd, IommuFdIoctl.IoasAlloc, &alloc);
                if (r < 0) return r;
                uint ioasId = alloc.OutIoasId;
                var map = new IommuIoasMap { Size = 40, Flags = 7, IoasId = ioasId, UserVa = memory, Length = 0x10000, Iova = 0x100000 };
                r = k.Ioctl(fd, IommuFdIoctl.IoasMap, &map);
                if (r < 0) return r;
                undo.Push(() => { var u = new IommuIoasUnmap { Size = 24, IoasId = ioasId, Iova = 0x100000, Length = 0x10000 }; k.Ioctl(fd, IommuFdIoctl.IoasUnmap, &u); });
                device = k.Open(Path.Combine(t.DevRoot, $"vfio/devices/vfio{t.Cdev}"), LibC.OpenReadWrite);
                if (device < 0) return device;
                undo.Push(() => k.Close(device));
                var bind = new VfioDeviceBindIommufd { Argsz = 24, Iommufd = fd };
                if ((r = k.Ioctl(device, VfioIoctl.DeviceBindIommufd, &bind)) < 0) return r;
                var attach = new VfioDeviceAttachIommufdPt { Argsz = 16, PtId = ioasId };
                if ((r = k.Ioctl(device, VfioIoctl.DeviceAttachIommufdPt, &attach)) < 0) return r;
            }
            else
            {
                int c = k.Open(Path.Combine(t.DevRoot, "vfio/vfio"), LibC.OpenReadWrite);
                if (c < 0) return c;
                undo.Push(() => k.Close(c));
                int g = k.Open(Path.Combine(t.DevRoot, flavour == VfioFlavour.NoIommu ? $"vfio/noiommu-{t.Group}" : $"vfio/{t.Group}"), LibC.OpenReadWrite);
                if (g < 0) return g;
                undo.Push(() => k.Close(g));
                int containerFd = c;
                int r = k.Ioctl(g, VfioIoctl.GroupSetContainer, &containerFd);
                if (r < 0) return r;
                undo.Push(() => k.Ioctl(g, VfioIoctl.GroupUnsetContainer, null));
                r = k.IoctlValue(c, VfioIoctl.SetIommu, (nint)(flavour == VfioFlavour.NoIommu ? VfioConstants.NoiommuIommu : VfioConstants.Type1v2Iommu));
                if (r < 0) return r;
                if (flavour == VfioFlavour.Group)
                {
                    var map = new VfioIommuType1DmaMap { Argsz = 32, Flags = 3, Vaddr = memory, Iova = 0x100000, Size = 0x10000 };
                    if ((r = k.Ioctl(c, VfioIoctl.IommuMapDma, &map)) < 0) return r;
                    undo.Push(() => { var u = new VfioIommuType1DmaUnmap { Argsz = 24, Iova = 0x100000, Size = 0x10000 }; k.Ioctl(c, VfioIoctl.IommuUnmapDma, &u); });
                }
                var name = System.Text.Encoding.ASCII.GetBytes(t.Device + "\0");
                fixed (byte* p = name) device = k.Ioctl(g, VfioIoctl.GroupGetDeviceFd, p);
                if (device < 0) return device;
                undo.Push(() => k.Close(device));
            }
            var info = new VfioDeviceInfo { Argsz = 24 };
            int rr = k.Ioctl(device, VfioIoctl.DeviceGetInfo, &info);
            if (rr < 0) return rr;
            var region = new VfioRegionInfo { Argsz = 32, Index = 0 };
            if ((rr = k.Ioctl(device, VfioIoctl.DeviceGetRegionInfo, &region)) < 0) return rr;
            nint bar = k.Mmap(0, 0x10000, 3, 1, device, (long)region.Offset);
            if (Eal.Platform.KernelResult.IsMmapError(bar)) return (int)bar;
            undo.Push(() => k.Munmap(bar, 0x10000));
            int ev = k.EventFd(0, 0);
            if (ev < 0) return ev;
            undo.Push(() => k.Close(ev));
            var buffer = stackalloc byte[24];
            *(VfioIrqSet*)buffer = new VfioIrqSet { Argsz = 24, Flags = VfioConstants.IrqSetDataEventfd | VfioConstants.IrqSetActionTrigger, Index = VfioConstants.PciMsixIrqIndex, Count = 1 };
            *(int*)(buffer + 20) = ev;
            if ((rr = k.Ioctl(device, VfioIoctl.DeviceSetIrqs, buffer)) < 0) return rr;
            uint v;
            if ((rr = (int)k.PRead(device, &v, 4, 7L << 40)) < 0) return rr;
            _setupDone = t.Emulated!.OperationCount;
            return 0;
        }
        finally
        {
            while (undo.Count > 0) undo.Pop()();
        }
    }
}
