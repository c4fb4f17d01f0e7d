using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Eal.Memory.Mempools;

namespace Eal.Memory.Mbufs;

/// <summary>
/// A packet buffer descriptor in DMA memory, laid out like DPDK's <c>rte_mbuf</c> (two 64-byte cache lines, same
/// field offsets on 64-bit). A direct mbuf is followed by its private area (<see cref="PrivSize"/> bytes) and its
/// data buffer; an indirect mbuf points at the buffer of a direct one. Always used through <c>Mbuf*</c>; nothing
/// managed exists per packet. The pool is referenced as a <see cref="NativeMempool"/> pointer, so freeing needs
/// no managed lookup.
/// </summary>
[StructLayout(LayoutKind.Explicit, Size = 128)]
public unsafe struct Mbuf
{
    /// <summary>Default headroom reserved before the data of a fresh mbuf (<c>RTE_PKTMBUF_HEADROOM</c>).</summary>
    public const ushort DefaultHeadroom = 128;

    /// <summary>Port value meaning "none" (<c>RTE_MBUF_PORT_INVALID</c>).</summary>
    public const ushort PortInvalid = ushort.MaxValue;

    /// <summary>Alignment required of the private area size (<c>RTE_MBUF_PRIV_ALIGN</c>).</summary>
    public const int PrivAlign = 8;

    /// <summary>Most segments a chain may have.</summary>
    public const int MaxSegments = ushort.MaxValue;

#pragma warning disable CA1051 // Public fields: this is a native layout shared with drivers and devices.
    /// <summary>Virtual address of the start of the buffer (<c>buf_addr</c>).</summary>
    [FieldOffset(0)] public byte* BufAddr;

    /// <summary>IOVA of the start of the buffer (<c>buf_iova</c>).</summary>
    [FieldOffset(8)] public ulong BufIova;

    /// <summary>Offset of the data from <see cref="BufAddr"/> (<c>data_off</c>).</summary>
    [FieldOffset(16)] public ushort DataOff;

    /// <summary>Reference count; change it with <see cref="RefCountUpdate"/> when shared (<c>refcnt</c>).</summary>
    [FieldOffset(18)] public ushort RefCnt;

    /// <summary>Segments in the chain; valid in the first segment (<c>nb_segs</c>).</summary>
    [FieldOffset(20)] public ushort NbSegs;

    /// <summary>Input port (<c>port</c>).</summary>
    [FieldOffset(22)] public ushort Port;

    /// <summary>Offload flags (<c>ol_flags</c>).</summary>
    [FieldOffset(24)] public MbufOffloadFlags OlFlags;

    /// <summary>Packet type (<c>packet_type</c>).</summary>
    [FieldOffset(32)] public uint PacketType;

    /// <summary>Total length of all segments; valid in the first segment (<c>pkt_len</c>).</summary>
    [FieldOffset(36)] public uint PktLen;

    /// <summary>Data length of this segment (<c>data_len</c>).</summary>
    [FieldOffset(40)] public ushort DataLen;

    /// <summary>VLAN TCI (<c>vlan_tci</c>).</summary>
    [FieldOffset(42)] public ushort VlanTci;

    /// <summary>RSS hash (<c>hash.rss</c>).</summary>
    [FieldOffset(44)] public uint RssHash;

    /// <summary>Second hash word: flow director id or scheduler data (<c>hash.fdir.hi</c>).</summary>
    [FieldOffset(48)] public uint HashHi;

    /// <summary>Outer VLAN TCI (<c>vlan_tci_outer</c>).</summary>
    [FieldOffset(52)] public ushort VlanTciOuter;

    /// <summary>Length of the buffer (<c>buf_len</c>).</summary>
    [FieldOffset(54)] public ushort BufLen;

    /// <summary>The pool this mbuf returns to (<c>pool</c>).</summary>
    [FieldOffset(56)] public NativeMempool* Pool;

