using BenchmarkDotNet.Attributes;
using Eal.Memory.Rings;

namespace Eal.Benchmarks.Rings;

/// <summary>
/// One core, one thread: bulk enqueue then bulk dequeue of <see cref="Bulk"/> pointers, like DPDK's
/// <c>ring_perf_autotest</c> "bulk enq/deq". One operation = one enqueue+dequeue pair; divide by Bulk for per-element.
/// </summary>
[MemoryDiagnoser]
public class RingBenchmarks : IDisposable
{
    private readonly nint[] _burst = new nint[32];
    private Ring _sp = null!;
    private Ring _mp = null!;

    [Params(8, 32)]
    public int Bulk { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _sp = Ring.Create("bench_sp", 4096, RingFlags.SingleProducer | RingFlags.SingleConsumer);
        _mp = Ring.Create("bench_mp", 4096);
    }

    [GlobalCleanup]
    public void Dispose()
    {
        _sp?.Dispose();
        _mp?.Dispose();
        GC.SuppressFinalize(this);
    }

    [Benchmark(OperationsPerInvoke = 128)]
    public uint SpScBulk()
    {
        uint n = 0;
        Span<nint> b = _burst.AsSpan(0, Bulk);
        for (int i = 0; i < 128; i++)
        {
            n += _sp.SpEnqueueBulk(b);
            n += _sp.ScDequeueBulk(b);
        }

        return n;
    }

    [Benchmark(OperationsPerInvoke = 128)]
    public uint MpMcBulk()
    {
        uint n = 0;
        Span<nint> b = _burst.AsSpan(0, Bulk);
        for (int i = 0; i < 128; i++)
        {
            n += _mp.MpEnqueueBulk(b);
            n += _mp.McDequeueBulk(b);
        }

        return n;
    }
}
