using System.Diagnostics;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Eal.Benchmarks.Mempools;
using Eal.Memory.Mempools;
using Eal.Memory.Rings;

namespace Eal.Benchmarks.Rings;

/// <summary>
/// Console measurements that repeat, operation for operation, what DPDK 22.11's autotests time, so that
/// <c>eng/bench/ring-mempool-vs-dpdk.sh</c> can put the two side by side:
/// <list type="bullet">
/// <item><c>ring_perf_autotest</c> "Testing bulk enq/deq", legacy (pointer) API: one timed pass of 2^23 iterations of
/// (bulk enqueue n; bulk dequeue n) on a 4096-slot ring, TSC cycles. DPDK 22.11 prints cycles per <i>iteration</i>;
/// we print both per iteration and per element (per iteration / n).</item>
/// <item><c>mempool_perf_autotest</c> with cache=512 cores=1 constant_n=0: a pool of 2 x (512 + 512) - 1 objects of
/// 2048 B (the size the autotest gets with two lcores), rounds of 65536 objects, each round getting <c>keep</c>
/// objects by <c>get</c> and putting them back by <c>put</c> into a 64-byte-aligned table; objects got per second.
/// <c>--mempool-table-alias A</c> places the table so that (table - cache slots) mod 4096 = A, the layout DPDK's run
/// printed: the loop stores to one array and loads from the other, and when their low 12 address bits line up the
/// CPU stalls loads on unrelated stores (4K aliasing), which alone moves a case by up to 2x.</item>
/// </list>
/// Usage: <c>dpdk-compare [--ring] [--mempool] [--mempool-seconds 1] [--mempool-table-alias A] [--ring-iter-shift 23]</c>
/// (neither --ring nor --mempool: both).
/// </summary>
internal static unsafe class DpdkComparable
{
    private const int RingSize = 4096;
    private const int MaxBurst = 32;
    private const int ObjectsPerRound = 65536;
    private const int MaxKeep = 512;
    private const int CacheSize = 512;

    private static readonly int[] BulkSizes = [8, 32];
    private static readonly int[] MempoolBulks = [1, 4, 8, 32];
    private static readonly int[] MempoolKeeps = [32, 128, 512];

    public static int Run(string[] args)
    {
        double mempoolSeconds = 1.0;
        int ringShift = 23;
        int? tableAlias = null;
        bool ring = args.Contains("--ring"), mempool = args.Contains("--mempool");
        if (!ring && !mempool)
        {
            ring = mempool = true;
        }

        for (int i = 0; i < args.Length - 1; i++)
        {
            if (args[i] == "--mempool-seconds")
            {
                mempoolSeconds = double.Parse(args[i + 1], CultureInfo.InvariantCulture);
            }
            else if (args[i] == "--mempool-table-alias")
            {
                tableAlias = int.Parse(args[i + 1], CultureInfo.InvariantCulture) & 4095;
            }
            else if (args[i] == "--ring-iter-shift")
            {
                ringShift = int.Parse(args[i + 1], CultureInfo.InvariantCulture);
            }
        }

        Thread.CurrentThread.Priority = ThreadPriority.Highest;
        if (ring)
        {
            using var clock = new CycleClock();
            Console.WriteLine(FormattableString.Invariant($"# clock: {clock.Source}, TSC {clock.Hz / 1e6:F1} MHz"));
            RingBulk(clock, ringShift);
        }

        if (mempool)
        {
            MempoolRates(mempoolSeconds, tableAlias);
        }

        return 0;
    }

