using System.Globalization;
using Eal.Bus;
using Eal.Memory.Hugepages;
using Eal.Memory.Os;
using NUnit.Framework;

namespace Eal.Memory.Tests.Hugepages;

/// <summary>
/// Real hugepages of this machine (run eng/setup-hugepages.sh as root first). Each test uses its own file prefix
/// and checks its own files and mappings, since other processes may use hugepages at the same time.
/// </summary>
[TestFixture]
public class RealHugepageTests
{
    private const ulong TwoMb = 2 << 20;
    private readonly LinuxMemoryOs _os = new();
    private string _prefix = string.Empty;
    private string _mount = string.Empty;

    [SetUp]
    public void RequireHugepages()
    {
        var inventory = HugepageInventory.Read(_os);
        var size = inventory.Sizes.FirstOrDefault(s => s.PageSize == TwoMb);
        if (size == null || size.FreePages < 16 || size.MountPoint == null)
        {
            Assert.Ignore("This machine has no free 2 MiB hugepages with a hugetlbfs mount: run eng/setup-hugepages.sh as root.");
        }

        _mount = size!.MountPoint!;
        _prefix = "h4t" + Guid.NewGuid().ToString("N")[..8];
    }

    private string[] OurFiles() => Directory.GetFiles(_mount, _prefix + "map_*").Select(Path.GetFileName).OfType<string>().Order().ToArray();

    private static int HugetlbMappingsIn(MemorySubsystem mem)
    {
        // Lines of /proc/self/maps inside our lists that are hugetlb-backed (file mappings of the mount or anon_hugepage).
        var lists = mem.MemsegLists;
        return File.ReadAllLines("/proc/self/maps").Count(line =>
        {
            ulong start = ulong.Parse(line.AsSpan(0, line.IndexOf('-', StringComparison.Ordinal)), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            return lists.Any(l => (ulong)l.BaseAddress <= start && start < (ulong)l.BaseAddress + l.Length) && line.Contains("rw", StringComparison.Ordinal);
        });
    }

    [Test]
    public unsafe void FilePerPage_Dynamic_GrowsShrinksAndCleansUp()
    {
        MemorySubsystem mem = MemorySubsystem.Create(new MemoryOptions { MemoryMb = 4, FilePrefix = _prefix, IovaMode = IovaMode.VA }, _os);
        try
        {
            Assert.That(OurFiles(), Is.EqualTo(new[] { _prefix + "map_0", _prefix + "map_1" }));
            Assert.That(mem.MemsegLists[0].Name, Is.EqualTo("memseg-2048k-0-0"));
            nint p = mem.Heap.Malloc(5 << 20);
            new Span<byte>((void*)p, 5 << 20).Fill(0x5A);
            Assert.That(mem.UsedBytes(0), Is.EqualTo(10UL << 20), "5 MiB plus headers need 3 more pages");
            Assert.That(OurFiles(), Has.Length.EqualTo(5));
            mem.Heap.Free(p);
            Assert.That(mem.UsedBytes(0), Is.EqualTo(4UL << 20), "dynamic pages go back, preallocated -m pages stay");
            Assert.That(OurFiles(), Has.Length.EqualTo(2));
            Assert.That(HugetlbMappingsIn(mem), Is.GreaterThan(0));
        }
        finally
        {
            mem.Dispose();
        }

        Assert.That(OurFiles(), Is.Empty);
        Assert.That(File.ReadAllText("/proc/self/maps"), Does.Not.Contain(_prefix));
    }

    [Test]
    public void SingleFileSegments_OneFileForTheList_PunchedOnFree()
    {
        using (var mem = MemorySubsystem.Create(new MemoryOptions { SingleFileSegments = true, FilePrefix = _prefix, IovaMode = IovaMode.VA }, _os))
        {
            nint p = mem.Heap.Malloc(3 << 20);
            Assert.That(OurFiles(), Is.EqualTo(new[] { _prefix + "map_0" }));
            Assert.That(new FileInfo(Path.Combine(_mount, _prefix + "map_0")).Length, Is.EqualTo(4L << 20));
            mem.Heap.Free(p);
            Assert.That(mem.UsedBytes(0), Is.Zero);
        }

        Assert.That(OurFiles(), Is.Empty);
    }

    [Test]
    public unsafe void InMemory_UsesMapHugetlb_WithNoFiles()
    {
        using var mem = MemorySubsystem.Create(new MemoryOptions { InMemory = true, MemoryMb = 4, FilePrefix = _prefix, IovaMode = IovaMode.VA }, _os);
        Assert.That(OurFiles(), Is.Empty);
        nint p = mem.Heap.Zmalloc(1 << 20);
        Assert.That(*(byte*)(p + 12345), Is.Zero);
        var list = mem.MemsegLists[0];
        string maps = File.ReadAllText("/proc/self/maps");
        Assert.That(maps, Does.Contain($"{(ulong)list.BaseAddress:x}-"));
        Assert.That(File.ReadAllText("/proc/self/smaps").Split("\n").Any(l => l.StartsWith("KernelPageSize:", StringComparison.Ordinal) && l.Contains("2048 kB", StringComparison.Ordinal)), Is.True);
        mem.Heap.Free(p);
    }

    [Test]
    public void IovaAsPa_ReadsRealPhysicalAddressesAsRoot()
    {
        if (Environment.UserName != "root")
        {
            Assert.Ignore("Physical addresses need root (CAP_SYS_ADMIN); not root here.");
        }

        using var mem = MemorySubsystem.Create(new MemoryOptions { MemoryMb = 4, FilePrefix = _prefix, IovaMode = IovaMode.PA }, _os);
        var list = mem.MemsegLists[0];
        Assert.That(mem.IovaMode, Is.EqualTo(IovaMode.PA));
        Assert.That(list[0].Iova, Is.Not.EqualTo(MemorySubsystem.BadIova));
        Assert.That(list[0].Iova % TwoMb, Is.Zero, "a hugepage is physically aligned to its size");
        Assert.That(list[0].Iova, Is.EqualTo(_os.VirtualToPhysical(list[0].Address)));
    }

    [Test]
    public void NotEnoughRealPages_SaysHowToReserveMore()
    {
        var inventory = HugepageInventory.Read(_os);
        ulong free = (ulong)inventory.Sizes.First(s => s.PageSize == TwoMb).FreePagesPerSocket[0] * 2;
        var e = Assert.Throws<MemoryException>(() => MemorySubsystem.Create(new MemoryOptions { SocketMemMb = [free + 64], FilePrefix = _prefix }, _os));
        Assert.That(e!.Message, Does.StartWith($"Not enough hugepages on socket 0: --socket-mem asks {free + 64} MiB")
            .And.Contain("/sys/devices/system/node/node0/hugepages/hugepages-2048kB/nr_hugepages"));
        Assert.That(OurFiles(), Is.Empty);
    }
}