    /// <summary>Next segment, or null (<c>next</c>, second cache line).</summary>
    [FieldOffset(64)] public Mbuf* Next;

    /// <summary>TX offload lengths: l2, l3, l4, tso segment size, outer l3/l2 (<c>tx_offload</c>).</summary>
    [FieldOffset(72)] public ulong TxOffload;

    /// <summary>Shared info of an external buffer (<c>shinfo</c>); unused here.</summary>
    [FieldOffset(80)] public void* ShInfo;

    /// <summary>Size of the private area between this struct and the buffer (<c>priv_size</c>).</summary>
    [FieldOffset(88)] public ushort PrivSize;

    /// <summary>IEEE 1588 timesync flags (<c>timesync</c>).</summary>
    [FieldOffset(90)] public ushort Timesync;

    /// <summary>Dynamic field area, 36 bytes (<c>dynfield1</c>).</summary>
    [FieldOffset(92)] public fixed uint DynField1[9];
#pragma warning restore CA1051

    /// <summary>Bytes free before the data.</summary>
    public readonly ushort Headroom => DataOff;

    /// <summary>Bytes free after the data of this segment.</summary>
    public readonly ushort Tailroom => (ushort)(BufLen - DataOff - DataLen);

    /// <summary>Address of the first data byte of this segment (<c>rte_pktmbuf_mtod</c>).</summary>
    public readonly byte* Data => BufAddr + DataOff;

    /// <summary>IOVA of the first data byte of this segment (<c>rte_mbuf_data_iova</c>).</summary>
    public readonly ulong DataIova => BufIova + DataOff;

    /// <summary>True for an indirect mbuf (attached to another mbuf's buffer).</summary>
    public readonly bool IsIndirect => (OlFlags & MbufOffloadFlags.Indirect) != 0;

    /// <summary>True when the mbuf owns its embedded buffer.</summary>
    public readonly bool IsDirect => (OlFlags & (MbufOffloadFlags.Indirect | MbufOffloadFlags.External)) == 0;

    /// <summary>True when the packet has more than one segment.</summary>
    public readonly bool IsSegmented => NbSegs > 1;

    // ====================== helpers on Mbuf* ======================

    /// <summary>Address <paramref name="offset"/> bytes into the data of <paramref name="m"/> (<c>rte_pktmbuf_mtod_offset</c>).</summary>
    /// <param name="m">The segment.</param>
    /// <param name="offset">Byte offset from the data start.</param>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static byte* MtodOffset(Mbuf* m, uint offset) => m->BufAddr + m->DataOff + offset;

    /// <summary>The private area right after the mbuf struct (<c>rte_mbuf_to_priv</c>).</summary>
    /// <param name="m">The mbuf.</param>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static byte* Priv(Mbuf* m) => (byte*)(m + 1);

    /// <summary>The direct mbuf whose buffer an indirect mbuf points at (<c>rte_mbuf_from_indirect</c>).</summary>
    /// <param name="mi">An indirect mbuf.</param>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Mbuf* FromIndirect(Mbuf* mi) => (Mbuf*)(mi->BufAddr - sizeof(Mbuf) - mi->PrivSize);

    /// <summary>The last segment of a chain (<c>rte_pktmbuf_lastseg</c>).</summary>
    /// <param name="m">Any segment.</param>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Mbuf* LastSegment(Mbuf* m)
    {
        while (m->Next != null)
        {
            m = m->Next;
        }

        return m;
    }

    /// <summary>Adds <paramref name="delta"/> to the reference count and returns the new count (atomic unless the count is 1).</summary>
    /// <param name="m">The mbuf.</param>
    /// <param name="delta">Amount to add (negative to drop references).</param>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ushort RefCountUpdate(Mbuf* m, short delta)
    {
        // A count of 1 means we are the only owner: nobody else can change it concurrently (DPDK's fast path).
        if (Volatile.Read(ref m->RefCnt) == 1)
        {
            ushort v = (ushort)(1 + delta);
            Volatile.Write(ref m->RefCnt, v);
            return v;
        }

        return AtomicAdd(ref m->RefCnt, delta);
    }

