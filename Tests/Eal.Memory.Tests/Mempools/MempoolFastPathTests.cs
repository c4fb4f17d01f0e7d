using Eal.Memory.Mempools;
using NUnit.Framework;

namespace Eal.Memory.Tests.Mempools;

/// <summary>
/// The inlined cache-hit paths of <see cref="Mempool.GenericGet"/>/<see cref="Mempool.GenericPut"/> and the
/// out-of-line refill/flush paths: exact boundaries, DPDK's object order, exhaustion, and the vector copies.
/// </summary>
[TestFixture]
public sealed unsafe class MempoolFastPathTests : MempoolFixture
{
    // Every length around the 4-, 2- and 1-pointer steps of the vector copies.
    [TestCase(1u)]
    [TestCase(2u)]
    [TestCase(3u)]
    [TestCase(4u)]
    [TestCase(5u)]
    [TestCase(7u)]
    [TestCase(8u)]
    [TestCase(9u)]
    [TestCase(31u)]
    [TestCase(32u)]
    [TestCase(33u)]
    public void GetAfterPut_ReturnsTheSameObjects_MostRecentFirst(uint n)
    {
        using var mp = Mempool.Create(Provider, "order", 256, 8, cacheSize: 100, lcoreCount: 1);
        MempoolCache* c = mp.GetCache(0);
        var objs = new nint[n];
        Assert.That(mp.GetBulk(objs, c), Is.True);
        uint lenBefore = c->Length;

        mp.PutBulk(objs, c);
        Assert.That(c->Length, Is.EqualTo(lenBefore + n), "put of n appends n to the cache");

        var back = new nint[n];
        Assert.That(mp.GetBulk(back, c), Is.True);
        Assert.That(c->Length, Is.EqualTo(lenBefore), "served from the cache: no refill");
        Assert.That(back, Is.EqualTo(objs.Reverse().ToArray()), "DPDK's order: the last object put comes out first");
    }

    [Test]
    public void Get_ExactlyTheCachedCount_IsAHit_OneMoreRefills()
    {
        using var mp = Mempool.Create(Provider, "refill", 256, 8, cacheSize: 32, lcoreCount: 1);
        MempoolCache* c = mp.GetCache(0);
        var first = new nint[1];
        Assert.That(mp.GetBulk(first, c), Is.True);
        Assert.That(c->Length, Is.EqualTo(32u), "empty cache: refilled with 32 + 1, one handed out");
        uint ring = mp.AvailableCount - c->Length;
        Assert.That(ring, Is.EqualTo(256u - 33u));

        var all = new nint[32];
        Assert.That(mp.GetBulk(all, c), Is.True);
        Assert.That(c->Length, Is.EqualTo(0u), "n == len is served from the cache alone");
        Assert.That(mp.AvailableCount - c->Length, Is.EqualTo(ring), "the ring was not touched");

        mp.PutBulk(all.AsSpan(0, 5), c);
        var six = new nint[6];
        Assert.That(mp.GetBulk(six, c), Is.True);
        Assert.That(c->Length, Is.EqualTo(32u), "n == len + 1: the 5 cached, then a refill of 32 + 1");
        Assert.That(mp.AvailableCount - c->Length, Is.EqualTo(ring - 33u));
        Assert.That(six[..5], Is.EqualTo(new[] { all[4], all[3], all[2], all[1], all[0] }), "cached objects first, most recent first");
        Assert.That(six[5], Is.Not.EqualTo(0), "the sixth comes from the refill");
        Assert.That(six.Distinct().Count(), Is.EqualTo(6));
    }

    [Test]
    public void Put_UpToTheThreshold_StaysCached_OneMoreFlushes()
    {
        using var mp = Mempool.Create(Provider, "flush", 256, 8, cacheSize: 32, lcoreCount: 1);
        MempoolCache* c = mp.GetCache(0);
        var objs = new nint[100];
        Assert.That(mp.GetBulk(objs), Is.True, "no cache: straight from the ring");
        Assert.That(c->FlushThreshold, Is.EqualTo(48u));

        mp.PutBulk(objs.AsSpan(0, 40), c);
        mp.PutBulk(objs.AsSpan(40, 8), c);
        Assert.That(c->Length, Is.EqualTo(48u), "len + n == threshold stays in the cache");
        Assert.That(mp.AvailableCount - c->Length, Is.EqualTo(156u), "ring untouched");

        mp.PutBulk(objs.AsSpan(48, 1), c);
        Assert.That(c->Length, Is.EqualTo(1u), "one over the threshold: the 48 cached are flushed, the new one is cached");
        Assert.That(mp.AvailableCount - c->Length, Is.EqualTo(156u + 48u));

        var got = new nint[1];
        Assert.That(mp.GetBulk(got, c), Is.True);
        Assert.That(got[0], Is.EqualTo(objs[48]), "the object put after the flush is the cached one");
    }

