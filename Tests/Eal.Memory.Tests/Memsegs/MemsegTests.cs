using Eal.Bus;
using Eal.Memory.Memsegs;
using Eal.Memory.Os;
using NUnit.Framework;

namespace Eal.Memory.Tests.Memsegs;

[TestFixture]
public class MemsegTests
{
    private const nuint TwoMb = 2 << 20;

    [Test]
    public void NoHuge_Backs64MiBOfNormalPagesWithIovaAsVa()
    {
        using var mem = MemorySubsystem.Create(new MemoryOptions { NoHuge = true, IovaMode = IovaMode.VA }, new LinuxMemoryOs());
        var list = mem.MemsegLists.Single();
        Assert.That(list.Name, Is.EqualTo("memseg-4k-0-0"));
        Assert.That(list.BackedBytes, Is.EqualTo((nuint)(64 << 20)));
        Assert.That(list[5].Iova, Is.EqualTo((ulong)list[5].Address));
        Assert.That(mem.IsDynamic, Is.False);
        Assert.That(mem.Heap.GetStats(0).TotalBytes, Is.EqualTo(64UL << 20));
    }

    [Test]
    public void NoHugepagesReserved_SaysHowToReserveOrUseNoHuge()
    {
        var os = new EmulatedMemoryOs([new EmulatedHugepagePool(TwoMb, [0])], [("/dev/hugepages", TwoMb)]);
        var e = Assert.Throws<MemoryException>(() => MemorySubsystem.Create(new MemoryOptions(), os));
        Assert.That(e!.Message, Does.StartWith("No hugepages reserved").And.Contain("echo 256 > /proc/sys/vm/nr_hugepages").And.EndWith("or use --no-huge."));
    }

    [Test]
    public void NoHugetlbfsMount_SaysHowToMount()
    {
        var os = new EmulatedMemoryOs([new EmulatedHugepagePool(TwoMb, [4])], []);
        var e = Assert.Throws<MemoryException>(() => MemorySubsystem.Create(new MemoryOptions(), os));
        Assert.That(e!.Message, Does.Contain("no hugetlbfs is mounted").And.Contain("mount -t hugetlbfs -o pagesize=2048K nodev /dev/hugepages"));
    }

    [Test]
    public void HugeDirThatIsNotAMount_ListsTheMounts()
    {
        var e = Assert.Throws<MemoryException>(() => MemorySubsystem.Create(new MemoryOptions { HugeDir = "/mnt/nothere" }, EmulatedMemoryOs.With2MPages(4)));
        Assert.That(e!.Message, Is.EqualTo("--huge-dir '/mnt/nothere' is not a hugetlbfs mount point (hugetlbfs mounts in /emulated/proc/mounts: /dev/hugepages (2048 kB)). Mount one with 'mount -t hugetlbfs nodev /mnt/nothere' or choose one of those."));
    }

    [Test]
    public void SocketMemBeyondFreePages_NamesTheSocketAndTheSysfsFile()
    {
        var os = EmulatedMemoryOs.With2MPages(8, 2);
        var e = Assert.Throws<MemoryException>(() => MemorySubsystem.Create(new MemoryOptions { SocketMemMb = [4, 16] }, os));
        Assert.That(e!.Message, Does.StartWith("Not enough hugepages on socket 1: --socket-mem asks 16 MiB but only 4 MiB are free there")
            .And.Contain("/emulated/sys/devices/system/node/node1/hugepages/hugepages-2048kB/nr_hugepages"));
        Assert.That(os.HugepagesInUse, Is.Zero, "nothing stays backed after the failure");
    }

    [Test]
    public void SocketMem_PreallocatesPinnedPagesPerSocket_AndDisposeReleasesEverything()
    {
        var os = EmulatedMemoryOs.With2MPages(8, 8);
        using (var mem = MemorySubsystem.Create(new MemoryOptions { SocketMemMb = [4, 6], FilePrefix = "t" }, os))
        {
            Assert.That(mem.UsedBytes(0), Is.EqualTo(4UL << 20));
            Assert.That(mem.UsedBytes(1), Is.EqualTo(6UL << 20));
            Assert.That(mem.MemsegLists.Select(l => l.Name), Is.EqualTo(new[] { "memseg-2048k-0-0", "memseg-2048k-1-0" }));
            Assert.That(os.HugepageFiles, Is.EquivalentTo(new[] { "/dev/hugepages/tmap_0", "/dev/hugepages/tmap_1", "/dev/hugepages/tmap_8192", "/dev/hugepages/tmap_8193", "/dev/hugepages/tmap_8194" }));
            Assert.That(os.FreePages(TwoMb, 1), Is.EqualTo(5));
        }

        Assert.That(os.HugepagesInUse, Is.Zero);
        Assert.That(os.HugepageFiles, Is.Empty);
        Assert.That(os.OpenDescriptors, Is.Zero);
    }

