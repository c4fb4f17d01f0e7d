using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Eal.Memory;
using Eal.Memory.Mempools;

namespace Eal.Benchmarks.Mempools;

/// <summary>The inner loop of DPDK's mempool perf test: get <c>keep</c> objects by <c>getBulk</c>, put them back by <c>putBulk</c>.</summary>
internal static unsafe class MempoolPerf
{
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static bool KeepCycle(NativeMempool* mp, nint[] table, int keep, int getBulk, int putBulk, MempoolCache* cache)
    {
        fixed (nint* t = table)
        {
            return Cycle(mp, cache, t, t + keep, (uint)getBulk, (uint)putBulk);
        }
    }

    /// <summary>
    /// DPDK's <c>test_loop</c>: <paramref name="objects"/> / <paramref name="keep"/> cycles of getting <paramref name="keep"/>
    /// objects by <paramref name="getBulk"/> into <paramref name="table"/> and putting them back by <paramref name="putBulk"/>.
    /// </summary>
    /// <returns>False when the pool ran short.</returns>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    public static bool TestLoop(NativeMempool* mp, MempoolCache* cache, nint* table, int objects, int keep, int getBulk, int putBulk)
    {
        for (int i = 0; i < objects / keep; i++)
        {
            if (!Cycle(mp, cache, table, table + keep, (uint)getBulk, (uint)putBulk))
            {
                return false;
            }
        }

        return true;
    }

    // One keep cycle per call, both phases in it, as DPDK's loop body: few enough live values that the JIT keeps them in
    // callee-saved registers instead of spilling them around the (cold) slow-path calls, as gcc does for DPDK's loop.
    // Measured against two calls per cycle (one method per phase): keep-32 cases up to +47%, get 32 put 8 keep 32 +21%;
    // against everything inlined into TestLoop: no loss at keep 512, where the spills of the bigger loop cost up to 13%.
    // Mempool.GenericGet/GenericPut are inlined into the loops, as rte_mempool_generic_* are. Optimised from the first
    // call: the driver is pinned to one CPU, where the background tier-1 JIT would compete with the timed cases (DPDK's
    // loop is compiled ahead of time with -O3).
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static bool Cycle(NativeMempool* mp, MempoolCache* cache, nint* table, nint* end, uint getBulk, uint putBulk)
    {
        for (nint* t = table; t < end; t += getBulk)
        {
            if (!Mempool.GenericGet(mp, t, getBulk, cache))
            {
                return false;
            }
        }

        for (nint* t = table; t < end; t += putBulk)
        {
            Mempool.GenericPut(mp, t, putBulk, cache);
        }

        return true;
    }
}

/// <summary>Anonymous native memory with IOVA = VA, standing in for hugepage memzones in benchmarks.</summary>
internal sealed unsafe class MempoolBenchProvider : IDmaMemoryProvider, IDisposable
{
    private readonly List<Region> _regions = [];

    public IDmaRegion Reserve(string name, nuint length, nuint alignment, int socket)
    {
        var r = new Region((nint)NativeMemory.AlignedAlloc(length, Math.Max(alignment, 64)), length);
        _regions.Add(r);
        return r;
    }

    public void Release(IDmaRegion region)
    {
        if (_regions.Remove((Region)region))
        {
            NativeMemory.AlignedFree((void*)region.Address);
        }
    }

    public void Dispose()
    {
        foreach (Region r in _regions)
        {
            NativeMemory.AlignedFree((void*)r.Address);
        }

        _regions.Clear();
    }

    private sealed record Region(nint Address, nuint Length) : IDmaRegion
    {
        public int Socket => 0;

        public ulong IovaAt(nuint offset) => (ulong)Address + offset;
    }
}