    /// <summary>Sets the reference count.</summary>
    /// <param name="m">The mbuf.</param>
    /// <param name="value">New count.</param>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void RefCountSet(Mbuf* m, ushort value) => Volatile.Write(ref m->RefCnt, value);

    /// <summary>Resets the data offset to the default headroom (bounded by the buffer length).</summary>
    /// <param name="m">The segment.</param>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void ResetHeadroom(Mbuf* m) => m->DataOff = Math.Min(DefaultHeadroom, m->BufLen);

    /// <summary>Resets the packet fields of a segment as for a freshly allocated mbuf (<c>rte_pktmbuf_reset</c>).</summary>
    /// <param name="m">The mbuf.</param>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Reset(Mbuf* m)
    {
        m->Next = null;
        m->PktLen = 0;
        m->TxOffload = 0;
        m->VlanTci = 0;
        m->VlanTciOuter = 0;
        m->NbSegs = 1;
        m->Port = PortInvalid;
        m->OlFlags &= MbufOffloadFlags.External;
        m->PacketType = 0;
        ResetHeadroom(m);
        m->DataLen = 0;
    }

    /// <summary>Prepends <paramref name="len"/> bytes to the first segment (<c>rte_pktmbuf_prepend</c>).</summary>
    /// <param name="m">First segment.</param>
    /// <param name="len">Bytes to prepend.</param>
    /// <returns>The new data start, or null when the headroom is too small (nothing changed).</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static byte* Prepend(Mbuf* m, ushort len)
    {
        if (len > m->DataOff)
        {
            return null;
        }

        m->DataOff -= len;
        m->DataLen += len;
        m->PktLen += len;
        return m->BufAddr + m->DataOff;
    }

    /// <summary>Appends <paramref name="len"/> bytes at the end of the last segment (<c>rte_pktmbuf_append</c>).</summary>
    /// <param name="m">First segment.</param>
    /// <param name="len">Bytes to append.</param>
    /// <returns>Address of the appended bytes, or null when the last segment's tailroom is too small.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static byte* Append(Mbuf* m, ushort len)
    {
        Mbuf* last = LastSegment(m);
        if (len > last->Tailroom)
        {
            return null;
        }

        byte* tail = last->BufAddr + last->DataOff + last->DataLen;
        last->DataLen += len;
        m->PktLen += len;
        return tail;
    }

    /// <summary>Removes <paramref name="len"/> bytes from the start of the first segment (<c>rte_pktmbuf_adj</c>).</summary>
    /// <param name="m">First segment.</param>
    /// <param name="len">Bytes to remove.</param>
    /// <returns>The new data start, or null when the first segment holds fewer bytes.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static byte* Adj(Mbuf* m, ushort len)
    {
        if (len > m->DataLen)
        {
            return null;
        }

        m->DataLen -= len;
        m->DataOff += len;
        m->PktLen -= len;
        return m->BufAddr + m->DataOff;
    }

    /// <summary>Removes <paramref name="len"/> bytes from the end of the last segment (<c>rte_pktmbuf_trim</c>).</summary>
    /// <param name="m">First segment.</param>
    /// <param name="len">Bytes to remove.</param>
    /// <returns>False when the last segment holds fewer bytes (nothing changed).</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool Trim(Mbuf* m, ushort len)
    {
        Mbuf* last = LastSegment(m);
        if (len > last->DataLen)
        {
            return false;
        }

        last->DataLen -= len;
        m->PktLen -= len;
        return true;
    }