    [Test]
    public void DynamicMemory_GrowsOnMallocAndShrinksOnFree()
    {
        var os = EmulatedMemoryOs.With2MPages(8, 8);
        using var mem = MemorySubsystem.Create(new MemoryOptions(), os);
        Assert.That(mem.UsedBytes(1), Is.Zero);
        nint p = mem.Heap.Malloc(3 << 20, 0, 1);
        Assert.That(mem.UsedBytes(1), Is.EqualTo(4UL << 20));
        Assert.That(mem.FindList(p)!.Socket, Is.EqualTo(1));
        mem.Heap.Free(p);
        Assert.That(mem.UsedBytes(1), Is.Zero);
        Assert.That(os.FreePages(TwoMb, 1), Is.EqualTo(8));
        Assert.That(os.HugepageFiles, Is.Empty);
        Assert.That(mem.Heap.GetStats(1).TotalBytes, Is.Zero);
    }

    [Test]
    public void SocketLimit_StopsGrowthWithAClearMessage()
    {
        using var mem = MemorySubsystem.Create(new MemoryOptions { SocketLimitMb = [4] }, EmulatedMemoryOs.With2MPages(8));
        nint p = mem.Heap.Malloc(1 << 20, 0, 0);
        var e = Assert.Throws<MemoryException>(() => mem.Heap.Malloc(3 << 20, 0, 0));
        Assert.That(e!.Message, Does.Contain("--socket-limit of 4 MiB on socket 0 reached (2 MiB in use").And.Contain("raise --socket-limit or free memory"));
        mem.Heap.Free(p);
    }

    [Test]
    public void HugepagesExhaustedAtRunTime_SaysWhereToReserveMore()
    {
        using var mem = MemorySubsystem.Create(new MemoryOptions(), EmulatedMemoryOs.With2MPages(2));
        var e = Assert.Throws<MemoryException>(() => mem.Heap.Malloc(5 << 20, 0, 0));
        Assert.That(e!.Message, Does.Contain("not enough free 2048 kB hugepages on socket 0").And.Contain("ENOMEM")
            .And.Contain("node0/hugepages/hugepages-2048kB/nr_hugepages"));
    }

    [Test]
    public void LegacyMem_TakesAllFreePagesAndNeverGrows()
    {
        var os = EmulatedMemoryOs.With2MPages(4);
        using var mem = MemorySubsystem.Create(new MemoryOptions { LegacyMem = true }, os);
        Assert.That(os.FreePages(TwoMb, 0), Is.Zero);
        nint p = mem.Heap.Malloc(1 << 20);
        mem.Heap.Free(p);
        Assert.That(mem.UsedBytes(0), Is.EqualTo(8UL << 20), "legacy memory is never given back");
        var e = Assert.Throws<MemoryException>(() => mem.Heap.Malloc(9 << 20));
        Assert.That(e!.Message, Does.Contain("--legacy-mem memory is fixed at start (8 MiB on socket 0)"));
    }

    [Test]
    public void MatchAllocations_GivesChunksBackExactly()
    {
        var os = EmulatedMemoryOs.With2MPages(8);
        using var mem = MemorySubsystem.Create(new MemoryOptions { MatchAllocations = true }, os);
        nint a = mem.Heap.Malloc(3 << 20);
        nint b = mem.Heap.Malloc(3 << 20);
        Assert.That(mem.UsedBytes(0), Is.EqualTo(8UL << 20));
        mem.Heap.Free(a);
        Assert.That(mem.UsedBytes(0), Is.EqualTo(4UL << 20));
        mem.Heap.Free(b);
        Assert.That(mem.UsedBytes(0), Is.Zero);
        Assert.That(mem.Heap.Validate(), Is.Null);
    }

