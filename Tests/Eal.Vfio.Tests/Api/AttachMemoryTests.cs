using Eal.Bus;
using Eal.Emulation;
using Eal.Emulation.Kernel;
using Eal.Memory;
using Eal.Memory.Memsegs;
using Eal.Memory.Os;
using Errno = Eal.Vfio.Native.Errno;

namespace Eal.Vfio.Tests.Api;

/// <summary>
/// <see cref="VfioManager.AttachMemory"/> (DPDK's <c>vfio_mem_event_clb</c>) on the emulated kernel with the memory
/// subsystem's real events: allocations map into the default container, frees unmap, existing memory is replayed onto
/// a container when it attaches or becomes ready, adjacent segments stay one mapping per page so each can be freed
/// alone, and a refused map names the errno, the device and the fix and leaves nothing mapped. Every case checks that a
/// device DMA through the IOMMU reaches exactly the memory that is mapped (the model's DMA port).
/// </summary>
[TestFixture(VfioModeRequest.Group)]
[TestFixture(VfioModeRequest.Cdev)]
public sealed unsafe class AttachMemoryTests(VfioModeRequest request)
{
    private const string Device = "0000:01:00.0";
    private const nuint Page = 2 << 20;
    private EmulatedPlatform _platform = null!;
    private EmulatedKernel _kernel = null!;
    private EmulatedMemoryOs _os = null!;
    private MemorySubsystem _memory = null!;
    private VfioManager _vfio = null!;

    private string Base => Path.Combine(_platform.SysfsRoot, "bus", "pci", "devices");

    [SetUp]
    public void SetUp()
    {
        _platform = new EmulatedPlatform(MachineSpec.Parse("vfio=1"));
        _kernel = new EmulatedKernel(_platform);
        _os = EmulatedMemoryOs.With2MPages(16);
        _memory = MemorySubsystem.Create(new MemoryOptions { IovaMode = IovaMode.VA }, _os);
        _vfio = new VfioManager(_kernel, _platform, request);
    }

    [TearDown]
    public void TearDown()
    {
        _vfio.Dispose();
        var held = _kernel.Resources;
        _memory.Dispose();
        _kernel.Dispose();
        _platform.Dispose();
        Assert.That(held.IsEmpty, Is.True, $"the emulated kernel still holds {held} after VfioManager.Dispose");
        Assert.That(_os.HugepagesInUse, Is.Zero, "hugepages still in use after the memory subsystem was disposed");
    }

    private VfioDevice SetupDevice() => _vfio.SetupDevice(Base, Device);

    private long Mappings => _kernel.Resources.DmaMappings;

    /// <summary>Has the device write a pattern at the IOVA of <paramref name="va"/>; true when it landed in that memory.</summary>
    private bool DeviceReaches(nint va)
    {
        var port = _kernel.GetDeviceModel(Device).Dma;
        if (port is null) return false;
        ulong iova = _memory.VirtualToIova(va);
        Assert.That(iova, Is.Not.EqualTo(MemorySubsystem.BadIova), "the memory is backed");
        byte[] pattern = [0x5a, 0xa5, (byte)va, (byte)(va >> 8)];
        if (!port.TryWrite(iova, pattern)) return false;
        Assert.That(new ReadOnlySpan<byte>((void*)va, pattern.Length).ToArray(), Is.EqualTo(pattern), "the DMA landed where the IOVA says");
        return true;
    }

    /// <summary>Has the device write at <paramref name="iova"/> (memory that was freed); true when the IOMMU faulted it.</summary>
    private bool DeviceFaultsAt(ulong iova) => _kernel.GetDeviceModel(Device).Dma is { } port && !port.TryWrite(iova, [1, 2, 3, 4]);

    [Test]
    public void AllocationsMap_FreesUnmap_DisposeStopsFollowingAndUnmaps()
    {
        SetupDevice();
        var registration = _vfio.AttachMemory(_memory);
        Assert.That(Mappings, Is.Zero, "nothing is backed yet");

        nint p = _memory.Heap.Malloc(1 << 20);
        ulong iova = _memory.VirtualToIova(p);
        Assert.That((Mappings, _kernel.Resources.PinnedPages), Is.EqualTo((1L, (long)(Page / 4096))), "one 2 MiB page mapped");
        Assert.That(DeviceReaches(p), Is.True);

        _memory.Heap.Free(p);
        Assert.That(Mappings, Is.Zero, "the page was released and unmapped");
        Assert.That(DeviceFaultsAt(iova), Is.True, "DMA to freed memory faults");
        Assert.That(_kernel.Faults[^1].Iova, Is.EqualTo(iova));

        nint q = _memory.Heap.Malloc(1 << 20);
        Assert.That(Mappings, Is.EqualTo(1));
        registration.Dispose();
        Assert.That(Mappings, Is.Zero, "detaching unmaps the memory it mapped (a stale mapping would outlive a later free)");
        _memory.Heap.Free(q);
        nint r = _memory.Heap.Malloc(1 << 20);
        Assert.That(Mappings, Is.Zero, "no longer following events");
        _memory.Heap.Free(r);
        registration.Dispose(); // twice is harmless
    }

