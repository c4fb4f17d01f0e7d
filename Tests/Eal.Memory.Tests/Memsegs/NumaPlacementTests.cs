using Eal.Memory.Hugepages;
using Eal.Memory.Os;
using NUnit.Framework;

namespace Eal.Memory.Tests.Memsegs;

/// <summary>Memory of socket N is bound to NUMA node N (MPOL_BIND through the seam), on the emulated and the real kernel.</summary>
[TestFixture]
public class NumaPlacementTests
{
    private const nuint TwoMb = 2 << 20;

    [Test]
    public void SocketMem_EveryPageIsMappedAndAllocatedBoundToItsSocket()
    {
        var os = EmulatedMemoryOs.With2MPages(8, 8);
        using var mem = MemorySubsystem.Create(new MemoryOptions { SocketMemMb = [4, 6], FilePrefix = "numa" }, os);
        foreach (var list in mem.MemsegLists)
        {
            for (int i = 0; i < list.Capacity; i++)
            {
                if (list.IsBacked(i))
                {
                    Assert.That(os.PlacementOf(list.AddressOf(i)), Is.EqualTo(NumaPlacement.BindTo(list.Socket)), $"{list.Name} page {i}");
                    Assert.That(os.NodeOf(list.AddressOf(i)), Is.EqualTo(list.Socket));
                }
            }
        }

        // fallocate of each hugepage file ran under the thread policy of its socket: 2 pages on 0, then 3 on 1.
        Assert.That(os.AllocatePlacements, Is.EqualTo(new[]
        {
            NumaPlacement.BindTo(0), NumaPlacement.BindTo(0), NumaPlacement.BindTo(1), NumaPlacement.BindTo(1), NumaPlacement.BindTo(1),
        }));
    }

    [Test]
    public void SingleFileAndAnonymousHugepages_AreBoundToo()
    {
        var single = EmulatedMemoryOs.With2MPages(4, 4);
        using (var mem = MemorySubsystem.Create(new MemoryOptions { SocketMemMb = [2, 2], SingleFileSegments = true, FilePrefix = "sf" }, single))
        {
            var list1 = mem.MemsegLists.Single(l => l.Socket == 1);
            Assert.That(single.PlacementOf(list1.AddressOf(0)), Is.EqualTo(NumaPlacement.BindTo(1)));
        }

        var anon = EmulatedMemoryOs.With2MPages(4, 4);
        using (var mem = MemorySubsystem.Create(new MemoryOptions { SocketMemMb = [2, 2], InMemory = true }, anon))
        {
            var list1 = mem.MemsegLists.Single(l => l.Socket == 1);
            Assert.That(anon.PlacementOf(list1.AddressOf(0)), Is.EqualTo(NumaPlacement.BindTo(1)));
            Assert.That(anon.HugepageFiles, Is.Empty, "--in-memory maps anonymous hugepages");
        }
    }

    [Test]
    public void GrowthOnAFullSocket_FailsInsteadOfTakingAnotherSocketsPages()
    {
        var os = EmulatedMemoryOs.With2MPages(16, 2);
        using var mem = MemorySubsystem.Create(new MemoryOptions(), os);
        var e = Assert.Throws<MemoryException>(() => mem.Heap.Malloc(8 << 20, socket: 1));
        Assert.That(e!.Message, Does.Contain("not enough free 2048 kB hugepages on socket 1").And.Contain("node1/hugepages/hugepages-2048kB/nr_hugepages"));
        Assert.That(os.FreePages(TwoMb, 0), Is.EqualTo(16), "socket 0's pages were not touched");
        Assert.That(os.FreePages(TwoMb, 1), Is.EqualTo(2));
    }

    [Test]
    public void BindingRefused_SaysWhichNodeAndWhatToDo_AndRollsBack()
    {
        var os = EmulatedMemoryOs.With2MPages(8, 8);
        using var mem = MemorySubsystem.Create(new MemoryOptions(), os);
        os.FailNth(EmulatedMemoryOs.BindOperation, 1, Errno.EINVAL);
        var e = Assert.Throws<MemoryException>(() => mem.Heap.Malloc(1 << 20, socket: 1));
        Assert.That(e!.Message, Does.Contain("Cannot bind memseg-2048k-1-0 (socket 1) to NUMA node 1")
            .And.Contain("failed: EINVAL").And.Contain("/emulated/sys/devices/system/node"));
        Assert.That(os.HugepagesInUse, Is.Zero);
        Assert.That(os.OpenDescriptors, Is.Zero);
        Assert.That(mem.Heap.Malloc(1 << 20, socket: 1), Is.Not.Zero, "the next attempt binds and succeeds");
    }