    /// <summary>Appends the chain <paramref name="tail"/> to the chain <paramref name="head"/> (<c>rte_pktmbuf_chain</c>).</summary>
    /// <param name="head">First segment of the packet that grows.</param>
    /// <param name="tail">First segment of the packet appended; it must not be used as a packet afterwards.</param>
    /// <returns>False when the result would exceed <see cref="MaxSegments"/> segments (nothing changed).</returns>
    public static bool Chain(Mbuf* head, Mbuf* tail)
    {
        if (head->NbSegs + tail->NbSegs > MaxSegments)
        {
            return false;
        }

        LastSegment(head)->Next = tail;
        head->NbSegs += tail->NbSegs;
        head->PktLen += tail->PktLen;

        // The appended head is now an inner segment: its packet length is just its own data.
        tail->PktLen = tail->DataLen;
        return true;
    }

    // ====================== alloc / free ======================

    /// <summary>Allocates and resets one mbuf (<c>rte_pktmbuf_alloc</c>).</summary>
    /// <param name="mp">A packet mbuf pool.</param>
    /// <param name="cache">This thread's cache of <paramref name="mp"/>, or null.</param>
    /// <returns>The mbuf, or null when the pool is empty.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Mbuf* Alloc(NativeMempool* mp, MempoolCache* cache = null)
    {
        Mbuf* m;
        if (!Mempool.GenericGet(mp, (nint*)&m, 1, cache))
        {
            return null;
        }

        Reset(m);
        return m;
    }

    /// <summary>Allocates and resets <paramref name="n"/> mbufs, all or none (<c>rte_pktmbuf_alloc_bulk</c>).</summary>
    /// <param name="mp">A packet mbuf pool.</param>
    /// <param name="mbufs">Receives the mbufs.</param>
    /// <param name="n">How many.</param>
    /// <param name="cache">This thread's cache of <paramref name="mp"/>, or null.</param>
    /// <returns>False (nothing allocated) when the pool has fewer than <paramref name="n"/> free.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool AllocBulk(NativeMempool* mp, Mbuf** mbufs, uint n, MempoolCache* cache = null)
    {
        if (!Mempool.GenericGet(mp, (nint*)mbufs, n, cache))
        {
            return false;
        }

        for (uint i = 0; i < n; i++)
        {
            Reset(mbufs[i]);
        }

        return true;
    }

    /// <summary>Returns a segment to its pool as is (<c>rte_mbuf_raw_free</c>): it must be direct, with refcount 1, no next and one segment.</summary>
    /// <param name="m">The segment.</param>
    /// <param name="cache">A cache of the segment's pool, or null.</param>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void RawFree(Mbuf* m, MempoolCache* cache = null) => Mempool.GenericPut(m->Pool, (nint*)&m, 1, cache);

    /// <summary>Frees a packet: every segment whose last reference this was goes back to its pool (<c>rte_pktmbuf_free</c>).</summary>
    /// <param name="m">First segment, or null (ignored).</param>
    public static void Free(Mbuf* m) => Free(m, uint.MaxValue);

    /// <summary>Frees a packet through the default caches of lcore <paramref name="lcoreId"/> of each segment's pool.</summary>
    /// <param name="m">First segment, or null (ignored).</param>
    /// <param name="lcoreId">The calling lcore (its caches must be used by this thread only).</param>
    public static void Free(Mbuf* m, uint lcoreId)
    {
        while (m != null)
        {
            Mbuf* next = m->Next;
            FreeSegment(m, lcoreId);
            m = next;
        }
    }

    /// <summary>Frees one segment (ignores its next pointer) when this was its last reference (<c>rte_pktmbuf_free_seg</c>).</summary>
    /// <param name="m">The segment.</param>
    /// <param name="lcoreId">The calling lcore for cache use, or <see cref="uint.MaxValue"/> for none.</param>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void FreeSegment(Mbuf* m, uint lcoreId = uint.MaxValue)
    {
        m = PrefreeSegment(m);
        if (m != null)
        {
            Mempool.GenericPut(m->Pool, (nint*)&m, 1, Mempool.DefaultCache(m->Pool, lcoreId));
        }
    }

