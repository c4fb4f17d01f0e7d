using System.Diagnostics;
using Eal.Memory.Mempools;
using NUnit.Framework;

namespace Eal.Memory.Tests.Mempools;

[TestFixture]
public sealed unsafe class MempoolTests : MempoolFixture
{
    [Test]
    public void Create_PopulatesCacheAlignedObjects_WithHeaderAndIova()
    {
        using var mp = Mempool.Create(Provider, "objs", 100, 100, lcoreCount: 4);
        Assert.That(mp.Size, Is.EqualTo(100u));
        Assert.That(mp.PopulatedCount, Is.EqualTo(100u));
        Assert.That(mp.ElementSize, Is.EqualTo(104u), "rounded up to 8");
        Assert.That(mp.TotalElementSize, Is.EqualTo(64u + 128u), "64-byte header + element padded to the cache line");
        Assert.That(mp.AvailableCount, Is.EqualTo(100u));
        Assert.That(mp.InUseCount, Is.EqualTo(0u));
        Assert.That(Provider.Names, Is.EqualTo(new[] { "MP_objs_0" }));

        var objs = new List<nint>();
        mp.ObjIter((pool, obj, idx) =>
        {
            Assert.That(pool, Is.SameAs(mp));
            Assert.That(idx, Is.EqualTo((uint)objs.Count));
            objs.Add(obj);
        });
        Assert.That(objs, Has.Count.EqualTo(100));
        Assert.That(objs.Distinct().Count(), Is.EqualTo(100));
        foreach (nint o in objs)
        {
            Assert.That(o % 64, Is.EqualTo((nint)0));
            Assert.That(Mempool.PoolOf(o) == mp.Native, Is.True);
            Assert.That(Mempool.Virt2Iova(o), Is.EqualTo((ulong)o), "test provider has IOVA = VA");
        }

        Assert.That(objs.Zip(objs.Skip(1), (a, b) => b - a).Distinct(), Is.EqualTo(new[] { (nint)192 }));
    }

    [Test]
    public void ObjectInit_IsCalledOncePerObject()
    {
        int calls = 0;
        using var mp = Mempool.Create(Provider, "init", 10, 16, objectInit: (_, obj, idx) =>
        {
            *(uint*)obj = idx + 1000;
            calls++;
        });
        Assert.That(calls, Is.EqualTo(10));
        var got = new nint[10];
        Assert.That(mp.GetBulk(got), Is.True);
        Assert.That(got.Select(o => *(uint*)o).OrderBy(x => x), Is.EqualTo(Enumerable.Range(1000, 10).Select(i => (uint)i)));
        mp.PutBulk(got);
    }

    [Test]
    public void GetBulk_NeverHandsOutTwice_AndFailsWholeWhenShort()
    {
        using var mp = Mempool.Create(Provider, "twice", 64, 32, cacheSize: 16, lcoreCount: 2);
        MempoolCache* c0 = mp.GetCache(0);
        MempoolCache* c1 = mp.GetCache(1);
        var seen = new HashSet<nint>();
        var buf = new nint[7];
        int rounds = 0;
        while (mp.GetBulk(buf, (rounds++ & 1) == 0 ? c0 : c1))
        {
            foreach (nint o in buf)
            {
                Assert.That(seen.Add(o), Is.True, $"object 0x{o:x} handed out twice");
            }
        }

        Assert.That(seen, Has.Count.EqualTo(63), "9 rounds of 7; the 10th failed as a whole");
        Assert.That(mp.InUseCount, Is.EqualTo(63u));
        Assert.That(mp.AvailableCount, Is.EqualTo(1u));
        Assert.That(mp.TryGet(out nint last, c1), Is.True);
        Assert.That(seen.Add(last), Is.True);
        Assert.That(mp.TryGet(out nint none, c0), Is.False);
        Assert.That(none, Is.EqualTo((nint)0));

        var all = seen.ToArray();
        mp.PutBulk(all.AsSpan(0, 30), c0);
        mp.PutBulk(all.AsSpan(30), c1);
        Assert.That(mp.AvailableCount, Is.EqualTo(64u));
        Assert.That(mp.InUseCount, Is.EqualTo(0u));
    }

