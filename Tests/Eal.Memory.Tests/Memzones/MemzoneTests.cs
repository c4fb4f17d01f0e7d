using Eal.Bus;
using Eal.Memory.Memzones;
using Eal.Memory.Os;
using NUnit.Framework;

namespace Eal.Memory.Tests.Memzones;

[TestFixture]
public class MemzoneTests
{
    [Test]
    public void Reserve_Lookup_Walk_Free()
    {
        using var mem = MemorySubsystem.Create(new MemoryOptions { IovaMode = IovaMode.VA }, EmulatedMemoryOs.With2MPages(16));
        var a = mem.Memzones.Reserve("rxq_ring_0", 10000, 0, 4096);
        var b = mem.Memzones.Reserve("bounded", 3000, alignment: 128, bound: 4096);
        Assert.That((long)a.Address % 4096, Is.Zero);
        Assert.That(a.Iova, Is.EqualTo((ulong)a.Address));
        Assert.That(a.IovaAt(5000), Is.EqualTo((ulong)a.Address + 5000));
        Assert.That(b.Address / 4096, Is.EqualTo((b.Address + 2999) / 4096));
        Assert.That(mem.Memzones.Lookup("rxq_ring_0"), Is.SameAs(a));
        var names = new List<string>();
        mem.Memzones.Walk(z => names.Add(z.Name));
        Assert.That(names, Is.EqualTo(new[] { "bounded", "rxq_ring_0" }));
        mem.Memzones.Free(a);
        Assert.That(mem.Memzones.Lookup("rxq_ring_0"), Is.Null);
        Assert.That(Assert.Throws<MemoryException>(() => mem.Memzones.Free(a))!.Message, Is.EqualTo("Memzone 'rxq_ring_0' is not reserved here (already freed?)."));
        Assert.That(mem.Memzones.Count, Is.EqualTo(1));
    }

    [Test]
    public void DuplicateAndOverlongNames_AreRejected()
    {
        using var mem = MemorySubsystem.Create(new MemoryOptions(), EmulatedMemoryOs.With2MPages(4));
        mem.Memzones.Reserve("z", 64);
        Assert.That(Assert.Throws<MemoryException>(() => mem.Memzones.Reserve("z", 64))!.Message,
            Is.EqualTo("Memzone 'z' already exists; look it up with Lookup(\"z\") or choose another name."));
        Assert.That(Assert.Throws<ArgumentException>(() => mem.Memzones.Reserve(new string('n', 32), 64))!.Message,
            Does.StartWith($"Memzone name '{new string('n', 32)}' is 32 characters; it must have 1 to 31."));
        mem.Memzones.Reserve(new string('n', 31), 64);
    }

    [Test]
    public void ReserveBeyondMemory_SaysWhy_AndAsDmaProviderRoundTrips()
    {
        using var mem = MemorySubsystem.Create(new MemoryOptions(), EmulatedMemoryOs.With2MPages(2));
        var e = Assert.Throws<MemoryException>(() => mem.Memzones.Reserve("huge", 8 << 20));
        Assert.That(e!.Message, Does.StartWith("Cannot reserve memzone 'huge' (8388608 bytes, socket any, flags None): ").And.Contain("not enough free 2048 kB hugepages on socket 0"));
        IDmaMemoryProvider provider = mem.Memzones;
        var region = provider.Reserve("pool", 1 << 20, 64, -1);
        Assert.That(region.Length, Is.EqualTo((nuint)(1 << 20)));
        Assert.That(region.Socket, Is.Zero);
        provider.Release(region);
        Assert.That(mem.UsedBytes(0), Is.Zero);
    }
}

/// <summary>RTE_MEMZONE_2MB/1GB/SIZE_HINT_ONLY and RTE_MEMZONE_IOVA_CONTIG.</summary>
[TestFixture]
public class MemzoneFlagTests
{
    private const nuint TwoMb = 2 << 20;
    private const nuint OneGb = 1 << 30;

