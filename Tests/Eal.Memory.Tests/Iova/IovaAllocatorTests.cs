using Eal.Bus;
using Eal.Memory.Iova;
using Eal.Memory.Os;
using NUnit.Framework;

namespace Eal.Memory.Tests.Iova;

[TestFixture]
public class IovaAllocatorTests
{
    private static SoftwareIovaAllocator Create() => new(
        [new IovaRange(0, 0xffff_ffff)],
        [IovaRange.X86MsiWindow],
        [IovaRange.FromLength(0x1000_0000, 0x1000_0000)]);

    [Test]
    public void Allocations_StayInsideValidRanges_AndAvoidReservedAndKernelHeldRanges()
    {
        var a = Create();
        var got = new List<IovaRange>();
        while (a.TryAllocate(0x100_0000, 0x100_0000, out ulong iova))
        {
            got.Add(IovaRange.FromLength(iova, 0x100_0000));
        }

        // 4 GiB minus 256 MiB held by the kernel minus the 16 MiB-aligned chunk holding the MSI window.
        Assert.That(got, Has.Count.EqualTo(256 - 16 - 1));
        Assert.That(got.Any(r => r.Overlaps(IovaRange.X86MsiWindow)), Is.False);
        Assert.That(got.Any(r => r.Overlaps(IovaRange.FromLength(0x1000_0000, 0x1000_0000))), Is.False);
        Assert.That(got.All(r => r.Last <= 0xffff_ffff && r.First % 0x100_0000 == 0), Is.True);
        Assert.That(got.Distinct().Count(), Is.EqualTo(got.Count));
    }

    [Test]
    public void Exhaustion_IsReportedWithTheLargestFreeRange()
    {
        var a = new SoftwareIovaAllocator([new IovaRange(0x10000, 0x1ffff)], [], [new IovaRange(0x18000, 0x18fff)]);
        var e = Assert.Throws<MemoryException>(() => a.Allocate(0x9000));
        Assert.That(e!.Message, Is.EqualTo("IOVA space exhausted: cannot allocate 0x9000 bytes (alignment 0x1000) in 0x10000-0x1ffff minus 0x18000-0x18fff; the largest free range is 0x8000 bytes. Free IOVAs, map smaller chunks, or give the domain a larger aperture."));
    }

    [Test]
    public void Free_MergesNeighbours_SoTheWholeSpaceCanBeAllocatedAgain()
    {
        var a = new SoftwareIovaAllocator([new IovaRange(0x100000, 0x1fffff)], [], []);
        var iovas = Enumerable.Range(0, 256).Select(_ => a.Allocate(0x1000)).ToList();
        Assert.That(a.TryAllocate(0x1000, 0, out _), Is.False);
        foreach (ulong i in iovas.OrderBy(x => (x * 7919) % 257))
        {
            a.Free(i);
        }

        Assert.That(a.FreeBytes, Is.EqualTo(0x100000UL));
        Assert.That(a.Allocate(0x100000), Is.EqualTo(0x100000UL));
        Assert.That(Assert.Throws<MemoryException>(() => a.Free(0x123000))!.Message, Is.EqualTo("IOVA 0x123000 was not allocated by this allocator (freed twice?)."));
    }

    [Test]
    public void Reserve_TakesAFixedRange_AndRefusesReservedOnes()
    {
        var a = Create();
        a.Reserve(0x2000_0000, 0x10000);
        Assert.That(Assert.Throws<MemoryException>(() => a.Reserve(0xfee0_0000, 0x1000))!.Message,
            Is.EqualTo("IOVA range 0xfee00000-0xfee00fff is not free in 0x0-0xffffffff minus 0xfee00000-0xfeefffff, 0x10000000-0x1fffffff (reserved region, kernel-held range, outside the aperture, or already allocated)."));
        Assert.Throws<MemoryException>(() => a.Reserve(0x2000_8000, 0x1000));
        a.Free(0x2000_0000);
        a.Reserve(0x2000_8000, 0x1000);
    }

    [Test]
    public void VaCheck_FailsWhenTheListsDoNotFitTheIommuWidth_AndSuggestsTheFix()
    {
        using var mem = MemorySubsystem.Create(new MemoryOptions { BaseVirtAddr = 0x7000_0000_0000, MaxListMemoryMb = 64 }, EmulatedMemoryOs.With2MPages(4));
        string? problem = IovaAddressCheck.FindProblem(mem.MemsegLists, 39, device: "0000:01:00.0");
        Assert.That(problem, Does.StartWith("IOVA as VA does not fit 0000:01:00.0: memseg-2048k-0-0 spans 0x700000000000-0x700003ffffff but its IOMMU addresses 39 bits (IOVAs up to 0x7fffffffff).")
            .And.Contain("Restart with --base-virtaddr").And.EndWith("or use --iova-mode=pa."));
        Assert.That(IovaAddressCheck.FindProblem(mem.MemsegLists, 48), Is.Null);
        Assert.That(IovaAddressCheck.ChooseMode(problem, physicalAddressesAvailable: true, allowFallback: true), Is.EqualTo(IovaMode.PA));
        Assert.Throws<MemoryException>(() => IovaAddressCheck.ChooseMode(problem, physicalAddressesAvailable: false, allowFallback: true));
        Assert.That(IovaAddressCheck.FindProblem(mem.MemsegLists, 48, [new IovaRange(0, 0xffff_ffff)]), Does.Contain("outside the IOMMU's valid ranges 0x0-0xffffffff"));
    }

    [Test]
    public void VaCheck_FailsWhenAListOverlapsAReservedRegion()
    {
        using var mem = MemorySubsystem.Create(new MemoryOptions { BaseVirtAddr = 0xfe00_0000, MaxListMemoryMb = 64 }, EmulatedMemoryOs.With2MPages(4));
        Assert.That(IovaAddressCheck.FindProblem(mem.MemsegLists, 48, reservedRegions: [IovaRange.X86MsiWindow]),
            Does.Contain("overlapping the IOMMU's reserved region 0xfee00000-0xfeefffff"));
    }
}
