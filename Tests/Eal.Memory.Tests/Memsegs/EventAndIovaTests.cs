using Eal.Bus;
using Eal.Memory.Memsegs;
using Eal.Memory.Os;
using NUnit.Framework;

namespace Eal.Memory.Tests.Memsegs;

[TestFixture]
public class EventAndIovaTests
{
    [Test]
    public void Events_ReportAllocAndFreeOfBackedPages()
    {
        using var mem = MemorySubsystem.Create(new MemoryOptions { IovaMode = IovaMode.VA }, EmulatedMemoryOs.With2MPages(8));
        var seen = new List<(MemoryEventType, nint, nuint, ulong)>();
        using (mem.RegisterEventCallback("vfio", (in MemoryEvent e) => seen.Add((e.Type, e.Address, e.Length, e.Iova))))
        {
            nint p = mem.Heap.Malloc(1 << 20);
            mem.Heap.Free(p);
        }

        Assert.That(seen, Has.Count.EqualTo(2));
        Assert.That(seen[0].Item1, Is.EqualTo(MemoryEventType.Alloc));
        Assert.That(seen[1].Item1, Is.EqualTo(MemoryEventType.Free));
        Assert.That(seen[0].Item3, Is.EqualTo((nuint)(2 << 20)));
        Assert.That(seen[1].Item2, Is.EqualTo(seen[0].Item2));
        Assert.That(seen[0].Item4, Is.EqualTo((ulong)seen[0].Item2), "IOVA as VA");
    }

    [Test]
    public void RefusingAllocCallback_RollsBackTheAllocation_AndUndoesEarlierCallbacks()
    {
        var os = EmulatedMemoryOs.With2MPages(8);
        using var mem = MemorySubsystem.Create(new MemoryOptions(), os);
        var first = new List<MemoryEventType>();
        mem.RegisterEventCallback("a", (in MemoryEvent e) => first.Add(e.Type));
        mem.RegisterEventCallback("b", (in MemoryEvent e) =>
        {
            if (e.Type == MemoryEventType.Alloc)
            {
                throw new InvalidOperationException("DMA map failed: ENOSPC");
            }
        });
        var ex = Assert.Throws<MemoryException>(() => mem.Heap.Malloc(1 << 20));
        Assert.That(ex!.Message, Does.Contain("Memory event callback 'b' refused 0x200000 bytes").And.Contain("(DMA map failed: ENOSPC); the allocation was rolled back."));
        Assert.That(first, Is.EqualTo(new[] { MemoryEventType.Alloc, MemoryEventType.Free }));
        Assert.That(mem.UsedBytes(0), Is.Zero);
        Assert.That(os.HugepagesInUse, Is.Zero);
        Assert.That(os.HugepageFiles, Is.Empty);
        Assert.That(mem.Heap.GetStats(0).TotalBytes, Is.Zero);
    }

    [Test]
    public void DuplicateCallbackName_IsRejected()
    {
        using var mem = MemorySubsystem.Create(new MemoryOptions { NoHuge = true, MemoryMb = 4 }, new LinuxMemoryOs());
        mem.RegisterEventCallback("x", (in MemoryEvent _) => { });
        Assert.That(Assert.Throws<MemoryException>(() => mem.RegisterEventCallback("x", (in MemoryEvent _) => { }))!.Message,
            Is.EqualTo("A memory event callback named 'x' is already registered; unregister it first or use another name."));
        Assert.That(mem.UnregisterEventCallback("x"), Is.True);
        Assert.That(mem.UnregisterEventCallback("x"), Is.False);
    }