    [Test]
    public void HugeUnlinkAlways_LeavesNoFiles_Never_KeepsThem_Existing_RemovesLeftovers()
    {
        var os = EmulatedMemoryOs.With2MPages(8);
        using (MemorySubsystem.Create(new MemoryOptions { MemoryMb = 4, HugeUnlink = HugeUnlinkMode.Always }, os))
        {
            Assert.That(os.HugepageFiles, Is.Empty);
            Assert.That(os.HugepagesInUse, Is.EqualTo(2));
        }

        using (MemorySubsystem.Create(new MemoryOptions { MemoryMb = 4, HugeUnlink = HugeUnlinkMode.Never }, os))
        {
        }

        Assert.That(os.HugepageFiles, Is.EquivalentTo(new[] { "/dev/hugepages/rtemap_0", "/dev/hugepages/rtemap_1" }));
        os.CreateLeftoverFile("/dev/hugepages/rtemap_2");
        using (MemorySubsystem.Create(new MemoryOptions { MemoryMb = 6 }, os))
        {
            Assert.That(os.HugepageFiles, Has.Count.EqualTo(3));
        }

        Assert.That(os.HugepageFiles, Is.Empty);
    }

    [Test]
    public void SingleFileSegments_UseOneFilePerList_InMemory_UsesNoFile()
    {
        var os = EmulatedMemoryOs.With2MPages(8);
        using (var mem = MemorySubsystem.Create(new MemoryOptions { MemoryMb = 6, SingleFileSegments = true }, os))
        {
            Assert.That(os.HugepageFiles, Is.EqualTo(new[] { "/dev/hugepages/rtemap_0" }));
            Assert.That(os.OpenDescriptors, Is.EqualTo(1));
            Assert.That(mem.MemsegLists[0].Backing, Is.EqualTo(MemsegBacking.SingleFile));
        }

        Assert.That(os.OpenDescriptors, Is.Zero);
        Assert.That(os.HugepageFiles, Is.Empty);
        using (var mem = MemorySubsystem.Create(new MemoryOptions { MemoryMb = 6, InMemory = true }, os))
        {
            Assert.That(os.HugepageFiles, Is.Empty);
            Assert.That(os.HugepagesInUse, Is.EqualTo(3));
            Assert.That(mem.MemsegLists[0].Backing, Is.EqualTo(MemsegBacking.AnonymousHugepages));
        }

        Assert.That(os.HugepagesInUse, Is.Zero);
    }

    [Test]
    public void FailureOfTheThirdPageMapping_RollsBackEveryPageFileAndDescriptor()
    {
        var os = EmulatedMemoryOs.With2MPages(8);
        os.FailNth(nameof(IMemoryOs.MapFile), 3, Errno.EACCES);
        var e = Assert.Throws<MemoryOsException>(() => MemorySubsystem.Create(new MemoryOptions { MemoryMb = 8 }, os));
        Assert.That(e!.Message, Is.EqualTo("mmap(injected failure of MapFile) failed: EACCES"));
        Assert.That(os.HugepagesInUse, Is.Zero);
        Assert.That(os.HugepageFiles, Is.Empty);
        Assert.That(os.OpenDescriptors, Is.Zero);
    }

    [Test]
    public void BaseVirtAddr_PlacesTheListsThere()
    {
        const ulong Base = 0x6000_0000_0000;
        using var mem = MemorySubsystem.Create(new MemoryOptions { BaseVirtAddr = Base, MaxListMemoryMb = 64 }, EmulatedMemoryOs.With2MPages(4, 4));
        Assert.That((ulong)mem.MemsegLists[0].BaseAddress, Is.EqualTo(Base));
        Assert.That((ulong)mem.MemsegLists[1].BaseAddress, Is.EqualTo(Base + (64UL << 20)));
    }

    [TestCase(true, false, false, "Options --no-huge and --single-file-segments cannot be used together; drop one of them.")]
    [TestCase(false, true, true, "Options --legacy-mem and --match-allocations cannot be used together; drop one of them.")]
    public void ConflictingOptions_AreRejected(bool noHuge, bool legacy, bool match, string message)
    {
        var o = new MemoryOptions { NoHuge = noHuge, SingleFileSegments = noHuge, LegacyMem = legacy, MatchAllocations = match };
        Assert.That(Assert.Throws<MemoryException>(o.Validate)!.Message, Is.EqualTo(message));
    }

    [Test]
    public void InMemoryWithHugeUnlink_AndMWithSocketMem_AreRejected()
    {
        Assert.That(Assert.Throws<MemoryException>(new MemoryOptions { InMemory = true, HugeUnlink = HugeUnlinkMode.Never }.Validate)!.Message,
            Is.EqualTo("Options --in-memory and --huge-unlink=never cannot be used together; drop one of them."));
        Assert.That(Assert.Throws<MemoryException>(new MemoryOptions { MemoryMb = 2, SocketMemMb = [2] }.Validate)!.Message,
            Is.EqualTo("Options -m and --socket-mem cannot be used together; drop one of them."));
    }
}