    [Test]
    public void ExistingMemory_IsReplayed_WhenAttaching()
    {
        nint p = _memory.Heap.Malloc(3 << 20); // two pages, allocated before VFIO knows the memory
        SetupDevice();
        Assert.That(Mappings, Is.Zero);
        using (_vfio.AttachMemory(_memory))
        {
            Assert.That(Mappings, Is.EqualTo(2), "one mapping per page");
            Assert.That(DeviceReaches(p) && DeviceReaches(p + (nint)Page), Is.True);
            var e = Assert.Throws<VfioException>(() => _vfio.AttachMemory(_memory))!;
            Assert.That(e.Message, Is.EqualTo("AttachMemory failed: a memory subsystem is already attached (EBUSY); dispose the previous registration first"));
        }

        _memory.Heap.Free(p);
    }

    [Test]
    public void MemoryAllocatedBeforeTheFirstDevice_IsMappedWhenTheContainerBecomesReady()
    {
        using var registration = _vfio.AttachMemory(_memory);
        nint p = _memory.Heap.Malloc(1 << 20);
        Assert.That(Mappings, Is.Zero, "no container is open until the first device is set up");
        SetupDevice();
        Assert.That(Mappings, Is.EqualTo(1));
        Assert.That(DeviceReaches(p), Is.True);

        // The device leaves and comes back: a group container lost its IOMMU with its last group, and maps again.
        _vfio.ReleaseDevice(_vfio.FindDevice(Device)!);
        Assert.That(Mappings, Is.EqualTo(request == VfioModeRequest.Group ? 0 : 1));
        SetupDevice();
        Assert.That(Mappings, Is.EqualTo(1));
        Assert.That(DeviceReaches(p), Is.True);
        _memory.Heap.Free(p);
        Assert.That(Mappings, Is.Zero);
    }

    [Test]
    public void AdjacentSegments_AreReplayedPageByPage_SoEachCanBeFreedAlone()
    {
        var events = new List<(nint Address, ulong Iova)>(); // the IOVA as it was when the page was backed
        using (_memory.RegisterEventCallback("test", (in MemoryEvent e) => events.Add((e.Address, e.Iova))))
        {
            nint a = _memory.Heap.Malloc(3 << 19); // 1.5 MiB: a page each
            nint b = _memory.Heap.Malloc(3 << 19);
            Assert.That(events, Has.Count.EqualTo(2));
            Assert.That(events[1].Address, Is.EqualTo(events[0].Address + (nint)Page), "the two pages are adjacent in VA (and IOVA)");
            var ranges = new List<nuint>();
            _memory.ForEachBackedRange((in MemoryEvent e) => ranges.Add(e.Length));
            Assert.That(ranges, Is.EqualTo(new[] { 2 * Page }), "the memory subsystem reports them as one range");

            SetupDevice();
            using (_vfio.AttachMemory(_memory))
            {
                Assert.That(Mappings, Is.EqualTo(2), "the merged range is mapped page by page");
                _memory.Heap.Free(a);
                Assert.That(Mappings, Is.EqualTo(1), "freeing the first page unmaps it alone (type1/IOMMUFD cannot cut a mapping)");
                Assert.That(DeviceReaches(b), Is.True, "its neighbour stays mapped");
                Assert.That(DeviceFaultsAt(events[0].Iova), Is.True);
                _memory.Heap.Free(b);
                Assert.That(Mappings, Is.Zero);
            }
        }
    }

    [Test]
    public void MapFailureWhileReplaying_NamesErrnoDeviceAndFix_LeavesNothingMapped()
    {
        nint p = _memory.Heap.Malloc(5 << 20); // three pages
        SetupDevice();
        _kernel.FailNth(2, Errno.ENOMEM); // the second page's map
        var e = Assert.Throws<VfioException>(() => _vfio.AttachMemory(_memory))!;
        Assert.That(e.Errno, Is.EqualTo(Errno.ENOMEM));
        Assert.That(e.Message, Does.Contain($"on {Device}").And.Contain("(ENOMEM)").And.Contain("raise RLIMIT_MEMLOCK (ulimit -l)")
            .And.Contain($"mapping VA 0x{(p & ~(nint)(Page - 1)) + (nint)Page:x}"));
        Assert.That(Mappings, Is.Zero, "the first page's mapping was undone");

        using (_vfio.AttachMemory(_memory))
        {
            Assert.That(Mappings, Is.EqualTo(3), "a failed attach leaves no registration behind: attaching again works");
        }

        _memory.Heap.Free(p);
    }

