using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Eal.Memory.Mbufs;

namespace Eal.Ethdev;

/// <summary>
/// The burst entry points a driver gives ethdev when a port starts: plain managed function pointers taking the
/// driver's per-queue data pointer, so a burst is one indirect call with no interface dispatch.
/// </summary>
public unsafe struct EthBurstFunctions
{
    /// <summary>Receive up to <c>n</c> packets from queue <c>q</c> into <c>pkts</c>; returns how many.</summary>
    public delegate*<nint, Mbuf**, ushort, ushort> Rx;

    /// <summary>Send up to <c>n</c> packets; returns how many the driver took (the rest stay with the caller).</summary>
    public delegate*<nint, Mbuf**, ushort, ushort> Tx;

    /// <summary>Check/fix packets for Tx offloads; returns how many are valid. Null: every packet is valid.</summary>
    public delegate*<nint, Mbuf**, ushort, ushort> TxPrepare;
}

/// <summary>
/// One port's entry in the flat fast-path table (DPDK's <c>struct rte_eth_fp_ops</c>): burst functions and
/// per-queue data pointers, in native memory, indexed by port id. Stopped or unused ports hold functions
/// that return 0.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
public unsafe struct EthFpOps
{
    /// <summary>The driver's Rx burst function.</summary>
    public delegate*<nint, Mbuf**, ushort, ushort> RxPktBurst;

    /// <summary>Rx queue data pointers, <see cref="EthdevRegistry.MaxQueuesPerPort"/> entries.</summary>
    public nint* RxqData;

    /// <summary>The driver's Tx burst function.</summary>
    public delegate*<nint, Mbuf**, ushort, ushort> TxPktBurst;

    /// <summary>The driver's Tx prepare function.</summary>
    public delegate*<nint, Mbuf**, ushort, ushort> TxPktPrepare;

    /// <summary>Tx queue data pointers, <see cref="EthdevRegistry.MaxQueuesPerPort"/> entries.</summary>
    public nint* TxqData;

    /// <summary>Configured Rx queues (read by debug-build checks only).</summary>
    public ushort NbRxQueues;

    /// <summary>Configured Tx queues (read by debug-build checks only).</summary>
    public ushort NbTxQueues;

    /// <summary>1 while the port is started (read by debug-build checks only).</summary>
    public byte Started;

    /// <summary>1 while the port id is allocated (read by debug-build checks only).</summary>
    public byte InUse;

    [MethodImpl(MethodImplOptions.NoInlining)]
    internal static ushort DummyBurst(nint queue, Mbuf** pkts, ushort n) => 0;

    [MethodImpl(MethodImplOptions.NoInlining)]
    internal static ushort PassPrepare(nint queue, Mbuf** pkts, ushort n) => n;

    internal void SetStopped()
    {
        RxPktBurst = &DummyBurst;
        TxPktBurst = &DummyBurst;
        TxPktPrepare = &PassPrepare;
        Started = 0;
    }
}

/// <summary>
/// A copyable handle on an <see cref="EthdevRegistry"/>'s fast-path table, for data-path loops (DPDK's
/// <c>rte_eth_rx_burst</c>/<c>rte_eth_tx_burst</c>/<c>rte_eth_tx_prepare</c>): array indexing plus one indirect
/// call, no allocation, no interface call. Port and queue ids are checked only in a debug build of
/// <c>Eal.Ethdev</c>; a release build trusts them as DPDK does (a stopped port receives and sends nothing).
/// </summary>
public readonly unsafe struct EthFastPath
{
    private readonly EthFpOps* _ops;

    internal EthFastPath(EthFpOps* ops) => _ops = ops;

    /// <summary>Receives up to <paramref name="n"/> packets from Rx queue <paramref name="queueId"/> of port <paramref name="portId"/>.</summary>
    /// <returns>How many mbuf pointers were written to <paramref name="pkts"/>; the caller owns them.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ushort RxBurst(ushort portId, ushort queueId, Mbuf** pkts, ushort n)
    {
        CheckQueue(_ops, portId, queueId, rx: true, "RxBurst");
        EthFpOps* p = _ops + portId;
        return p->RxPktBurst(p->RxqData[queueId], pkts, n);
    }

    /// <summary>Sends up to <paramref name="n"/> packets on Tx queue <paramref name="queueId"/> of port <paramref name="portId"/>.</summary>
    /// <returns>How many the driver took (and will free when sent); the caller keeps the rest.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ushort TxBurst(ushort portId, ushort queueId, Mbuf** pkts, ushort n)
    {
        CheckQueue(_ops, portId, queueId, rx: false, "TxBurst");
        EthFpOps* p = _ops + portId;
        return p->TxPktBurst(p->TxqData[queueId], pkts, n);
    }

    /// <summary>Checks packets for the Tx offloads requested in them (DPDK's <c>rte_eth_tx_prepare</c>).</summary>
    /// <returns>How many leading packets are valid to send.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ushort TxPrepare(ushort portId, ushort queueId, Mbuf** pkts, ushort n)
    {
        CheckQueue(_ops, portId, queueId, rx: false, "TxPrepare");
        EthFpOps* p = _ops + portId;
        return p->TxPktPrepare(p->TxqData[queueId], pkts, n);
    }

    [Conditional("DEBUG")]
    private static void CheckQueue(EthFpOps* ops, ushort portId, ushort queueId, bool rx, string op)
    {
        if (ops == null) throw new EthdevException($"{op}: the fast-path handle is default; take it from EthdevRegistry.FastPath");
        if (portId >= EthdevRegistry.MaxPorts || ops[portId].InUse == 0)
            throw new EthdevException($"{op}: port {portId} does not exist; valid ports are listed by EthdevRegistry.Ports");
        EthFpOps* p = ops + portId;
        if (p->Started == 0) throw new EthdevException($"{op}: port {portId} is not started; call EthPort.Start() first");
        ushort nb = rx ? p->NbRxQueues : p->NbTxQueues;
        if (queueId >= nb)
            throw new EthdevException($"{op}: port {portId} has no {(rx ? "Rx" : "Tx")} queue {queueId}; it has {nb} (0..{nb - 1})");
    }
}
