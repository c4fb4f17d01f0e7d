using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Eal.Memory.Rings;

namespace Eal.Memory.Mempools;

/// <summary>
/// The header the pool writes immediately before every object (like <c>rte_mempool_objhdr</c>): the owning pool
/// and the IOVA of the object's first byte.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
public unsafe struct MempoolObjectHeader
{
    /// <summary>The pool the object belongs to.</summary>
    public NativeMempool* Pool;

    /// <summary>IOVA of the object's first byte, or <see cref="Mempool.BadIova"/> when the region has none.</summary>
    public ulong Iova;
}

/// <summary>
/// The native part of a <see cref="Mempool"/>: everything the data path needs (backing ring, caches, sizes), so
/// objects and mbufs can point to their pool from native memory with no managed reference and no handle lookup.
/// Read-only for users; the managed <see cref="Mempool"/> owns and frees it.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
public unsafe struct NativeMempool
{
    internal RingHeader* Ring;
    internal byte* Caches;
    internal uint CacheStride;
    internal uint LcoreCount;
    internal uint CacheSizeValue;
    internal uint SizeValue;
    internal uint ElementSizeValue;
    internal uint HeaderSizeValue;
    internal uint TrailerSizeValue;
    internal uint PrivateDataSizeValue;
    internal void* PrivateDataPtr;
    internal MempoolFlags FlagsValue;
    internal uint PopulatedValue;

    /// <summary>Number of objects the pool was created for.</summary>
    public readonly uint Size => SizeValue;

    /// <summary>Usable bytes per object.</summary>
    public readonly uint ElementSize => ElementSizeValue;

    /// <summary>Bytes reserved before each object (holds the <see cref="MempoolObjectHeader"/>).</summary>
    public readonly uint HeaderSize => HeaderSizeValue;

    /// <summary>Padding bytes after each object.</summary>
    public readonly uint TrailerSize => TrailerSizeValue;

    /// <summary>Per-lcore cache size (0: no caches).</summary>
    public readonly uint CacheSize => CacheSizeValue;

    /// <summary>Bytes of the pool's private data area.</summary>
    public readonly uint PrivateDataSize => PrivateDataSizeValue;

    /// <summary>The pool's private data area (zeroed at creation), or null when its size is 0.</summary>
    public readonly void* PrivateData => PrivateDataPtr;

    /// <summary>Creation flags.</summary>
    public readonly MempoolFlags Flags => FlagsValue;
}

/// <summary>
/// A per-lcore (or user-owned) object cache in front of the pool's ring (like <c>rte_mempool_cache</c>).
/// A cache is used by one thread at a time; that is what makes it cheap.
/// </summary>
[StructLayout(LayoutKind.Explicit, Size = ObjectsOffset)]
public unsafe struct MempoolCache
{
    /// <summary>Largest cache size (DPDK's <c>RTE_MEMPOOL_CACHE_MAX_SIZE</c>).</summary>
    public const uint MaxSize = 512;

    internal const int ObjectsOffset = 64;

    [FieldOffset(0)] internal uint SizeValue;
    [FieldOffset(4)] internal uint FlushThresholdValue;
    [FieldOffset(8)] internal uint Len;
    [FieldOffset(12)] internal uint CapacityValue;
    [FieldOffset(16)] internal NativeMempool* OwnerPool;

    /// <summary>The pool this cache serves (a cache holds objects of one pool only).</summary>
    public readonly NativeMempool* Owner => OwnerPool;

    /// <summary>Nominal size: what the cache keeps after a flush and what a refill tops it up to.</summary>
    public readonly uint Size => SizeValue;

    /// <summary>Length at which a put flushes the cache to the ring (1.5 × <see cref="Size"/>).</summary>
    public readonly uint FlushThreshold => FlushThresholdValue;

    /// <summary>Objects currently cached.</summary>
    public readonly uint Length => Len;

    internal nint* Objects => (nint*)((byte*)Unsafe.AsPointer(ref this) + ObjectsOffset);

    internal static uint FlushThresholdFor(uint size) => size * 3 / 2;

    internal static nuint BytesFor(uint size) => (nuint)(ObjectsOffset + ((ulong)Math.Max(size + MaxSize, FlushThresholdFor(size)) * 8) + 63) & ~(nuint)63;

    internal static void Init(MempoolCache* c, uint size, NativeMempool* owner)
    {
        c->OwnerPool = owner;
        c->SizeValue = size;
        c->FlushThresholdValue = FlushThresholdFor(size);
        c->Len = 0;
        c->CapacityValue = Math.Max(size + MaxSize, FlushThresholdFor(size));
    }
}