    [Test]
    public void PageSizeFlags_PickTheListOfThatSize()
    {
        var os = new EmulatedMemoryOs(
            [new EmulatedHugepagePool(TwoMb, [8]), new EmulatedHugepagePool(OneGb, [2])],
            [("/dev/hugepages", TwoMb), ("/dev/hugepages1G", OneGb)]);
        using var mem = MemorySubsystem.Create(new MemoryOptions { IovaMode = IovaMode.VA }, os);
        var big = mem.Memzones.Reserve("on1g", 4096, flags: MemzoneFlags.Page1G);
        var small = mem.Memzones.Reserve("on2m", 4096, flags: MemzoneFlags.Page2M);
        var either = mem.Memzones.Reserve("either", 4096, flags: MemzoneFlags.Page2M | MemzoneFlags.Page1G);
        Assert.That(big.PageSize, Is.EqualTo(OneGb));
        Assert.That(mem.FindList(big.Address)!.PageSize, Is.EqualTo(OneGb));
        Assert.That(small.PageSize, Is.EqualTo(TwoMb));
        Assert.That(either.PageSize, Is.EqualTo(TwoMb).Or.EqualTo(OneGb));
        Assert.That(big.Flags, Is.EqualTo(MemzoneFlags.Page1G));
        Assert.That(big.ToString(), Does.EndWith($"hugepage_sz {OneGb}"));
    }

    [Test]
    public void MissingPageSize_FailsSayingSo_UnlessSizeHintOnly()
    {
        using var mem = MemorySubsystem.Create(new MemoryOptions(), EmulatedMemoryOs.With2MPages(8));
        var e = Assert.Throws<MemoryException>(() => mem.Memzones.Reserve("want1g", 4096, flags: MemzoneFlags.Page1G));
        Assert.That(e!.Message, Does.StartWith("Cannot reserve memzone 'want1g' (4096 bytes, socket any, flags Page1G): ")
            .And.Contain("no memseg list of 1048576 kB pages on socket 0"));
        Assert.That(mem.UsedBytes(0), Is.Zero, "nothing was backed for the failed reservation");

        var hinted = mem.Memzones.Reserve("hint1g", 4096, flags: MemzoneFlags.Page1G | MemzoneFlags.SizeHintOnly);
        Assert.That(hinted.PageSize, Is.EqualTo(TwoMb));
    }

    [Test]
    public void IovaContig_InPaModeOnAFragmentedMachine_StaysInsideAPage_OrFailsClearly()
    {
        var os = EmulatedMemoryOs.With2MPages(16);
        os.PhysicalAddresses.GapBetweenFrames = TwoMb; // no two hugepages are physically adjacent
        using var mem = MemorySubsystem.Create(new MemoryOptions { IovaMode = IovaMode.PA }, os);

        var contig = mem.Memzones.Reserve("desc", 1 << 20, alignment: 4096, flags: MemzoneFlags.IovaContiguous);
        Assert.That(contig.IovaAt(contig.Length - 1), Is.EqualTo(contig.Iova + contig.Length - 1));

        // 3 MiB spans two hugepages: fine without the flag (IOVA has a hole), impossible with it.
        var scattered = mem.Memzones.Reserve("scattered", 3 << 20);
        Assert.That(scattered.IovaAt(scattered.Length - 1), Is.Not.EqualTo(scattered.Iova + scattered.Length - 1));
        var e = Assert.Throws<MemoryException>(() => mem.Memzones.Reserve("dma3m", 3 << 20, flags: MemzoneFlags.IovaContiguous));
        Assert.That(e!.Message, Does.StartWith("Cannot reserve memzone 'dma3m'").And.Contain("no IOVA-contiguous run of").And.Contain("--iova-mode=va"));
        Assert.That(mem.Heap.Validate(), Is.Null);
    }

    [Test]
    public void IovaContig_InVaMode_AlwaysHolds()
    {
        using var mem = MemorySubsystem.Create(new MemoryOptions { IovaMode = IovaMode.VA }, EmulatedMemoryOs.With2MPages(16));
        var zone = mem.Memzones.Reserve("big", 5 << 20, flags: MemzoneFlags.IovaContiguous);
        Assert.That(zone.IovaAt(zone.Length - 1), Is.EqualTo(zone.Iova + zone.Length - 1));
    }

    [Test]
    public void BadFlags_AreRejectedWithTheReason()
    {
        using var mem = MemorySubsystem.Create(new MemoryOptions(), EmulatedMemoryOs.With2MPages(4));
        Assert.That(Assert.Throws<ArgumentException>(() => mem.Memzones.Reserve("x", 64, flags: (MemzoneFlags)0x8))!.Message,
            Does.StartWith("Memzone 'x': unknown flags 0x8"));
        Assert.That(Assert.Throws<ArgumentException>(() => mem.Memzones.Reserve("y", 64, flags: MemzoneFlags.SizeHintOnly))!.Message,
            Does.StartWith("Memzone 'y': SizeHintOnly qualifies a page-size flag"));
        Assert.That(mem.Memzones.Count, Is.Zero);
    }
}
