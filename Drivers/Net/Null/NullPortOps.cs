using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Eal.Ethdev;
using Eal.Memory.Mbufs;
using Eal.Memory.Mempools;

namespace Eal.Net.Null;

/// <summary>An Rx queue of a null port, in native memory on its own cache lines (polled by one thread).</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct NullRxQueue
{
    public NativeMempool* Pool;
    public MempoolCache* Cache;
    public byte* DummyPacket;
    public uint PacketSize;
    public ushort PortId;
    public ushort QueueId;
    public byte OwnsCache;
    public ulong Packets;
    public ulong Bytes;
    public ulong NoMbuf;
}

/// <summary>A Tx queue of a null port, in native memory (used by one thread).</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct NullTxQueue
{
    public byte* DummyPacket;
    public uint PacketSize;
    public uint LcoreId;
    public ushort QueueId;
    public ulong Packets;
    public ulong Bytes;
}

/// <summary>The null port's operations and burst functions.</summary>
internal sealed unsafe class NullPortOps : EthDeviceOps
{
    private readonly NullOptions _options;
    private readonly SortedDictionary<ushort, nint> _rxQueues = [];
    private readonly SortedDictionary<ushort, nint> _txQueues = [];
    private readonly Dictionary<nint, PktMbufPool> _rxPools = [];
    private readonly EthDevInfo _info = new()
    {
        DriverName = "net_null",
        MaxRxQueues = EthdevRegistry.MaxQueuesPerPort,
        MaxTxQueues = EthdevRegistry.MaxQueuesPerPort,
        MaxMacAddresses = 1,
        MaxRxPacketLength = uint.MaxValue,
        TxOffloadCapabilities = TxOffloads.MultiSegments,
        SpeedCapabilities = [LinkStatus.Speed10G],
    };

    public NullPortOps(NullOptions options) => _options = options;

    public NullOptions Options => _options;

    private static readonly LinkStatus UpLink = new(LinkStatus.Speed10G, FullDuplex: true, Autoneg: false, Up: true);
    private static readonly LinkStatus DownLink = new(LinkStatus.SpeedNone, FullDuplex: true, Autoneg: false, Up: false);

    public override EthDevInfo GetInfo(EthPort port) => _info;

    public override nint SetupRxQueue(EthPort port, ushort queueId, ushort descriptors, int socket, RxQueueConfig config, PktMbufPool pool)
    {
        if (_options.Copy && _options.PacketSize > (uint)(pool.DataRoomSize - Mbuf.DefaultHeadroom))
            throw new EthdevException($"{port}: size={_options.PacketSize} with copy=1 does not fit mbuf pool '{pool.Name}' ({pool.DataRoomSize - Mbuf.DefaultHeadroom} bytes after headroom); use a pool with a data room of at least {_options.PacketSize + Mbuf.DefaultHeadroom}");
        var q = (NullRxQueue*)NativeMemory.AlignedAlloc((nuint)sizeof(NullRxQueue), 64);
        *q = default;
        q->Pool = pool.Native;
        q->PacketSize = _options.PacketSize;
        q->PortId = port.PortId;
        q->QueueId = queueId;
        if (config.LcoreId != RxQueueConfig.NoLcore)
        {
            q->Cache = pool.Mempool.GetCache(config.LcoreId);
        }
        else if (pool.Mempool.CacheSize != 0)
        {
            // One thread polls a queue, so a cache private to the queue needs no lcore id.
            q->Cache = pool.Mempool.CreateCache(pool.Mempool.CacheSize);
            q->OwnsCache = 1;
        }
        if (_options.Copy)
            q->DummyPacket = (byte*)NativeMemory.AllocZeroed(Math.Max(1u, _options.PacketSize));
        _rxQueues[queueId] = (nint)q;
        _rxPools[(nint)q] = pool;
        return (nint)q;
    }

    public override void ReleaseRxQueue(EthPort port, nint queue)
    {
        var q = (NullRxQueue*)queue;
        if (q->OwnsCache != 0)
        {
            var pool = _rxPools[queue];
            // A pool disposed before its port: its objects are gone, only the cache memory is ours to free.
            try { pool.Mempool.FlushCache(q->Cache); }
            catch (ObjectDisposedException) { }
            Mempool.FreeCache(q->Cache);
        }
        NativeMemory.Free(q->DummyPacket);
        _rxPools.Remove(queue);
        _rxQueues.Remove(q->QueueId);
        NativeMemory.AlignedFree(q);
    }

    public override nint SetupTxQueue(EthPort port, ushort queueId, ushort descriptors, int socket, TxQueueConfig config)
    {
        var q = (NullTxQueue*)NativeMemory.AlignedAlloc((nuint)sizeof(NullTxQueue), 64);
        *q = default;
        q->PacketSize = _options.PacketSize;
        q->LcoreId = config.LcoreId;
        q->QueueId = queueId;
        if (_options.Copy)
            q->DummyPacket = (byte*)NativeMemory.AllocZeroed(Math.Max(1u, _options.PacketSize));
        _txQueues[queueId] = (nint)q;
        return (nint)q;
    }

