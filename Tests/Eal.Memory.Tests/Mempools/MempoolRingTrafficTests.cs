using Eal.Memory.Mempools;
using Eal.Memory.Rings;
using NUnit.Framework;

namespace Eal.Memory.Tests.Mempools;

/// <summary>
/// How often the per-lcore cache goes to the backing ring, counted in objects moved through the ring (its producer
/// and consumer tails), for sequences whose traffic under DPDK 22.11's algorithm is worked out by hand: refill with
/// size + missing on a miss, flush everything cached when a put would pass 1.5 x size. A cache that refilled or
/// flushed more often than DPDK's would show here, not only as a slower benchmark.
/// </summary>
[TestFixture]
public sealed unsafe class MempoolRingTrafficTests : MempoolFixture
{
    // mempool_perf_autotest (cache=512, cores=1): one cache carried through all 48 shapes in the autotest's order.
    // DPDK: the first get of 1 on the empty cache dequeues 512 + 1 and leaves 512; its put makes 513. From then on
    // every shape takes at most keep (<= 512) from 513 and puts the same number back (513 <= 768), so no shape ever
    // reaches the ring again. eng/bench/ring-mempool-vs-dpdk.sh times exactly these rounds.
    [Test]
    public void AutotestSequence_AfterTheFirstRefill_NeverTouchesTheRing()
    {
        const int MaxKeep = 512;
        using var mp = Mempool.Create(Provider, "perf", (2 * (MaxKeep + 512)) - 1, 64, cacheSize: 512, lcoreCount: 1);
        MempoolCache* c = mp.GetCache(0);
        var table = new nint[MaxKeep];
        var traffic = new RingTraffic(mp);

        Round(mp, c, table, keep: 1, getBulk: 1, putBulk: 1);
        Assert.That(traffic.Take(), Is.EqualTo((Dequeued: 513u, Enqueued: 0u)), "one refill of size + 1");
        Assert.That(c->Length, Is.EqualTo(513u));

        uint[] bulks = [1, 4, 8, 32];
        uint[] keeps = [32, 128, 512];
        foreach (uint get in bulks)
        {
            foreach (uint put in bulks)
            {
                foreach (uint keep in keeps)
                {
                    for (int cycle = 0; cycle < 65536 / keep; cycle++)
                    {
                        Round(mp, c, table, keep, get, put);
                    }

                    string shape = $"get {get} put {put} keep {keep}";
                    Assert.That(traffic.Take(), Is.EqualTo((Dequeued: 0u, Enqueued: 0u)), $"{shape}: served by the cache alone");
                    Assert.That(c->Length, Is.EqualTo(513u), $"{shape}: the cache is back where it started");
                }
            }
        }
    }

    // Cache 32 (threshold 48), get 7 x 8 then put 56 x 1 per round, from an empty cache (DPDK's algorithm by hand):
    // round 1: 0 -> refill 40 (32 left) -> 4 hits -> 0 -> refill 40 -> 24; puts: 24 -> 48, flush 48, 1 -> 32.
    // round 2: 32 -> 4 hits -> 0 -> refill 40 -> 16; puts: 16 -> 48, flush 48, 1 -> 24.
    // round 3: 24 -> 0 -> refill 40 -> 8; puts: 8 -> 48, flush 48, 1 -> 16.
    // round 4: 16 -> 0 -> refill 40 -> 0; puts: 0 -> 48, flush 48, 1 -> 8.
    // Each refill moves size + missing, each flush moves everything cached; never more ring operations than these.
    [TestCase(1, 80u, 48u, 32u)]
    [TestCase(2, 40u, 48u, 24u)]
    [TestCase(3, 40u, 48u, 16u)]
    [TestCase(4, 40u, 48u, 8u)]
    public void RoundCrossingBothBoundaries_MovesExactlyTheRefillsAndFlushesOfDpdk(int round, uint dequeued, uint enqueued, uint lengthAfter)
    {
        using var mp = Mempool.Create(Provider, "cross", 256, 8, cacheSize: 32, lcoreCount: 1);
        MempoolCache* c = mp.GetCache(0);
        var table = new nint[56];
        var traffic = new RingTraffic(mp);
        for (int r = 1; r < round; r++)
        {
            Round(mp, c, table, keep: 56, getBulk: 8, putBulk: 1);
        }

        traffic.Take();
        Round(mp, c, table, keep: 56, getBulk: 8, putBulk: 1);
        Assert.That(traffic.Take(), Is.EqualTo((Dequeued: dequeued, Enqueued: enqueued)), $"ring traffic of round {round}");
        Assert.That(c->Length, Is.EqualTo(lengthAfter));
        Assert.That(mp.AvailableCount, Is.EqualTo(256u), "every object returned");
    }

    // One cycle of the autotest's loop; throws (rather than asserting per call, which would dominate the run time)
    // when the pool runs short.
    private static void Round(Mempool mp, MempoolCache* c, nint[] table, uint keep, uint getBulk, uint putBulk)
    {
        fixed (nint* t = table)
        {
            for (uint i = 0; i < keep; i += getBulk)
            {
                if (!Mempool.GenericGet(mp.Native, t + i, getBulk, c))
                {
                    throw new AssertionException($"get of {getBulk} failed with {mp.AvailableCount} objects available");
                }
            }

            for (uint i = 0; i < keep; i += putBulk)
            {
                Mempool.GenericPut(mp.Native, t + i, putBulk, c);
            }
        }
    }

    // Objects through the ring since the last Take, from its tails (they only grow, modulo 2^32).
    private sealed class RingTraffic(Mempool mp)
    {
        private readonly RingHeader* _ring = mp.Native->Ring;
        private uint _prod = mp.Native->Ring->ProdTail;
        private uint _cons = mp.Native->Ring->ConsTail;

        public (uint Dequeued, uint Enqueued) Take()
        {
            (uint Dequeued, uint Enqueued) moved = (_ring->ConsTail - _cons, _ring->ProdTail - _prod);
            _prod = _ring->ProdTail;
            _cons = _ring->ConsTail;
            return moved;
        }
    }
}