    [Test]
    public void MapFailureOnAllocation_RefusesIt_RollsBackTheMemory_LeavesNothingMapped()
    {
        SetupDevice();
        using var registration = _vfio.AttachMemory(_memory);
        nint kept = _memory.Heap.Malloc(1 << 20);
        _kernel.FailNth(2, Errno.ENOSPC); // the second of three pages
        var e = Assert.Throws<MemoryException>(() => _memory.Heap.Malloc(5 << 20))!;
        Assert.That(e.Message, Does.Contain("(ENOSPC)").And.Contain($"on {Device}").And.Contain("dma_entry_limit").And.Contain("the allocation was rolled back"));
        Assert.That(Mappings, Is.EqualTo(1), "only the earlier allocation stays mapped");
        Assert.That(_memory.UsedBytes(0), Is.EqualTo((ulong)Page), "the refused pages were released");
        Assert.That(DeviceReaches(kept), Is.True);
        _memory.Heap.Free(kept);
    }

    [Test]
    public void TheEntryLimit_RefusesTheAllocationThatWouldPassIt()
    {
        if (request != VfioModeRequest.Group) Assert.Ignore("dma_entry_limit is a vfio_iommu_type1 parameter");
        _kernel.DmaEntryLimit = 2;
        SetupDevice();
        using var registration = _vfio.AttachMemory(_memory);
        var e = Assert.Throws<MemoryException>(() => _memory.Heap.Malloc(5 << 20))!;
        Assert.That(e.Message, Does.Contain("VFIO_IOMMU_MAP_DMA (DPDK memory)").And.Contain("(ENOSPC)").And.Contain("map larger chunks"));
        Assert.That(Mappings, Is.Zero);
        Assert.That(_memory.UsedBytes(0), Is.Zero);
    }

    /// <summary>Fails each kernel operation of setup / attach / alloc / free / detach / release in turn.</summary>
    [Test]
    public void FailureInjection_EveryOperation_LeavesNoMappingsNoPinnedPagesNoMemory()
    {
        int n = 1;
        for (; n < 200; n++)
        {
            _kernel.FailNth(n, Errno.EIO);
            bool failed = false;
            try
            {
                using var vfio = new VfioManager(_kernel, _platform, request);
                nint before = _memory.Heap.Malloc(1 << 20);
                try
                {
                    var dev = vfio.SetupDevice(Base, Device);
                    using (vfio.AttachMemory(_memory))
                    {
                        nint p = _memory.Heap.Malloc(3 << 20);
                        _memory.Heap.Free(p);
                    }

                    vfio.ReleaseDevice(dev);
                }
                finally
                {
                    _memory.Heap.Free(before);
                }
            }
            catch (Exception e) when (e is VfioException or MemoryException)
            {
                failed = true;
                Assert.That(e.Message, Does.Contain("EIO"), "the error names the errno");
            }

            _kernel.ClearFailure();
            Assert.That(_kernel.Resources.IsEmpty, Is.True, $"failing operation {n}: the kernel still holds {_kernel.Resources}");
            Assert.That(_memory.UsedBytes(0), Is.Zero, $"failing operation {n}: memory still backed");
            if (!failed) break;
        }

        Assert.That(n, Is.GreaterThan(5).And.LessThan(200));
    }
}

/// <summary>No-IOMMU mode: there is no IOMMU to program, so memory events make no kernel call and never fail.</summary>
[TestFixture]
public sealed class AttachMemoryNoIommuTests
{
    [Test]
    public void MemoryEvents_MakeNoKernelCalls()
    {
        using var platform = new EmulatedPlatform(MachineSpec.Parse("iommu=off,noiommu=on,vfio=1"));
        using var kernel = new EmulatedKernel(platform);
        using var memory = MemorySubsystem.Create(new MemoryOptions { IovaMode = IovaMode.PA }, EmulatedMemoryOs.With2MPages(8));
        using (var vfio = new VfioManager(kernel, platform, VfioModeRequest.NoIommu))
        {
            var dev = vfio.SetupDevice(Path.Combine(platform.SysfsRoot, "bus", "pci", "devices"), "0000:01:00.0");
            Assert.That(dev.Mode, Is.EqualTo(VfioMode.NoIommu));
            nint existing = memory.Heap.Malloc(1 << 20);
            long calls = kernel.OperationCount;
            using (vfio.AttachMemory(memory))
            {
                nint p = memory.Heap.Malloc(3 << 20);
                memory.Heap.Free(p);
            }

            Assert.That(kernel.OperationCount, Is.EqualTo(calls));
            memory.Heap.Free(existing);
        }

        Assert.That(kernel.Resources.IsEmpty, Is.True);
    }
}