    [Test]
    public void Cache_FollowsDpdkAlgorithm()
    {
        using var mp = Mempool.Create(Provider, "cache", 200, 8, cacheSize: 32, lcoreCount: 1);
        MempoolCache* c = mp.GetCache(0);
        Assert.That(c->Size, Is.EqualTo(32u));
        Assert.That(c->FlushThreshold, Is.EqualTo(48u));
        Assert.That(c->Owner == mp.Native, Is.True);

        // Empty cache, get 5: refill with size + 5 from the ring, hand out 5, keep 32.
        var five = new nint[5];
        Assert.That(mp.GetBulk(five, c), Is.True);
        Assert.That(c->Length, Is.EqualTo(32u));
        Assert.That(mp.AvailableCount, Is.EqualTo(195u));

        // Get 40 (more than cached): 32 from the cache, then refill 32 + 8 and take 8.
        var forty = new nint[40];
        Assert.That(mp.GetBulk(forty, c), Is.True);
        Assert.That(c->Length, Is.EqualTo(32u));
        Assert.That(mp.InUseCount, Is.EqualTo(45u));

        // Put 10: 42 <= 48, stays in the cache.
        mp.PutBulk(forty.AsSpan(0, 10), c);
        Assert.That(c->Length, Is.EqualTo(42u));

        // Put 10 more: 52 > 48, flush all 42 to the ring, then cache holds the 10.
        long ringBefore = mp.AvailableCount - c->Length;
        mp.PutBulk(forty.AsSpan(10, 10), c);
        Assert.That(c->Length, Is.EqualTo(10u));
        Assert.That(mp.AvailableCount - c->Length, Is.EqualTo(ringBefore + 42));

        // Put more than the flush threshold: bypasses the cache.
        var rest = forty.AsSpan(20).ToArray().Concat(five).ToArray();
        Assert.That(rest, Has.Length.EqualTo(25));
        mp.PutBulk(rest, c);
        Assert.That(c->Length, Is.EqualTo(35u));
        var big = new nint[60];
        Assert.That(mp.GetBulk(big, c), Is.True, "60 > max refill is fine: 35 from cache, 25 refilled");
        mp.PutBulk(big, c);
        Assert.That(mp.AvailableCount, Is.EqualTo(200u));

        mp.FlushCache(c);
        Assert.That(c->Length, Is.EqualTo(0u));
        Assert.That(mp.AvailableCount, Is.EqualTo(200u));
    }

    [Test]
    public void Get_WhenRefillImpossible_TakesRemainderFromRing_OrRestoresCache()
    {
        using var mp = Mempool.Create(Provider, "short", 48, 8, cacheSize: 32, lcoreCount: 1);
        MempoolCache* c = mp.GetCache(0);
        var all = new nint[48];
        Assert.That(mp.GetBulk(all), Is.True, "no cache: straight from the ring");
        mp.PutBulk(all.AsSpan(0, 3), c);
        mp.PutBulk(all.AsSpan(3, 10));
        Assert.That(c->Length, Is.EqualTo(3u));

        // Want 8: 3 cached, 5 more; the ring holds 10 < 32 + 5, so the 5 come straight from the ring.
        var eight = new nint[8];
        Assert.That(mp.GetBulk(eight, c), Is.True);
        Assert.That(c->Length, Is.EqualTo(0u));
        Assert.That(eight[..3], Is.EqualTo(new[] { all[2], all[1], all[0] }), "cache-hot objects first, most recent first");

        // Want 8 with 2 cached and 5 in the ring: fails as a whole, cache intact.
        mp.PutBulk(eight.AsSpan(0, 2), c);
        Assert.That(mp.GetBulk(new nint[8], c), Is.False);
        Assert.That(c->Length, Is.EqualTo(2u));
        Assert.That(mp.AvailableCount, Is.EqualTo(7u));
    }

    [Test]
    public void UserCache_WorksAndFlushes()
    {
        using var mp = Mempool.Create(Provider, "ucache", 64, 8);
        Assert.That(mp.GetCache(0) == null, Is.True, "no default caches without a cache size");
        MempoolCache* c = mp.CreateCache(8);
        try
        {
            var buf = new nint[4];
            Assert.That(mp.GetBulk(buf, c), Is.True);
            Assert.That(c->Length, Is.EqualTo(8u));
            mp.PutBulk(buf, c);
            Assert.That(c->Length, Is.EqualTo(12u));
            Assert.That(mp.AvailableCount, Is.EqualTo(52u), "user caches are not counted by the pool");
            mp.FlushCache(c);
            Assert.That(mp.AvailableCount, Is.EqualTo(64u));
        }
        finally
        {
            Mempool.FreeCache(c);
        }
    }

    [Test]
    public void DoublePut_OverflowsRing_AndIsReported()
    {
        using var mp = Mempool.Create(Provider, "double", 4, 8);
        Assert.That(mp.TryGet(out nint o), Is.True);
        mp.Put(o);
        var ex = Assert.Throws<InvalidOperationException>(() => mp.Put(o));
        Assert.That(ex!.Message, Does.Contain("overflowed the pool's ring: an object was freed twice or belongs to another pool"));
    }

    [Test]
    public void IovaDiscontinuity_ObjectsNeverStraddleAHole()
    {
        using var provider = new TestDmaMemoryProvider { DiscontiguityPage = 4096 };
        using (var mp = Mempool.Create(provider, "holes", 50, 1000))
        {
            Assert.That(mp.PopulatedCount, Is.EqualTo(50u));
            Assert.That(provider.ReserveCalls, Is.GreaterThan(1), "skipped slots need a second region");
            mp.ObjIter((_, obj, _) =>
            {
                ulong iova = Mempool.Virt2Iova(obj);
                Assert.That(iova / 4096 * 4096 + 4096, Is.GreaterThanOrEqualTo(iova + 1000 - 1 + 1), $"object at IOVA 0x{iova:x} crosses a page");
            });
        }

        Assert.That(provider.Outstanding, Is.EqualTo(0));

        using var provider2 = new TestDmaMemoryProvider { DiscontiguityPage = 4096 };
        using (var mp = Mempool.Create(provider2, "noholes", 50, 1000, flags: MempoolFlags.NoIovaContig))
        {
            Assert.That(provider2.ReserveCalls, Is.EqualTo(1));
        }
    }