    /// <summary>Frees <paramref name="n"/> packets, returning segments to their pools in batches (<c>rte_pktmbuf_free_bulk</c>).</summary>
    /// <param name="mbufs">First segments; null entries are skipped.</param>
    /// <param name="n">How many.</param>
    /// <param name="lcoreId">The calling lcore for cache use, or <see cref="uint.MaxValue"/> for none.</param>
    public static void FreeBulk(Mbuf** mbufs, uint n, uint lcoreId = uint.MaxValue)
    {
        const int Batch = 64;
        nint* pending = stackalloc nint[Batch];
        uint count = 0;
        NativeMempool* pendingPool = null;
        for (uint i = 0; i < n; i++)
        {
            Mbuf* m = mbufs[i];
            while (m != null)
            {
                Mbuf* next = m->Next;
                Mbuf* f = PrefreeSegment(m);
                if (f != null)
                {
                    if (count == Batch || (count != 0 && f->Pool != pendingPool))
                    {
                        Mempool.GenericPut(pendingPool, pending, count, Mempool.DefaultCache(pendingPool, lcoreId));
                        count = 0;
                    }

                    pendingPool = f->Pool;
                    pending[count++] = (nint)f;
                }

                m = next;
            }
        }

        if (count != 0)
        {
            Mempool.GenericPut(pendingPool, pending, count, Mempool.DefaultCache(pendingPool, lcoreId));
        }
    }

    /// <summary>
    /// Drops one reference to a segment; when it was the last, detaches it if indirect and returns it ready for
    /// <see cref="RawFree"/> (<c>rte_pktmbuf_prefree_seg</c>), else returns null.
    /// </summary>
    /// <param name="m">The segment.</param>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Mbuf* PrefreeSegment(Mbuf* m)
    {
        if (Volatile.Read(ref m->RefCnt) == 1)
        {
            // Sole owner; pool invariant: refcnt 1, no next, one segment.
        }
        else if (AtomicAdd(ref m->RefCnt, -1) == 0)
        {
            RefCountSet(m, 1);
        }
        else
        {
            return null;
        }

        if (!m->IsDirect)
        {
            Detach(m);
        }

        m->Next = null;
        m->NbSegs = 1;
        return m;
    }

    // ====================== indirect mbufs ======================

    /// <summary>
    /// Makes <paramref name="mi"/> an indirect mbuf pointing at the data of <paramref name="m"/> (or of the direct
    /// mbuf behind it), taking a reference to that direct mbuf (<c>rte_pktmbuf_attach</c>).
    /// </summary>
    /// <param name="mi">A direct, unshared (refcount 1) single-segment mbuf.</param>
    /// <param name="m">The segment to share.</param>
    /// <exception cref="InvalidOperationException"><paramref name="mi"/> is not direct or is shared.</exception>
    public static void Attach(Mbuf* mi, Mbuf* m)
    {
        if (!mi->IsDirect || Volatile.Read(ref mi->RefCnt) != 1)
        {
            ThrowAttach(mi);
        }

        if ((m->OlFlags & MbufOffloadFlags.External) != 0)
        {
            ThrowExternal();
        }

        // The buffer always belongs to a direct mbuf: if m is itself indirect, reference the one behind it.
        Mbuf* md = m->IsIndirect ? FromIndirect(m) : m;
        RefCountUpdate(md, 1);
        mi->PrivSize = m->PrivSize;
        mi->OlFlags = m->OlFlags | MbufOffloadFlags.Indirect;
        CopyHeader(mi, m);
        mi->DataOff = m->DataOff;
        mi->DataLen = m->DataLen;
        mi->BufIova = m->BufIova;
        mi->BufAddr = m->BufAddr;
        mi->BufLen = m->BufLen;
        mi->Next = null;
        mi->PktLen = mi->DataLen;
        mi->NbSegs = 1;
    }

