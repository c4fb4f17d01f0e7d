using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Eal.Ethdev;
using Eal.Lcores;
using Eal.Memory.Mbufs;
using Eal.Memory.Mempools;

namespace TestPmd;

/// <summary>
/// One forwarding stream (testpmd's <c>struct fwd_stream</c>) in native memory: Rx port/queue to Tx port/queue,
/// counters written only by the lcore that owns the stream, and its mbuf pointer array (allocated once).
/// </summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct FwdStream
{
    public ushort RxPort;
    public ushort RxQueue;
    public ushort TxPort;
    public ushort TxQueue;
    public ulong RxPackets;
    public ulong TxPackets;
    public ulong FwdDropped;
    public Mbuf** Pkts;
    /// <summary>Source MAC for mac mode (the Tx port's address), then the destination (peer) address, 6 bytes each.</summary>
    public fixed byte Macs[12];
    public NativeMempool* Pool;
    private fixed byte _pad[8];
}

/// <summary>What one forwarding engine does with one stream for one burst. Static so the loop is specialised per engine.</summary>
internal unsafe interface IForwardEngine
{
    static abstract void Forward(EthFastPath fp, FwdStream* s, ushort burst, uint lcoreId, MempoolCache* cache);
}

internal unsafe struct IoEngine : IForwardEngine
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Forward(EthFastPath fp, FwdStream* s, ushort burst, uint lcoreId, MempoolCache* cache)
    {
        ushort n = fp.RxBurst(s->RxPort, s->RxQueue, s->Pkts, burst);
        if (n == 0) return;
        s->RxPackets += n;
        Send(fp, s, n, lcoreId);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void Send(EthFastPath fp, FwdStream* s, ushort n, uint lcoreId)
    {
        ushort sent = fp.TxBurst(s->TxPort, s->TxQueue, s->Pkts, n);
        s->TxPackets += sent;
        if (sent < n)
        {
            // What the driver did not take is still ours: free it (testpmd counts it as fwd_dropped).
            s->FwdDropped += (ulong)(n - sent);
            Mbuf.FreeBulk(s->Pkts + sent, (uint)(n - sent), lcoreId);
        }
    }
}

internal unsafe struct MacEngine : IForwardEngine
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Forward(EthFastPath fp, FwdStream* s, ushort burst, uint lcoreId, MempoolCache* cache)
    {
        ushort n = fp.RxBurst(s->RxPort, s->RxQueue, s->Pkts, burst);
        if (n == 0) return;
        s->RxPackets += n;
        for (int i = 0; i < n; i++)
        {
            byte* eth = s->Pkts[i]->Data;
            // Destination = peer address, source = Tx port address.
            Unsafe.CopyBlockUnaligned(eth, s->Macs + 6, 6);
            Unsafe.CopyBlockUnaligned(eth + 6, s->Macs, 6);
        }
        IoEngine.Send(fp, s, n, lcoreId);
    }
}

internal unsafe struct MacSwapEngine : IForwardEngine
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Forward(EthFastPath fp, FwdStream* s, ushort burst, uint lcoreId, MempoolCache* cache)
    {
        ushort n = fp.RxBurst(s->RxPort, s->RxQueue, s->Pkts, burst);
        if (n == 0) return;
        s->RxPackets += n;
        for (int i = 0; i < n; i++)
        {
            byte* eth = s->Pkts[i]->Data;
            // 6-byte swap through a 4+2 split, no temporary buffer.
            uint d4 = Unsafe.ReadUnaligned<uint>(eth);
            ushort d2 = Unsafe.ReadUnaligned<ushort>(eth + 4);
            Unsafe.WriteUnaligned(eth, Unsafe.ReadUnaligned<uint>(eth + 6));
            Unsafe.WriteUnaligned(eth + 4, Unsafe.ReadUnaligned<ushort>(eth + 10));
            Unsafe.WriteUnaligned(eth + 6, d4);
            Unsafe.WriteUnaligned(eth + 10, d2);
        }
        IoEngine.Send(fp, s, n, lcoreId);
    }
}

internal unsafe struct RxOnlyEngine : IForwardEngine
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Forward(EthFastPath fp, FwdStream* s, ushort burst, uint lcoreId, MempoolCache* cache)
    {
        ushort n = fp.RxBurst(s->RxPort, s->RxQueue, s->Pkts, burst);
        if (n == 0) return;
        s->RxPackets += n;
        Mbuf.FreeBulk(s->Pkts, n, lcoreId);
    }
}

