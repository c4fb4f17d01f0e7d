using System.Diagnostics;
using System.Globalization;
using Eal.Benchmarks.Mempools;
using Eal.Memory.Mempools;
using Eal.Memory.Rings;

namespace Eal.Benchmarks.Rings;

/// <summary>
/// Quick console measurements shaped like DPDK's <c>ring_perf_autotest</c> (single-lcore bulk enq/deq, TSC cycles per
/// element) and <c>mempool_perf_autotest</c> (cache=512, cores=1: objects got+put per second). Prints one
/// machine-readable line per measurement for <c>eng/bench/ring-mempool-vs-dpdk.sh</c>.
/// </summary>
internal static unsafe class DpdkComparable
{
    public static int Run(string[] args)
    {
        double mempoolSeconds = 1.0;
        int ringShift = 22;
        for (int i = 0; i < args.Length - 1; i++)
        {
            if (args[i] == "--mempool-seconds")
            {
                mempoolSeconds = double.Parse(args[i + 1], CultureInfo.InvariantCulture);
            }
            else if (args[i] == "--ring-iter-shift")
            {
                ringShift = int.Parse(args[i + 1], CultureInfo.InvariantCulture);
            }
        }

        Thread.CurrentThread.Priority = ThreadPriority.Highest;
        using var clock = new CycleClock();
        Console.WriteLine(FormattableString.Invariant($"# clock: {clock.Source}, TSC {clock.Hz / 1e6:F1} MHz"));
        RingBulk(clock, ringShift);
        MempoolRates(mempoolSeconds);
        return 0;
    }

    private static void RingBulk(CycleClock clock, int shift)
    {
        using var sp = Ring.Create("cmp_sp", 4096, RingFlags.SingleProducer | RingFlags.SingleConsumer);
        using var mp = Ring.Create("cmp_mp", 4096);
        nint* burst = stackalloc nint[32];
        foreach (int size in new[] { 8, 32 })
        {
            // Warm up (tiering: reach the optimised code before timing).
            for (int w = 0; w < 3; w++)
            {
                SpSc(sp, burst, (uint)size, 1 << 18);
                MpMc(mp, burst, (uint)size, 1 << 18);
            }

            Report("SP/SC", size, Median(() => Measure(clock, () => SpSc(sp, burst, (uint)size, 1 << shift), size, 1 << shift)));
            Report("MP/MC", size, Median(() => Measure(clock, () => MpMc(mp, burst, (uint)size, 1 << shift), size, 1 << shift)));
        }

        static void Report(string mode, int size, double cycles) =>
            Console.WriteLine(FormattableString.Invariant($"RING {mode} bulk {size} {cycles:F2}"));
    }

    private static double Measure(CycleClock clock, Action body, int size, int iterations)
    {
        ulong start = clock.Now();
        body();
        ulong end = clock.Now();
        return (double)(end - start) / ((double)iterations * size);
    }

    private static double Median(Func<double> f)
    {
        double[] v = [f(), f(), f()];
        Array.Sort(v);
        return v[1];
    }

    private static void SpSc(Ring r, nint* burst, uint n, int iterations)
    {
        for (int i = 0; i < iterations; i++)
        {
            r.SpEnqueueBulk(burst, n, out _);
            r.ScDequeueBulk(burst, n, out _);
        }
    }

    private static void MpMc(Ring r, nint* burst, uint n, int iterations)
    {
        for (int i = 0; i < iterations; i++)
        {
            r.MpEnqueueBulk(burst, n, out _);
            r.McDequeueBulk(burst, n, out _);
        }
    }

    private static void MempoolRates(double seconds)
    {
        const int N = 65536;
        using var provider = new MempoolBenchProvider();

        // Same shape as DPDK's test: 2 lcores (the script runs DPDK with -l 0-1) x (MAX_KEEP 128 + cache 512) - 1 objects of 2048 bytes, cache 512.
        using var pool = Mempool.Create(provider, "cmp_mp", (2 * (128 + 512)) - 1, 2048, cacheSize: 512, lcoreCount: 1);
        MempoolCache* cache = pool.GetCache(0);
        var table = new nint[512];
        foreach (int keep in new[] { 32, 128 })
        {
            foreach (int getBulk in new[] { 1, 4, 32 })
            {
                foreach (int putBulk in new[] { 1, 4, 32 })
                {
                    // Warm-up round, then count whole rounds of N objects for the time budget.
                    for (int i = 0; i < N / keep; i++)
                    {
                        MempoolPerf.KeepCycle(pool.Native, table, keep, getBulk, putBulk, cache);
                    }

                    long count = 0;
                    var sw = Stopwatch.StartNew();
                    while (sw.Elapsed.TotalSeconds < seconds)
                    {
                        for (int i = 0; i < N / keep; i++)
                        {
                            if (!MempoolPerf.KeepCycle(pool.Native, table, keep, getBulk, putBulk, cache))
                            {
                                throw new InvalidOperationException("mempool ran out of objects; the test is mis-sized");
                            }
                        }

                        count += N;
                    }

                    double rate = count / sw.Elapsed.TotalSeconds;
                    Console.WriteLine(FormattableString.Invariant(
                        $"MEMPOOL cache=512 cores=1 n_get_bulk={getBulk} n_put_bulk={putBulk} n_keep={keep} rate_persec={rate:F0}"));
                }
            }
        }
    }
}
