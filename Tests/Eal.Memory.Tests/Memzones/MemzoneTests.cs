using Eal.Bus;
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
        Assert.That(e!.Message, Does.StartWith("Cannot reserve memzone 'huge': Cannot allocate 8388608 bytes").And.Contain("not enough free 2048 kB hugepages on socket 0"));
        IDmaMemoryProvider provider = mem.Memzones;
        var region = provider.Reserve("pool", 1 << 20, 64, -1);
        Assert.That(region.Length, Is.EqualTo((nuint)(1 << 20)));
        Assert.That(region.Socket, Is.Zero);
        provider.Release(region);
        Assert.That(mem.UsedBytes(0), Is.Zero);
    }
}
