using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Eal.Ethdev;
using Eal.Memory.Mbufs;
using RingBuffer = Eal.Memory.Rings.Ring;

namespace Eal.Net.Ring;

/// <summary>A queue of a ring port, in native memory: a handle on its ring and its counters.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct RingQueue
{
    public nint Ring;
    public ulong Packets;
    public ulong Errors;
}

/// <summary>The operations and burst functions of a port over rings.</summary>
internal sealed unsafe class RingPortOps : EthDeviceOps
{
    private readonly RingBuffer[] _rx;
    private readonly RingBuffer[] _tx;
    private readonly Action? _onClose;
    private readonly GCHandle<RingBuffer>[] _handles;
    private readonly RingQueue* _rxq;
    private readonly RingQueue* _txq;
    private readonly EthDevInfo _info;
    private bool _closed;

    private static readonly LinkStatus UpLink = new(LinkStatus.Speed10G, FullDuplex: true, Autoneg: false, Up: true);
    private static readonly LinkStatus DownLink = new(LinkStatus.SpeedNone, FullDuplex: true, Autoneg: false, Up: false);

    public RingPortOps(RingBuffer[] rx, RingBuffer[] tx, Action? onClose)
    {
        _rx = rx;
        _tx = tx;
        _onClose = onClose;
        _handles = new GCHandle<RingBuffer>[rx.Length + tx.Length];
        _rxq = (RingQueue*)NativeMemory.AlignedAlloc((nuint)(sizeof(RingQueue) * Math.Max(1, rx.Length)), 64);
        _txq = (RingQueue*)NativeMemory.AlignedAlloc((nuint)(sizeof(RingQueue) * Math.Max(1, tx.Length)), 64);
        for (int i = 0; i < rx.Length; i++)
        {
            _handles[i] = new GCHandle<RingBuffer>(rx[i]);
            _rxq[i] = new RingQueue { Ring = GCHandle<RingBuffer>.ToIntPtr(_handles[i]) };
        }
        for (int i = 0; i < tx.Length; i++)
        {
            _handles[rx.Length + i] = new GCHandle<RingBuffer>(tx[i]);
            _txq[i] = new RingQueue { Ring = GCHandle<RingBuffer>.ToIntPtr(_handles[rx.Length + i]) };
        }
        _info = new EthDevInfo
        {
            DriverName = "net_ring",
            MaxRxQueues = (ushort)rx.Length,
            MaxTxQueues = (ushort)tx.Length,
            MaxMacAddresses = 1,
            MaxRxPacketLength = uint.MaxValue,
            SpeedCapabilities = [LinkStatus.Speed10G],
        };
    }

    public override EthDevInfo GetInfo(EthPort port) => _info;

    // Queues are the port's fixed per-ring slots (as DPDK's internals->rx_ring_queues[]); the pool is not used.
    public override nint SetupRxQueue(EthPort port, ushort queueId, ushort descriptors, int socket, RxQueueConfig config, PktMbufPool pool) => (nint)(_rxq + queueId);

    public override void ReleaseRxQueue(EthPort port, nint queue) { }

    public override nint SetupTxQueue(EthPort port, ushort queueId, ushort descriptors, int socket, TxQueueConfig config) => (nint)(_txq + queueId);

    public override void ReleaseTxQueue(EthPort port, nint queue) { }

    public override EthBurstFunctions GetBurstFunctions(EthPort port) => new() { Rx = &Rx, Tx = &Tx };

    public override void Start(EthPort port) => port.ReportLink(UpLink);

    public override void Stop(EthPort port) => port.ReportLink(DownLink);

    public override void SetLinkUp(EthPort port) => port.ReportLink(UpLink);

    public override void SetLinkDown(EthPort port) => port.ReportLink(DownLink);

    public override void Close(EthPort port)
    {
        port.ReportLink(DownLink);
        Free(notifyOwner: true);
    }

    /// <summary>Releases the ring handles and queue memory; <paramref name="notifyOwner"/> false when the port was never allocated.</summary>
    public void Free(bool notifyOwner)
    {
        if (_closed) return;
        _closed = true;
        foreach (var h in _handles) h.Dispose();
        NativeMemory.AlignedFree(_rxq);
        NativeMemory.AlignedFree(_txq);
        if (notifyOwner) _onClose?.Invoke();
    }

    public override void GetStats(EthPort port, EthStats stats)
    {
        for (int i = 0; i < _rx.Length; i++)
        {
            ulong p = Volatile.Read(ref _rxq[i].Packets);
            stats.IPackets += p;
            if (i < EthStats.QueueStatCounters) stats.QueueIPackets[i] = p;
        }
        for (int i = 0; i < _tx.Length; i++)
        {
            ulong p = Volatile.Read(ref _txq[i].Packets);
            stats.OPackets += p;
            stats.OErrors += Volatile.Read(ref _txq[i].Errors);
            if (i < EthStats.QueueStatCounters) stats.QueueOPackets[i] = p;
        }
    }

    public override void ResetStats(EthPort port)
    {
        for (int i = 0; i < _rx.Length; i++) _rxq[i].Packets = 0;
        for (int i = 0; i < _tx.Length; i++)
        {
            _txq[i].Packets = 0;
            _txq[i].Errors = 0;
        }
    }

    // ---- data path ----

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static RingBuffer RingOf(RingQueue* q) => GCHandle<RingBuffer>.FromIntPtr(q->Ring).Target;

    private static ushort Rx(nint queue, Mbuf** bufs, ushort n)
    {
        var q = (RingQueue*)queue;
        if (q == null || bufs == null) return 0;
        uint got = RingOf(q).DequeueBurst((nint*)bufs, n, out _);
        q->Packets += got;
        return (ushort)got;
    }

    private static ushort Tx(nint queue, Mbuf** bufs, ushort n)
    {
        var q = (RingQueue*)queue;
        if (q == null || bufs == null) return 0;
        uint sent = RingOf(q).EnqueueBurst((nint*)bufs, n, out _);
        q->Packets += sent;
        // Unsent mbufs stay with the caller; DPDK counts them as Tx errors.
        q->Errors += n - sent;
        return (ushort)sent;
    }
}