    [Test]
    public void EmulatedKernel_RejectsANodeThatDoesNotExist_AsMbindDoes()
    {
        var os = EmulatedMemoryOs.With2MPages(4);
        nint va = os.ReserveAddressSpace(0, TwoMb, TwoMb);
        try
        {
            var e = Assert.Throws<MemoryOsException>(() => os.MapAnonymous(va, TwoMb, TwoMb, NumaPlacement.BindTo(1)));
            Assert.That(e!.Call, Is.EqualTo("mbind"));
            Assert.That(e.ErrorNumber, Is.EqualTo(Errno.EINVAL));
            Assert.That(os.FreePages(TwoMb, 0), Is.EqualTo(4));
        }
        finally
        {
            os.Unmap(va, TwoMb);
        }
    }

    [Test]
    public void PreferredPolicy_FallsBackToAnotherNode_BindDoesNot()
    {
        var os = EmulatedMemoryOs.With2MPages(2, 0);
        nint va = os.ReserveAddressSpace(0, TwoMb, TwoMb);
        try
        {
            Assert.Throws<MemoryOsException>(() => os.MapAnonymous(va, TwoMb, TwoMb, NumaPlacement.BindTo(1)));
            os.MapAnonymous(va, TwoMb, TwoMb, new NumaPlacement(1, NumaPolicy.Preferred));
            Assert.That(os.NodeOf(va), Is.EqualTo(0));
            Assert.That(os.PlacementOf(va), Is.EqualTo(new NumaPlacement(1, NumaPolicy.Preferred)));
        }
        finally
        {
            os.Unmap(va, TwoMb);
        }

        Assert.That(os.PlacementOf(va), Is.Null, "an unmapped range has no policy");
    }

    [Test]
    public void NumaPlacement_RejectsNodesOutsideTheMask()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => NumaPlacement.BindTo(-1));
        Assert.Throws<ArgumentOutOfRangeException>(() => NumaPlacement.BindTo(NumaPlacement.MaxNode + 1));
        Assert.That(NumaPlacement.BindTo(3).ToString(), Is.EqualTo("MPOL_BIND node 3"));
    }

    [Test]
    public unsafe void RealKernel_AnonymousMemoryBoundToNode0_IsOnNode0()
    {
        var os = new LinuxMemoryOs();
        if (!Directory.Exists("/sys/devices/system/node/node0"))
        {
            Assert.Ignore("This kernel has no NUMA support (no /sys/devices/system/node).");
        }

        nuint len = 16 * os.SystemPageSize;
        nint va = os.ReserveAddressSpace(0, len, os.SystemPageSize);
        try
        {
            os.MapAnonymous(va, len, 0, NumaPlacement.BindTo(0));
            new Span<byte>((void*)va, (int)len).Fill(1);
            Assert.That(os.NodeOf(va), Is.EqualTo(0));
            Assert.That(os.NodeOf(va + (nint)len - 1), Is.EqualTo(0));
        }
        finally
        {
            os.Unmap(va, len);
        }
    }

    [Test]
    public void RealKernel_BindingToAnAbsentNode_FailsWithMbindAndLeavesTheRangeReserved()
    {
        var os = new LinuxMemoryOs();
        int absent = Enumerable.Range(0, NumaPlacement.MaxNode + 1).First(n => !Directory.Exists($"/sys/devices/system/node/node{n}"));
        if (absent == 0)
        {
            Assert.Ignore("This kernel has no NUMA support (no /sys/devices/system/node).");
        }

        nuint len = 4 * os.SystemPageSize;
        nint va = os.ReserveAddressSpace(0, len, os.SystemPageSize);
        try
        {
            var e = Assert.Throws<MemoryOsException>(() => os.MapAnonymous(va, len, 0, NumaPlacement.BindTo(absent)));
            Assert.That(e!.Call, Is.EqualTo("mbind"));
            Assert.That(e.Message, Does.Contain($"MPOL_BIND node {absent}").And.Contain("EINVAL"));
            os.MapAnonymous(va, len, 0, NumaPlacement.BindTo(0)); // still reserved: can be backed again
        }
        finally
        {
            os.Unmap(va, len);
        }
    }

    [Test]
    public unsafe void RealKernel_Hugepages_AreBoundToNode0()
    {
        var os = new LinuxMemoryOs();
        var size = HugepageInventory.Read(os).Sizes.FirstOrDefault(s => s.PageSize == (ulong)TwoMb);
        if (size == null || size.FreePages < 4 || !Directory.Exists("/sys/devices/system/node/node0"))
        {
            Assert.Ignore("Needs free 2 MiB hugepages and a NUMA kernel (eng/setup-hugepages.sh).");
        }

        nint va = os.ReserveAddressSpace(0, 2 * TwoMb, TwoMb);
        try
        {
            os.MapAnonymous(va, 2 * TwoMb, TwoMb, NumaPlacement.BindTo(0));
            *(long*)(va + (nint)TwoMb) = 42;
            Assert.That(os.NodeOf(va + (nint)TwoMb), Is.EqualTo(0));
        }
        finally
        {
            os.Unmap(va, 2 * TwoMb);
        }
    }
}
