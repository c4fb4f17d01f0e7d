using Eal.Memory.Os;
using NUnit.Framework;

namespace Eal.Memory.Tests.Heap;

[TestFixture]
public unsafe class HeapTests
{
    private static MemorySubsystem Dynamic(EmulatedMemoryOs? os = null) =>
        MemorySubsystem.Create(new MemoryOptions(), os ?? EmulatedMemoryOs.With2MPages(64, 64));

    [TestCase(1u, 0u)]
    [TestCase(100u, 64u)]
    [TestCase(4000u, 4096u)]
    [TestCase(70000u, 65536u)]
    [TestCase(3000000u, 1048576u)]
    public void Malloc_ReturnsAlignedWritableMemory(uint size, uint align)
    {
        using var mem = Dynamic();
        nint p = mem.Heap.Malloc(size, align);
        Assert.That(p % Math.Max(64, align), Is.Zero);
        Assert.That(mem.Heap.UsableSize(p), Is.GreaterThanOrEqualTo((nuint)size));
        new Span<byte>((void*)p, (int)size).Fill(0xAB);
        Assert.That(mem.Heap.Validate(), Is.Null);
        mem.Heap.Free(p);
        Assert.That(mem.Heap.Validate(), Is.Null);
        Assert.That(mem.Heap.GetStats(0).AllocatedCount, Is.Zero);
    }

    [Test]
    public void MallocBounded_NeverCrossesTheBound()
    {
        using var mem = Dynamic();
        var ptrs = new List<nint>();
        for (int i = 0; i < 50; i++)
        {
            nint p = mem.Heap.MallocBounded(3000, 64, 4096, 0);
            Assert.That(p / 4096, Is.EqualTo((p + 2999) / 4096), $"allocation {i} crosses a 4 KiB boundary");
            ptrs.Add(p);
        }

        ptrs.ForEach(mem.Heap.Free);
        Assert.That(mem.Heap.Validate(), Is.Null);
    }

    [Test]
    public void Zmalloc_Calloc_AreZeroed_AndCallocOverflowIsRejected()
    {
        using var mem = Dynamic();
        nint dirty = mem.Heap.Malloc(8192);
        new Span<byte>((void*)dirty, 8192).Fill(0xFF);
        mem.Heap.Free(dirty);
        nint z = mem.Heap.Zmalloc(8192);
        Assert.That(new Span<byte>((void*)z, 8192).ContainsAnyExcept((byte)0), Is.False);
        nint c = mem.Heap.Calloc(100, 24);
        Assert.That(new Span<byte>((void*)c, 2400).ContainsAnyExcept((byte)0), Is.False);
        Assert.Throws<ArgumentOutOfRangeException>(() => mem.Heap.Calloc(nuint.MaxValue / 2, 4));
    }

    [Test]
    public void Realloc_GrowsInPlaceWhenPossible_ElseMovesKeepingTheContent()
    {
        using var mem = Dynamic();
        nint p = mem.Heap.Malloc(256);
        new Span<byte>((void*)p, 256).Fill(7);
        nint q = mem.Heap.Realloc(p, 200);
        Assert.That(q, Is.EqualTo(p), "shrinking stays in place");
        nint blocker = mem.Heap.Malloc(256);
        nint r = mem.Heap.Realloc(q, 1 << 20);
        Assert.That(new Span<byte>((void*)r, 200).ContainsAnyExcept((byte)7), Is.False);
        nint s = mem.Heap.Realloc(r, 100, 4096);
        Assert.That((long)s % 4096, Is.Zero);
        Assert.That(new Span<byte>((void*)s, 100).ContainsAnyExcept((byte)7), Is.False);
        mem.Heap.Free(s);
        mem.Heap.Free(blocker);
        Assert.That(mem.Heap.Validate(), Is.Null);
        Assert.That(mem.UsedBytes(0), Is.Zero);
    }

    [Test]
    public void Free_OfForeignOrFreedPointers_IsRejected()
    {
        using var mem = Dynamic();
        nint p = mem.Heap.Malloc(128);
        mem.Heap.Free(p);
        var e = Assert.Throws<ArgumentException>(() => mem.Heap.Free(p));
        Assert.That(e!.Message, Does.StartWith($"0x{(nuint)p:x} was not allocated from this heap.").Or.StartWith($"0x{(nuint)p:x} is not an allocated heap block"));
        nint foreign = (nint)System.Runtime.InteropServices.NativeMemory.AlignedAlloc(4096, 4096);
        try
        {
            Assert.That(Assert.Throws<ArgumentException>(() => mem.Heap.Free(foreign + 64))!.Message, Does.Contain("was not allocated from this heap."));
        }
        finally
        {
            System.Runtime.InteropServices.NativeMemory.AlignedFree((void*)foreign);
        }
    }

