using System.Runtime.InteropServices;
using Eal.Memory;
using Eal.Memory.Mbufs;
using Eal.Net.Null;
using Eal.Net.Ring;
using Microsoft.Extensions.DependencyInjection;

namespace Eal.Ethdev.Tests;

/// <summary>Anonymous native memory with IOVA = VA, for pools in tests that run without EAL.</summary>
internal sealed unsafe class NativeDmaProvider : IDmaMemoryProvider, IDisposable
{
    private readonly List<Region> _live = [];

    public int Outstanding => _live.Count;

    public IDmaRegion Reserve(string name, nuint length, nuint alignment, int socket)
    {
        var r = new Region(name, (nint)NativeMemory.AlignedAlloc(length, Math.Max(alignment, 64)), length, socket);
        NativeMemory.Clear((void*)r.Address, length);
        _live.Add(r);
        return r;
    }

    public void Release(IDmaRegion region)
    {
        var r = (Region)region;
        if (_live.Remove(r)) NativeMemory.AlignedFree((void*)r.Address);
    }

    public void Dispose()
    {
        foreach (var r in _live) NativeMemory.AlignedFree((void*)r.Address);
        _live.Clear();
    }

    private sealed class Region(string name, nint address, nuint length, int socket) : IDmaRegion
    {
        public string Name { get; } = name;
        public nint Address { get; } = address;
        public nuint Length { get; } = length;
        public int Socket { get; } = socket;
        public ulong IovaAt(nuint offset) => (ulong)Address + offset;
    }
}

/// <summary>A registry, both PMDs and a memory provider, without EAL (fast unit tests).</summary>
internal sealed class Fixture : IDisposable
{
    public NativeDmaProvider Memory { get; } = new();
    public EthdevRegistry Registry { get; } = new();
    public NullPmd Null { get; }
    public RingPmd Ring { get; }
    private readonly List<IDisposable> _owned = [];

    public Fixture()
    {
        Null = new NullPmd(Registry);
        Ring = new RingPmd(Registry);
    }

    public PktMbufPool Pool(uint count = 1023, uint cache = 0, string? name = null, ushort dataRoom = PktMbufPool.DefaultDataRoomSize)
    {
        var pool = PktMbufPool.Create(Memory, name ?? $"pool{_owned.Count}", count, cache, dataRoomSize: dataRoom);
        _owned.Add(pool);
        return pool;
    }

    /// <summary>A null port configured with <paramref name="queues"/> queues each way, set up and started.</summary>
    public EthPort StartedNull(string name, PktMbufPool pool, NullOptions? options = null, ushort queues = 1)
    {
        var port = Null.CreatePort(name, options ?? new NullOptions());
        port.Configure(queues, queues);
        for (ushort q = 0; q < queues; q++)
        {
            port.SetupRxQueue(q, 0, pool);
            port.SetupTxQueue(q, 0);
        }
        port.Start();
        return port;
    }

    public void Dispose()
    {
        // Ports first (they flush queue caches into pools), then pools, then memory.
        Registry.Dispose();
        for (int i = _owned.Count - 1; i >= 0; i--) _owned[i].Dispose();
        Memory.Dispose();
    }
}

/// <summary>EAL on the emulated platform in a container that also gives the ethdev registry.</summary>
internal sealed class EalHarness : IDisposable
{
    private readonly ServiceProvider _provider;

    private EalHarness(ServiceProvider provider, EalInstance eal)
    {
        _provider = provider;
        Eal = eal;
        Ethdev = provider.GetRequiredService<EthdevRegistry>();
        RingPmd = provider.GetRequiredService<RingPmd>();
    }

    public EalInstance Eal { get; }

    public EthdevRegistry Ethdev { get; }

    public RingPmd RingPmd { get; }

    public static EalHarness Start(params string[] args)
    {
        var services = new ServiceCollection();
        services.AddEal(["--emulate=cpus=2", "-l", "0-1", .. args]);
        services.AddNullPmd();
        services.AddRingPmd();
        var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true });
        try
        {
            var eal = provider.GetRequiredService<EalInstance>();
            eal.Start();
            return new EalHarness(provider, eal);
        }
        catch
        {
            provider.Dispose();
            throw;
        }
    }

    public PktMbufPool Pool(string name, uint count, uint cache = 0) =>
        PktMbufPool.Create(Eal.Memory.Memzones, name, count, cache);

    public void Dispose()
    {
        Eal.Dispose();
        _provider.Dispose();
    }
}
