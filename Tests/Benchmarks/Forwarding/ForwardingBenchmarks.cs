using System.Runtime.InteropServices;
using BenchmarkDotNet.Attributes;
using Eal.Ethdev;
using Eal.Memory.Mbufs;
using Microsoft.Extensions.DependencyInjection;
using TestPmd;

namespace Eal.Benchmarks.Forwarding;

/// <summary>
/// testpmd's io forwarding loop body (<c>IoEngine.Forward</c>: Rx burst on one net_null port, Tx burst on the other,
/// both directions) on the emulated platform. <see cref="MemoryDiagnoserAttribute"/> proves the burst loop allocates
/// nothing (Allocated column '-'); the time is per burst of <see cref="Burst"/> packets.
/// </summary>
[MemoryDiagnoser]
public unsafe class ForwardingBenchmarks
{
    private const int BurstsPerInvoke = 1000;

    private ServiceProvider? _provider;
    private EalInstance? _eal;
    private PktMbufPool? _pool;
    private FwdStream* _streams;
    private EthFastPath _fp;
    private readonly List<EthPort> _ports = [];

    /// <summary>Packets per burst.</summary>
    [Params(1, 8, 32)]
    public int Burst { get; set; }

    /// <summary>EAL on the emulated machine, two started net_null ports, two streams 0->1 and 1->0.</summary>
    [GlobalSetup]
    public void Setup()
    {
        var services = new ServiceCollection();
        services.AddEal(["--emulate", "-l", "0-1", "--vdev", "net_null0", "--vdev", "net_null1"]);
        TestPmdApp.RegisterShippedBusesAndDrivers(services);
        _provider = services.BuildServiceProvider();
        _eal = _provider.GetRequiredService<EalInstance>();
        _eal.Start();
        var ethdev = _provider.GetRequiredService<EthdevRegistry>();
        _pool = PktMbufPool.Create(_eal.Memory.Memzones, "bench_pool", 8192, 250);
        _ports.AddRange(ethdev.Ports.OrderBy(p => p.PortId));
        foreach (var p in _ports)
        {
            p.Configure(1, 1);
            p.SetupRxQueue(0, 512, _pool, new RxQueueConfig { LcoreId = 1 });
            p.SetupTxQueue(0, 512, new TxQueueConfig { LcoreId = 1 });
            p.Start();
        }
        _fp = ethdev.FastPath;
        _streams = (FwdStream*)NativeMemory.AlignedAlloc((nuint)(2 * sizeof(FwdStream)), 64);
        new Span<byte>(_streams, 2 * sizeof(FwdStream)).Clear();
        for (int i = 0; i < 2; i++)
        {
            _streams[i].RxPort = _ports[i].PortId;
            _streams[i].TxPort = _ports[1 - i].PortId;
            _streams[i].Pkts = (Mbuf**)NativeMemory.AlignedAlloc(TestPmdOptions.MaxBurst * (nuint)sizeof(nint), 64);
            _streams[i].Pool = _pool.Native;
        }
    }

    /// <summary>One io burst per direction, <see cref="BurstsPerInvoke"/> times; reported per burst.</summary>
    [Benchmark(OperationsPerInvoke = 2 * BurstsPerInvoke)]
    public ulong IoForwardBurst()
    {
        var fp = _fp;
        ushort burst = (ushort)Burst;
        FwdStream* s = _streams;
        for (int i = 0; i < BurstsPerInvoke; i++)
        {
            IoEngine.Forward(fp, s, burst, 1, null);
            IoEngine.Forward(fp, s + 1, burst, 1, null);
        }
        return s->TxPackets;
    }

    /// <summary>Stops the ports, frees the streams and the pool, releases EAL.</summary>
    [GlobalCleanup]
    public void Cleanup()
    {
        foreach (var p in _ports) p.StopAndClose();
        for (int i = 0; i < 2; i++) NativeMemory.AlignedFree(_streams[i].Pkts);
        NativeMemory.AlignedFree(_streams);
        _pool?.Dispose();
        _eal?.Dispose();
        _provider?.Dispose();
    }
}
