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
            for (int idx = 0; idx < keep; idx += getBulk)
            {
                if (!Mempool.GenericGet(mp, t + idx, (uint)getBulk, cache))
                {
                    return false;
                }
            }

            for (int idx = 0; idx < keep; idx += putBulk)
            {
                Mempool.GenericPut(mp, t + idx, (uint)putBulk, cache);
            }
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