    [Test]
    public void Put_LargerThanTheThreshold_BypassesTheCache()
    {
        using var mp = Mempool.Create(Provider, "bypass", 256, 8, cacheSize: 32, lcoreCount: 1);
        MempoolCache* c = mp.GetCache(0);
        var objs = new nint[60];
        Assert.That(mp.GetBulk(objs), Is.True);
        mp.PutBulk(objs.AsSpan(0, 3), c);

        mp.PutBulk(objs.AsSpan(3, 49), c);
        Assert.That(c->Length, Is.EqualTo(3u), "49 > threshold 48 goes to the ring; the cache keeps its 3");
        Assert.That(mp.AvailableCount - c->Length, Is.EqualTo(196u + 49u));
    }

    [Test]
    public void Get_WhenThePoolIsExhausted_TakesNothing_AndLeavesCacheAndRingIntact()
    {
        using var mp = Mempool.Create(Provider, "dry", 48, 8, cacheSize: 32, lcoreCount: 1);
        MempoolCache* c = mp.GetCache(0);
        var all = new nint[48];
        Assert.That(mp.GetBulk(all), Is.True);
        mp.PutBulk(all.AsSpan(0, 4), c);
        mp.PutBulk(all.AsSpan(4, 2));

        var want = new nint[7];
        Assert.That(mp.GetBulk(want, c), Is.False, "4 cached + 2 in the ring < 7");
        Assert.That(c->Length, Is.EqualTo(4u));
        Assert.That(mp.AvailableCount, Is.EqualTo(6u));

        var six = new nint[6];
        Assert.That(mp.GetBulk(six, c), Is.True, "exactly what is left: 4 cached then 2 straight from the ring");
        Assert.That(six, Is.EquivalentTo(all[..6]));
        Assert.That(mp.AvailableCount, Is.EqualTo(0u));
        Assert.That(mp.GetBulk(new nint[1], c), Is.False);
        Assert.That(mp.TryGet(out nint none, c), Is.False);
        Assert.That(none, Is.EqualTo((nint)0));

        mp.PutBulk(all.AsSpan(6), c);
        mp.PutBulk(six, c);
        mp.FlushCache(c);
        Assert.That(mp.AvailableCount, Is.EqualTo(48u));
    }

    [Test]
    public void ZeroObjects_GetAndPut_AreNoOps()
    {
        using var mp = Mempool.Create(Provider, "zero", 64, 8, cacheSize: 16, lcoreCount: 1);
        MempoolCache* c = mp.GetCache(0);
        Assert.That(Mempool.GenericGet(mp.Native, null, 0, c), Is.True);
        Assert.That(Mempool.GenericGet(mp.Native, null, 0, null), Is.True);
        Mempool.GenericPut(mp.Native, null, 0, c);
        Mempool.GenericPut(mp.Native, null, 0, null);
        Assert.That(c->Length, Is.EqualTo(0u));
        Assert.That(mp.AvailableCount, Is.EqualTo(64u));
    }

    [Test]
    public void Copies_MatchTheScalarDefinition_ForEveryLength()
    {
        const int Max = 70;
        nint* src = stackalloc nint[Max];
        nint* dst = stackalloc nint[Max + 2];
        for (int i = 0; i < Max; i++)
        {
            src[i] = 0x1000 + i;
        }

        for (uint n = 0; n <= 67; n++)
        {
            // Offset by one slot so the vector loads are also exercised unaligned.
            new Span<nint>(dst, Max + 2).Fill(-1);
            MempoolCopy.Forward(dst + 1, src + 1, n);
            for (int i = 0; i < n; i++)
            {
                Assert.That(dst[i + 1], Is.EqualTo(src[i + 1]), $"forward n={n} i={i}");
            }

            Assert.That(dst[0], Is.EqualTo((nint)(-1)), $"forward n={n}: nothing written before");
            Assert.That(dst[n + 1], Is.EqualTo((nint)(-1)), $"forward n={n}: nothing written after");

            new Span<nint>(dst, Max + 2).Fill(-1);
            MempoolCopy.Reversed(dst + 1, src + 1, n);
            for (int i = 0; i < n; i++)
            {
                Assert.That(dst[i + 1], Is.EqualTo(src[n - i]), $"reversed n={n} i={i}");
            }

            Assert.That(dst[0], Is.EqualTo((nint)(-1)), $"reversed n={n}: nothing written before");
            Assert.That(dst[n + 1], Is.EqualTo((nint)(-1)), $"reversed n={n}: nothing written after");
        }
    }
}