internal unsafe struct TxOnlyEngine : IForwardEngine
{
    /// <summary>testpmd's default txonly packet: 64 bytes (Ethernet + IPv4 + UDP + payload).</summary>
    public const ushort PacketLength = 64;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Forward(EthFastPath fp, FwdStream* s, ushort burst, uint lcoreId, MempoolCache* cache)
    {
        if (!Mbuf.AllocBulk(s->Pool, s->Pkts, burst, cache)) return;
        for (int i = 0; i < burst; i++)
        {
            Mbuf* m = s->Pkts[i];
            byte* p = m->Data;
            Unsafe.CopyBlockUnaligned(p, s->Macs + 6, 6);
            Unsafe.CopyBlockUnaligned(p + 6, s->Macs, 6);
            WriteHeaders(p);
            m->DataLen = PacketLength;
            m->PktLen = PacketLength;
            m->Port = s->TxPort;
        }
        IoEngine.Send(fp, s, burst, lcoreId);
    }

    private static void WriteHeaders(byte* p)
    {
        // EtherType IPv4, then IPv4 (198.18.0.1 -> 198.18.0.2, UDP, ttl 64, length 50) and UDP 9 -> 9, length 30.
        p[12] = 0x08; p[13] = 0x00;
        byte* ip = p + 14;
        ip[0] = 0x45; ip[1] = 0; ip[2] = 0; ip[3] = 50; ip[4] = 0; ip[5] = 0; ip[6] = 0; ip[7] = 0;
        ip[8] = 64; ip[9] = 17; ip[10] = 0; ip[11] = 0;
        ip[12] = 198; ip[13] = 18; ip[14] = 0; ip[15] = 1; ip[16] = 198; ip[17] = 18; ip[18] = 0; ip[19] = 2;
        uint sum = 0;
        for (int i = 0; i < 20; i += 2) sum += (uint)(ip[i] << 8 | ip[i + 1]);
        while (sum > 0xFFFF) sum = (sum & 0xFFFF) + (sum >> 16);
        ushort csum = (ushort)~sum;
        ip[10] = (byte)(csum >> 8); ip[11] = (byte)csum;
        byte* udp = ip + 20;
        udp[0] = 0; udp[1] = 9; udp[2] = 0; udp[3] = 9; udp[4] = 0; udp[5] = 30; udp[6] = 0; udp[7] = 0;
    }
}

/// <summary>Shared between the main lcore and the forwarding lcores: the stop flag, in native memory.</summary>
[StructLayout(LayoutKind.Sequential, Size = 128)]
internal struct FwdControl
{
    public int Stop;
}

/// <summary>
/// The loop of one forwarding lcore over its streams (testpmd's <c>run_pkt_fwd_on_lcore</c>), specialised per
/// engine: no allocation, no interface or delegate call per burst.
/// </summary>
internal readonly unsafe struct ForwardJob<TEngine> : ILcoreJob where TEngine : struct, IForwardEngine
{
    private readonly EthFastPath _fp;
    private readonly FwdStream* _streams;
    private readonly int _count;
    private readonly ushort _burst;
    private readonly FwdControl* _control;
    private readonly bool _txFirst;

    public ForwardJob(EthFastPath fp, FwdStream* streams, int count, ushort burst, FwdControl* control, bool txFirst)
    {
        _txFirst = txFirst;
        _fp = fp;
        _streams = streams;
        _count = count;
        _burst = burst;
        _control = control;
    }

    public int Run(int lcoreId)
    {
        var fp = _fp;
        FwdStream* streams = _streams;
        int count = _count;
        ushort burst = _burst;
        uint lcore = (uint)lcoreId;
        MempoolCache* cache = count > 0 && streams->Pool != null ? Mempool.DefaultCache(streams->Pool, lcore) : null;
        if (_txFirst)
        {
            // testpmd's "start tx_first": one txonly burst per stream primes loopback topologies (net_ring).
            for (int i = 0; i < count; i++)
                TxOnlyEngine.Forward(fp, streams + i, burst, lcore, cache);
        }
        while (Volatile.Read(ref _control->Stop) == 0)
        {
            for (int i = 0; i < count; i++)
                TEngine.Forward(fp, streams + i, burst, lcore, cache);
        }
        return 0;
    }
}