    public override void ReleaseTxQueue(EthPort port, nint queue)
    {
        var q = (NullTxQueue*)queue;
        NativeMemory.Free(q->DummyPacket);
        _txQueues.Remove(q->QueueId);
        NativeMemory.AlignedFree(q);
    }

    public override EthBurstFunctions GetBurstFunctions(EthPort port) => new()
    {
        Rx = _options.NoRx ? &RxNothing : _options.Copy ? &RxCopy : &Rx,
        Tx = _options.Copy ? &TxCopy : &Tx,
    };

    public override void Start(EthPort port) => port.ReportLink(UpLink);

    public override void Stop(EthPort port) => port.ReportLink(DownLink);

    public override void Close(EthPort port) => port.ReportLink(DownLink);

    public override void SetLinkUp(EthPort port) => port.ReportLink(UpLink);

    public override void SetLinkDown(EthPort port) => port.ReportLink(DownLink);

    public override void GetStats(EthPort port, EthStats stats)
    {
        foreach (var (i, queue) in _rxQueues)
        {
            var q = (NullRxQueue*)queue;
            ulong packets = Volatile.Read(ref q->Packets), bytes = Volatile.Read(ref q->Bytes);
            stats.IPackets += packets;
            stats.IBytes += bytes;
            stats.RxNoMbuf += Volatile.Read(ref q->NoMbuf);
            if (i < EthStats.QueueStatCounters)
            {
                stats.QueueIPackets[i] = packets;
                stats.QueueIBytes[i] = bytes;
            }
        }
        foreach (var (i, queue) in _txQueues)
        {
            var q = (NullTxQueue*)queue;
            ulong packets = Volatile.Read(ref q->Packets), bytes = Volatile.Read(ref q->Bytes);
            stats.OPackets += packets;
            stats.OBytes += bytes;
            if (i < EthStats.QueueStatCounters)
            {
                stats.QueueOPackets[i] = packets;
                stats.QueueOBytes[i] = bytes;
            }
        }
    }

    public override void ResetStats(EthPort port)
    {
        foreach (var queue in _rxQueues.Values)
        {
            var q = (NullRxQueue*)queue;
            q->Packets = 0;
            q->Bytes = 0;
            q->NoMbuf = 0;
        }
        foreach (var queue in _txQueues.Values)
        {
            var q = (NullTxQueue*)queue;
            q->Packets = 0;
            q->Bytes = 0;
        }
    }

    // ---- data path: no allocation, no interface call; counters are plain (one thread per queue) ----

    private static ushort RxNothing(nint queue, Mbuf** bufs, ushort n) => 0;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static ushort Rx(nint queue, Mbuf** bufs, ushort n)
    {
        var q = (NullRxQueue*)queue;
        if (q == null || bufs == null || n == 0) return 0;
        if (!Mbuf.AllocBulk(q->Pool, bufs, n, q->Cache))
        {
            q->NoMbuf += n;
            return 0;
        }
        uint size = q->PacketSize;
        ushort port = q->PortId;
        for (int i = 0; i < n; i++)
        {
            Mbuf* m = bufs[i];
            m->DataLen = (ushort)size;
            m->PktLen = size;
            m->Port = port;
        }
        q->Packets += n;
        q->Bytes += (ulong)n * size;
        return n;
    }

    private static ushort RxCopy(nint queue, Mbuf** bufs, ushort n)
    {
        var q = (NullRxQueue*)queue;
        if (q == null || bufs == null || n == 0) return 0;
        if (!Mbuf.AllocBulk(q->Pool, bufs, n, q->Cache))
        {
            q->NoMbuf += n;
            return 0;
        }
        uint size = q->PacketSize;
        ushort port = q->PortId;
        for (int i = 0; i < n; i++)
        {
            Mbuf* m = bufs[i];
            Buffer.MemoryCopy(q->DummyPacket, m->BufAddr + m->DataOff, size, size);
            m->DataLen = (ushort)size;
            m->PktLen = size;
            m->Port = port;
        }
        q->Packets += n;
        q->Bytes += (ulong)n * size;
        return n;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static ushort Tx(nint queue, Mbuf** bufs, ushort n)
    {
        var q = (NullTxQueue*)queue;
        if (q == null || bufs == null) return 0;
        ulong bytes = 0;
        for (int i = 0; i < n; i++) bytes += bufs[i]->PktLen;
        Mbuf.FreeBulk(bufs, n, q->LcoreId);
        q->Packets += n;
        q->Bytes += bytes;
        return n;
    }

    private static ushort TxCopy(nint queue, Mbuf** bufs, ushort n)
    {
        var q = (NullTxQueue*)queue;
        if (q == null || bufs == null) return 0;
        ulong bytes = 0;
        uint size = q->PacketSize;
        for (int i = 0; i < n; i++)
        {
            Mbuf* m = bufs[i];
            uint len = Math.Min(size, m->DataLen);
            Buffer.MemoryCopy(m->BufAddr + m->DataOff, q->DummyPacket, size, len);
            bytes += m->PktLen;
        }
        Mbuf.FreeBulk(bufs, n, q->LcoreId);
        q->Packets += n;
        q->Bytes += bytes;
        return n;
    }
}