    [Test]
    public void IovaAsPa_UsesPagemapAnswers_PerHugepage()
    {
        var os = EmulatedMemoryOs.With2MPages(8);
        using var mem = MemorySubsystem.Create(new MemoryOptions { IovaMode = IovaMode.PA, MemoryMb = 4 }, os);
        Assert.That(mem.IovaMode, Is.EqualTo(IovaMode.PA));
        var list = mem.MemsegLists[0];
        Assert.That(list[0].Iova, Is.EqualTo(os.VirtualToPhysical(list[0].Address)));
        Assert.That(list[0].Iova, Is.Not.EqualTo((ulong)list[0].Address));
        Assert.That(mem.VirtualToIova(list[0].Address + 0x1234), Is.EqualTo(list[0].Iova + 0x1234));
        Assert.That(mem.VirtualToIova(12345), Is.EqualTo(MemorySubsystem.BadIova));
    }

    [Test]
    public void IovaAsPa_WithoutPhysicalAddresses_FailsSayingWhatToDo()
    {
        var os = EmulatedMemoryOs.With2MPages(8);
        os.PhysicalAddresses.Available = false;
        var e = Assert.Throws<MemoryException>(() => MemorySubsystem.Create(new MemoryOptions { IovaMode = IovaMode.PA }, os));
        Assert.That(e!.Message, Does.StartWith("Cannot use IOVA as 'PA' since physical addresses are not available").And.Contain("or use --iova-mode=va."));
    }

    [Test]
    public void DontCare_PicksVaWhenPhysicalAddressesAreUnavailable_OrAnIommuIsPresent_ElsePa()
    {
        var noPhys = EmulatedMemoryOs.With2MPages(4);
        noPhys.PhysicalAddresses.Available = false;
        using (var m = MemorySubsystem.Create(new MemoryOptions(), noPhys))
        {
            Assert.That(m.IovaMode, Is.EqualTo(IovaMode.VA));
        }

        var withIommu = new EmulatedMemoryOs([new EmulatedHugepagePool(2 << 20, [4])], [("/dev/hugepages", 2 << 20)], 1, iommuGroups: 2);
        using (var m = MemorySubsystem.Create(new MemoryOptions(), withIommu))
        {
            Assert.That(m.IovaMode, Is.EqualTo(IovaMode.VA));
        }

        using (var m = MemorySubsystem.Create(new MemoryOptions(), EmulatedMemoryOs.With2MPages(4)))
        {
            Assert.That(m.IovaMode, Is.EqualTo(IovaMode.PA));
        }
    }

    [Test]
    public unsafe void ExternalMemory_IsRegisteredWithItsIovas_AndAnnouncedToCallbacks()
    {
        using var mem = MemorySubsystem.Create(new MemoryOptions { NoHuge = true, MemoryMb = 4, IovaMode = IovaMode.VA }, new LinuxMemoryOs());
        var events = new List<(MemoryEventType Type, ulong Iova, nuint Length)>();
        mem.RegisterEventCallback("map", (in MemoryEvent e) => events.Add((e.Type, e.Iova, e.Length)));
        nint buffer = (nint)System.Runtime.InteropServices.NativeMemory.AlignedAlloc(4 * 4096, 4096);
        try
        {
            var list = mem.RegisterExternalMemory(buffer, 4 * 4096, 4096, [0x10000, 0x20000, 0x30000, 0x40000]);
            Assert.That(list.IsExternal, Is.True);
            Assert.That(mem.VirtualToIova(buffer + 4096 + 8), Is.EqualTo(0x20008UL));
            Assert.That(Assert.Throws<MemoryException>(() => mem.RegisterExternalMemory(buffer, 4096, 4096))!.Message, Does.Contain("overlaps extmem-"));
            mem.UnregisterExternalMemory(buffer);
            Assert.That(mem.VirtualToIova(buffer), Is.EqualTo(MemorySubsystem.BadIova));
            Assert.That(events, Is.EqualTo(new[] { (MemoryEventType.Alloc, 0x10000UL, (nuint)(4 * 4096)), (MemoryEventType.Free, 0x10000UL, (nuint)(4 * 4096)) }));
            Assert.That(Assert.Throws<MemoryException>(() => mem.UnregisterExternalMemory(buffer))!.Message, Does.StartWith("No external memory is registered at 0x"));
        }
        finally
        {
            System.Runtime.InteropServices.NativeMemory.AlignedFree((void*)buffer);
        }
    }
}