    private static void RingBulk(CycleClock clock, int shift)
    {
        using var r = Ring.Create("RING_PERF", RingSize);
        nint* burst = (nint*)NativeMemory.AlignedAlloc((nuint)(MaxBurst * sizeof(nint)), 64);
        try
        {
            new Span<nint>(burst, MaxBurst).Clear();

            // Reach fully optimised code (tiering) and warm the ring before the timed passes.
            for (int w = 0; w < 3; w++)
            {
                foreach (int size in BulkSizes)
                {
                    SpSc(r, burst, (uint)size, 1 << 18);
                    MpMc(r, burst, (uint)size, 1 << 18);
                }
            }

            // The autotest's order: SP/SC sizes 8, 32, then MP/MC sizes 8, 32; one timed pass each.
            int iterations = 1 << shift;
            foreach (bool multi in new[] { false, true })
            {
                foreach (int size in BulkSizes)
                {
                    ulong start = clock.Now();
                    if (multi)
                    {
                        MpMc(r, burst, (uint)size, iterations);
                    }
                    else
                    {
                        SpSc(r, burst, (uint)size, iterations);
                    }

                    ulong end = clock.Now();
                    double perIteration = (double)(end - start) / iterations;
                    Console.WriteLine(FormattableString.Invariant(
                        $"RING {(multi ? "MP/MC" : "SP/SC")} bulk {size} per_bulk={perIteration:F2} per_elem={perIteration / size:F3}"));
                }
            }
        }
        finally
        {
            NativeMemory.AlignedFree(burst);
        }
    }

    // NoInlining + runtime n: like the autotest (bulk_sizes is volatile there), n is not a compile-time constant.
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void SpSc(Ring r, nint* burst, uint n, int iterations)
    {
        for (int i = 0; i < iterations; i++)
        {
            r.SpEnqueueBulk(burst, n, out _);
            r.ScDequeueBulk(burst, n, out _);
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void MpMc(Ring r, nint* burst, uint n, int iterations)
    {
        for (int i = 0; i < iterations; i++)
        {
            r.MpEnqueueBulk(burst, n, out _);
            r.McDequeueBulk(burst, n, out _);
        }
    }

    private static void MempoolRates(double seconds, int? tableAlias)
    {
        using var provider = new MempoolBenchProvider();
        using var pool = Mempool.Create(provider, "perf_test_cache", (2 * (MaxKeep + CacheSize)) - 1, 2048, cacheSize: CacheSize, lcoreCount: 1);
        MempoolCache* cache = pool.GetCache(0);
        NativeMempool* mp = pool.Native;
        const int page = 4096;
        byte* block = (byte*)NativeMemory.AlignedAlloc((nuint)(MaxKeep * sizeof(nint) + page), page);
        nint slots = (nint)cache + MempoolCache.ObjectsOffset;
        nint* table = tableAlias is int alias ? (nint*)(block + ((slots + alias) & (page - 1))) : (nint*)block;
        Console.WriteLine(FormattableString.Invariant($"# layout: (table - cache slots) mod 4096 = {((nint)table - slots) & (page - 1)}"));
        try
        {
            // Warm-up of every shape (tiering), then the timed cases in the autotest's order (get, put, keep).
            foreach (int getBulk in MempoolBulks)
            {
                foreach (int putBulk in MempoolBulks)
                {
                    foreach (int keep in MempoolKeeps)
                    {
                        Check(MempoolPerf.TestLoop(mp, cache, table, ObjectsPerRound, keep, getBulk, putBulk));
                    }
                }
            }

            foreach (int getBulk in MempoolBulks)
            {
                foreach (int putBulk in MempoolBulks)
                {
                    foreach (int keep in MempoolKeeps)
                    {
                        long count = 0;
                        long limit = (long)(seconds * Stopwatch.Frequency);
                        long start = Stopwatch.GetTimestamp(), now = start;
                        while (now - start < limit)
                        {
                            Check(MempoolPerf.TestLoop(mp, cache, table, ObjectsPerRound, keep, getBulk, putBulk));
                            count += ObjectsPerRound;
                            now = Stopwatch.GetTimestamp();
                        }

                        double rate = count / ((double)(now - start) / Stopwatch.Frequency);
                        Console.WriteLine(FormattableString.Invariant(
                            $"MEMPOOL cache={CacheSize} cores=1 n_get_bulk={getBulk} n_put_bulk={putBulk} n_keep={keep} rate_persec={rate:F0}"));
                    }
                }
            }
        }
        finally
        {
            NativeMemory.AlignedFree(block);
        }

        static void Check(bool ok)
        {
            if (!ok)
            {
                throw new InvalidOperationException("mempool ran out of objects; the test is mis-sized");
            }
        }
    }
}