    [Test]
    public void TooLargeObjectForContiguousIova_FailsWithAdvice_AndReleases()
    {
        using var provider = new TestDmaMemoryProvider { DiscontiguityPage = 4096 };
        var ex = Assert.Throws<InvalidOperationException>(() => Mempool.Create(provider, "huge", 4, 5000));
        Assert.That(ex!.Message, Does.Contain("Mempool 'huge': region 'MP_huge_0'"));
        Assert.That(ex.Message, Does.Contain("holds no IOVA-contiguous object of 5120 bytes; use larger pages, IOVA-as-VA, or MempoolFlags.NoIovaContig"));
        Assert.That(provider.Outstanding, Is.EqualTo(0));
    }

    [Test]
    public void ReserveFailure_RollsBack()
    {
        Provider.FailReserveNumber = 1;
        var ex = Assert.Throws<InvalidOperationException>(() => Mempool.Create(Provider, "fail", 10, 8, cacheSize: 4));
        Assert.That(ex!.Message, Does.Contain("injected failure reserving 'MP_fail_0'"));
    }

    [Test]
    public void CacheTooLarge_IsRejectedWithLimit()
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => Mempool.Create(Provider, "big", 100, 8, cacheSize: 80));
        Assert.That(ex!.Message, Does.Contain("Mempool 'big': cache size 80 is too large: it must be at most 512 and 1.5 x cache size must not exceed the object count 100 (largest valid here: 66)"));
        ex = Assert.Throws<ArgumentOutOfRangeException>(() => Mempool.Create(Provider, "big", 10000, 8, cacheSize: 513));
        Assert.That(ex!.Message, Does.Contain("it must be at most 512"));
    }

    [Test]
    public void GetCache_OutOfRange_Throws()
    {
        using var mp = Mempool.Create(Provider, "lc", 100, 8, cacheSize: 8, lcoreCount: 2);
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => mp.GetCache(2));
        Assert.That(ex!.Message, Does.Contain("Mempool 'lc' has caches for lcores 0..1; create it with a larger lcoreCount"));
        Assert.That(Mempool.DefaultCache(mp.Native, 2) == null, Is.True);
        Assert.That(Mempool.DefaultCache(mp.Native, 1) == mp.GetCache(1), Is.True);
    }

    [Test]
    public void PrivateData_IsZeroedAndSized()
    {
        using var mp = Mempool.Create(Provider, "priv", 4, 8, privateDataSize: 24);
        Assert.That(mp.PrivateData.Length, Is.EqualTo(24));
        Assert.That(mp.PrivateData.ToArray(), Is.All.EqualTo((byte)0));
        Assert.That(mp.Native->PrivateDataSize, Is.EqualTo(24u));
    }

    [Test]
    public void CreateEmpty_ThenPopulateWithCallerRegion()
    {
        using var mp = Mempool.CreateEmpty(Provider, "manual", 10, 56);
        Assert.That(mp.PopulatedCount, Is.EqualTo(0u));
        IDmaRegion region = Provider.Reserve("mine", 4 * 128 + 64, 64, -1);
        try
        {
            Assert.That(mp.Populate(region), Is.EqualTo(4u));
            Assert.That(mp.PopulateDefault(), Is.EqualTo(6u));
            Assert.That(mp.AvailableCount, Is.EqualTo(10u));
        }
        finally
        {
            mp.Dispose();
            Provider.Release(region);
        }
    }

    [Test]
    public void ConcurrentLcores_WithOwnCaches_NeverShareAnObject()
    {
        using var mp = Mempool.Create(Provider, "mt", 1024, 64, cacheSize: 64, lcoreCount: 2);
        var sw = Stopwatch.StartNew();
        int errors = 0;
        long ops = 0;
        var threads = Enumerable.Range(0, 2).Select(t => new Thread(() =>
        {
            MempoolCache* cache = mp.GetCache((uint)t);
            var buf = new nint[32];
            var rnd = new Random(t);
            while (sw.ElapsedMilliseconds < 700)
            {
                int n = rnd.Next(1, 33);
                if (!mp.GetBulk(buf.AsSpan(0, n), cache))
                {
                    Interlocked.Increment(ref errors);
                    continue;
                }

                for (int i = 0; i < n; i++)
                {
                    if (Interlocked.CompareExchange(ref *(long*)buf[i], t + 1, 0) != 0)
                    {
                        Interlocked.Increment(ref errors);
                    }
                }

                for (int i = 0; i < n; i++)
                {
                    *(long*)buf[i] = 0;
                }

                mp.PutBulk(buf.AsSpan(0, n), cache);
                ops++;
            }
        })).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());
        Assert.That(errors, Is.EqualTo(0));
        Assert.That(ops, Is.GreaterThan(1000));
        Assert.That(mp.AvailableCount, Is.EqualTo(1024u));
    }
}
