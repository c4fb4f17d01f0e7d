using System.Runtime.InteropServices;
using Eal.Memory.Mempools;

namespace Eal.Memory.Mbufs;

/// <summary>The private data of a packet mbuf pool (<c>rte_pktmbuf_pool_private</c>).</summary>
[StructLayout(LayoutKind.Sequential)]
public struct PktMbufPoolPrivate
{
    /// <summary>Size of each mbuf's data buffer, headroom included.</summary>
    public ushort MbufDataRoomSize;

    /// <summary>Size of each mbuf's private area.</summary>
    public ushort MbufPrivSize;

    /// <summary>Pool flags (none defined yet).</summary>
    public uint Flags;
}

/// <summary>
/// A mempool of <see cref="Mbuf"/>s (<c>rte_pktmbuf_pool_create</c>): each object is the 128-byte mbuf, its private
/// area, then its data buffer; every mbuf is initialised once at creation with its buffer address and IOVA.
/// </summary>
public sealed unsafe class PktMbufPool : IDisposable
{
    /// <summary>Default data room: 2048 bytes of data plus the default headroom (<c>RTE_MBUF_DEFAULT_BUF_SIZE</c>).</summary>
    public const ushort DefaultDataRoomSize = 2048 + Mbuf.DefaultHeadroom;

    private PktMbufPool(Mempool mempool) => Mempool = mempool;

    /// <summary>The underlying mempool (counts, caches, iteration).</summary>
    public Mempool Mempool { get; }

    /// <summary>The native pool the mbufs point to.</summary>
    public NativeMempool* Native => Mempool.Native;

    /// <summary>Name given at creation.</summary>
    public string Name => Mempool.Name;

    /// <summary>Data buffer size of each mbuf, headroom included.</summary>
    public ushort DataRoomSize => PrivateOf(Native)->MbufDataRoomSize;

    /// <summary>Private area size of each mbuf.</summary>
    public ushort PrivSize => PrivateOf(Native)->MbufPrivSize;

    /// <summary>Creates a packet mbuf pool.</summary>
    /// <param name="provider">DMA memory for the mbufs.</param>
    /// <param name="name">Pool name.</param>
    /// <param name="count">Number of mbufs.</param>
    /// <param name="cacheSize">Per-lcore cache size (see <see cref="Mempool.Create"/>).</param>
    /// <param name="privSize">Private area per mbuf, a multiple of <see cref="Mbuf.PrivAlign"/>.</param>
    /// <param name="dataRoomSize">Data buffer per mbuf, headroom included.</param>
    /// <param name="socket">NUMA socket, or -1 for any.</param>
    /// <param name="lcoreCount">Number of per-lcore caches.</param>
    /// <exception cref="ArgumentException">An argument is invalid (the message names it and what is valid).</exception>
    public static PktMbufPool Create(
        IDmaMemoryProvider provider,
        string name,
        uint count,
        uint cacheSize = 0,
        ushort privSize = 0,
        ushort dataRoomSize = DefaultDataRoomSize,
        int socket = -1,
        uint lcoreCount = Mempool.DefaultLcoreCount)
    {
        if (privSize % Mbuf.PrivAlign != 0)
        {
            throw new ArgumentException(
                $"Mbuf pool '{name}': private size {privSize} is not a multiple of {Mbuf.PrivAlign}; use {(privSize + Mbuf.PrivAlign - 1) / Mbuf.PrivAlign * Mbuf.PrivAlign}.",
                nameof(privSize));
        }

        uint elementSize = (uint)sizeof(Mbuf) + privSize + dataRoomSize;
        Mempool mp = Mempool.CreateEmpty(provider, name, count, elementSize, cacheSize, (uint)sizeof(PktMbufPoolPrivate), socket, MempoolFlags.None, lcoreCount);
        try
        {
            PktMbufPoolPrivate* priv = PrivateOf(mp.Native);
            priv->MbufDataRoomSize = dataRoomSize;
            priv->MbufPrivSize = privSize;
            mp.PopulateDefault();
            mp.ObjIter(static (pool, obj, _) => InitMbuf(pool.Native, (Mbuf*)obj));
            return new PktMbufPool(mp);
        }
        catch
        {
            mp.Dispose();
            throw;
        }
    }

    /// <summary>Free mbufs (ring plus caches).</summary>
    public uint AvailableCount => Mempool.AvailableCount;

    /// <summary>Mbufs handed out.</summary>
    public uint InUseCount => Mempool.InUseCount;

    /// <summary>Allocates and resets one mbuf.</summary>
    /// <param name="cache">This thread's cache, or null.</param>
    /// <returns>The mbuf, or null when the pool is empty.</returns>
    public Mbuf* Alloc(MempoolCache* cache = null) => Mbuf.Alloc(Mempool.Native, cache);

    /// <summary>Allocates and resets mbufs for all of <paramref name="mbufs"/>, all or none.</summary>
    /// <param name="mbufs">Receives the mbuf addresses.</param>
    /// <param name="cache">This thread's cache, or null.</param>
    /// <returns>False (nothing allocated) when the pool has too few free.</returns>
    public bool AllocBulk(Span<nint> mbufs, MempoolCache* cache = null)
    {
        fixed (nint* p = mbufs)
        {
            return Mbuf.AllocBulk(Mempool.Native, (Mbuf**)p, (uint)mbufs.Length, cache);
        }
    }

    /// <summary>Clones a packet into indirect mbufs from this pool.</summary>
    /// <param name="md">The packet.</param>
    /// <param name="cache">This thread's cache, or null.</param>
    /// <returns>The clone, or null when the pool ran out.</returns>
    public Mbuf* Clone(Mbuf* md, MempoolCache* cache = null) => Mbuf.Clone(md, Mempool.Native, cache);

    /// <summary>Disposes the underlying mempool and returns its memory.</summary>
    public void Dispose() => Mempool.Dispose();

    /// <inheritdoc/>
    public override string ToString() => $"Mbuf pool: {Mempool}";

    internal static PktMbufPoolPrivate* PrivateOf(NativeMempool* mp) => (PktMbufPoolPrivate*)mp->PrivateData;

    private static void InitMbuf(NativeMempool* mp, Mbuf* m)
    {
        PktMbufPoolPrivate* priv = PrivateOf(mp);
        uint mbufSize = (uint)sizeof(Mbuf) + priv->MbufPrivSize;
        NativeMemory.Clear(m, mbufSize);
        m->PrivSize = priv->MbufPrivSize;
        m->BufAddr = (byte*)m + mbufSize;
        ulong objIova = Mempool.Virt2Iova((nint)m);
        m->BufIova = objIova == Mempool.BadIova ? Mempool.BadIova : objIova + mbufSize;
        m->BufLen = priv->MbufDataRoomSize;
        m->DataOff = Math.Min(Mbuf.DefaultHeadroom, m->BufLen);
        m->Pool = mp;
        m->NbSegs = 1;
        m->Port = Mbuf.PortInvalid;
        m->RefCnt = 1;
        m->Next = null;
    }
}