    [Test]
    public void InvalidArguments_NameTheRule()
    {
        using var mem = Dynamic();
        Assert.That(Assert.Throws<ArgumentOutOfRangeException>(() => mem.Heap.Malloc(0))!.Message, Does.StartWith("Heap allocation size must be between 1 and"));
        Assert.That(Assert.Throws<ArgumentOutOfRangeException>(() => mem.Heap.Malloc(10, 48))!.Message, Does.StartWith("Alignment must be 0 or a power of two."));
        Assert.That(Assert.Throws<ArgumentOutOfRangeException>(() => mem.Heap.Malloc(10, 0, 5))!.Message, Does.StartWith("Socket must be -1 (any) or 0..1."));
        Assert.That(Assert.Throws<ArgumentOutOfRangeException>(() => mem.Heap.MallocBounded(8192, 0, 4096, 0))!.Message, Does.StartWith("Bound must be 0 or a power of two at least the size (8192)"));
    }

    [Test]
    public void StatsAndDump_DescribeTheHeap()
    {
        using var mem = Dynamic();
        nint a = mem.Heap.Malloc(1000, 0, 0);
        nint b = mem.Heap.Malloc(1000, 0, 0);
        var s = mem.Heap.GetStats(0);
        Assert.That(s.TotalBytes, Is.EqualTo(2UL << 20));
        Assert.That(s.AllocatedCount, Is.EqualTo(2));
        Assert.That(s.AllocatedBytes, Is.EqualTo(2UL * (1024 + 64)));
        Assert.That(s.FreeBytes, Is.EqualTo(s.TotalBytes - s.AllocatedBytes));
        Assert.That(s.GreatestFreeBytes, Is.EqualTo(s.FreeBytes));
        Assert.That(s.FreeCount, Is.EqualTo(1));
        var w = new StringWriter();
        mem.Heap.Dump(w);
        Assert.That(w.ToString(), Does.Contain("Heap socket 0: total 2097152 free").And.Contain(" busy pad 0"));
        mem.Heap.Free(a);
        mem.Heap.Free(b);
    }

    [Test]
    public void ConcurrentUse_NeverOverlaps_KeepsAlignment_AndFreesEverything()
    {
        var os = EmulatedMemoryOs.With2MPages(128);
        using var mem = MemorySubsystem.Create(new MemoryOptions(), os);
        const int Threads = 4;
        var errors = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var workers = Enumerable.Range(0, Threads).Select(t => new Thread(() =>
        {
            var rnd = new Random(t);
            var live = new List<(nint P, int Size, byte Tag)>();
            for (int i = 0; i < 2000; i++)
            {
                if (live.Count > 0 && rnd.Next(3) == 0)
                {
                    int k = rnd.Next(live.Count);
                    var (p, size, tag) = live[k];
                    if (new Span<byte>((void*)p, size).ContainsAnyExcept(tag))
                    {
                        errors.Enqueue($"block 0x{p:x} of thread {t} was overwritten");
                    }

                    mem.Heap.Free(p);
                    live.RemoveAt(k);
                }
                else
                {
                    int size = rnd.Next(1, rnd.Next(4) == 0 ? 100_000 : 2000);
                    nuint align = (nuint)(1 << rnd.Next(6, 13));
                    nint p = mem.Heap.Malloc((nuint)size, align);
                    if (p % (nint)align != 0)
                    {
                        errors.Enqueue($"0x{p:x} not aligned to {align}");
                    }

                    byte tag = (byte)rnd.Next(1, 255);
                    new Span<byte>((void*)p, size).Fill(tag);
                    live.Add((p, size, tag));
                }
            }

            foreach (var (p, size, tag) in live)
            {
                if (new Span<byte>((void*)p, size).ContainsAnyExcept(tag))
                {
                    errors.Enqueue($"block 0x{p:x} of thread {t} was overwritten");
                }

                mem.Heap.Free(p);
            }
        })).ToList();
        workers.ForEach(w => w.Start());
        workers.ForEach(w => w.Join());
        Assert.That(errors, Is.Empty);
        Assert.That(mem.Heap.Validate(), Is.Null);
        Assert.That(mem.Heap.GetStats(0).AllocatedCount, Is.Zero);
        Assert.That(mem.UsedBytes(0), Is.Zero, "every page went back");
        Assert.That(os.HugepagesInUse, Is.Zero);
    }
}