    /// <summary>
    /// Turns an indirect mbuf back into a direct one with its own buffer and drops its reference to the direct mbuf,
    /// freeing that one if it was the last (<c>rte_pktmbuf_detach</c>).
    /// </summary>
    /// <param name="m">An indirect mbuf from a packet mbuf pool.</param>
    public static void Detach(Mbuf* m)
    {
        if (!m->IsIndirect)
        {
            return;
        }

        Mbuf* md = FromIndirect(m);
        if (RefCountUpdate(md, -1) == 0)
        {
            md->Next = null;
            md->NbSegs = 1;
            RefCountSet(md, 1);
            RawFree(md);
        }

        PktMbufPoolPrivate* priv = PktMbufPool.PrivateOf(m->Pool);
        uint mbufSize = (uint)sizeof(Mbuf) + priv->MbufPrivSize;
        m->PrivSize = priv->MbufPrivSize;
        m->BufAddr = (byte*)m + mbufSize;
        ulong objIova = Mempool.Virt2Iova((nint)m);
        m->BufIova = objIova == Mempool.BadIova ? Mempool.BadIova : objIova + mbufSize;
        m->BufLen = priv->MbufDataRoomSize;
        ResetHeadroom(m);
        m->DataLen = 0;
        m->OlFlags = 0;
    }

    /// <summary>
    /// Creates a packet of indirect mbufs from <paramref name="mp"/> sharing every segment of <paramref name="md"/>
    /// (<c>rte_pktmbuf_clone</c>).
    /// </summary>
    /// <param name="md">First segment of the packet to clone.</param>
    /// <param name="mp">Pool for the indirect mbufs.</param>
    /// <param name="cache">This thread's cache of <paramref name="mp"/>, or null.</param>
    /// <returns>The clone, or null when the pool ran out (everything taken is given back).</returns>
    public static Mbuf* Clone(Mbuf* md, NativeMempool* mp, MempoolCache* cache = null)
    {
        Mbuf* mi = Alloc(mp, cache);
        if (mi == null)
        {
            return null;
        }

        Mbuf* mc = mi;
        Mbuf** prev = &mc;
        uint pktLen = md->PktLen;
        ushort segs = 0;
        while (true)
        {
            segs++;
            Attach(mi, md);
            *prev = mi;
            prev = &mi->Next;
            md = md->Next;
            if (md == null)
            {
                break;
            }

            mi = Alloc(mp, cache);
            if (mi == null)
            {
                *prev = null;
                mc->NbSegs = segs;
                Free(mc);
                return null;
            }
        }

        *prev = null;
        mc->NbSegs = segs;
        mc->PktLen = pktLen;
        return mc;
    }

    private static void CopyHeader(Mbuf* mdst, Mbuf* msrc)
    {
        mdst->Port = msrc->Port;
        mdst->VlanTci = msrc->VlanTci;
        mdst->VlanTciOuter = msrc->VlanTciOuter;
        mdst->TxOffload = msrc->TxOffload;
        mdst->RssHash = msrc->RssHash;
        mdst->HashHi = msrc->HashHi;
        mdst->PacketType = msrc->PacketType;
        mdst->Timesync = msrc->Timesync;
        for (int i = 0; i < 9; i++)
        {
            mdst->DynField1[i] = msrc->DynField1[i];
        }
    }

    private static ushort AtomicAdd(ref ushort location, short delta)
    {
        while (true)
        {
            ushort old = Volatile.Read(ref location);
            ushort updated = (ushort)(old + delta);
            if (Interlocked.CompareExchange(ref location, updated, old) == old)
            {
                return updated;
            }
        }
    }

    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowAttach(Mbuf* mi) => throw new InvalidOperationException(
        $"Cannot attach mbuf 0x{(nint)mi:x}: it must be direct and unshared (refcount 1) but it has flags {mi->OlFlags} and refcount {mi->RefCnt}; attach a freshly allocated mbuf.");

    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowExternal() => throw new NotSupportedException("Attaching to an mbuf with an external buffer is not supported.");
}
