using BenchmarkDotNet.Attributes;
using Eal.Memory.Mempools;

namespace Eal.Benchmarks.Mempools;

/// <summary>
/// One core: get <see cref="Keep"/> objects in bulks of <see cref="Bulk"/> through the lcore-0 cache (size 512), then
/// put them back the same way, like DPDK's <c>mempool_perf_autotest</c> (cache=512, cores=1). One operation = one keep cycle
/// (Keep objects got and put); divide by Keep for per-object time.
/// </summary>
[MemoryDiagnoser]
public unsafe class MempoolBenchmarks : IDisposable
{
    private readonly nint[] _table = new nint[512];
    private MempoolBenchProvider _provider = null!;
    private Mempool _pool = null!;
    private MempoolCache* _cache;

    [Params(1, 4, 8, 32)]
    public int Bulk { get; set; }

    [Params(32, 128, 512)]
    public int Keep { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _provider = new MempoolBenchProvider();
        _pool = Mempool.Create(_provider, "bench", (2 * (512 + 512)) - 1, 2048, cacheSize: 512, lcoreCount: 1);
        _cache = _pool.GetCache(0);
    }

    [GlobalCleanup]
    public void Dispose()
    {
        _pool?.Dispose();
        _provider?.Dispose();
        GC.SuppressFinalize(this);
    }

    [Benchmark(OperationsPerInvoke = 16)]
    public bool GetPutBulk()
    {
        bool ok = true;
        for (int r = 0; r < 16; r++)
        {
            ok &= MempoolPerf.KeepCycle(_pool.Native, _table, Keep, Bulk, Bulk, _cache);
        }

        return ok;
    }
}
