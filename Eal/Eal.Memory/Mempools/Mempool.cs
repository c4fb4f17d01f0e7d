using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Eal.Memory.Rings;

namespace Eal.Memory.Mempools;

/// <summary>Called once per object by <see cref="Mempool.ObjIter"/> (and as the object initialiser at creation).</summary>
/// <param name="pool">The pool.</param>
/// <param name="obj">Address of the object.</param>
/// <param name="index">Index of the object in population order.</param>
public delegate void MempoolObjectCallback(Mempool pool, nint obj, uint index);

/// <summary>
/// A pool of fixed-size objects in DMA memory (DPDK's <c>rte_mempool</c> with the ring backend): objects are carved
/// from regions of an <see cref="IDmaMemoryProvider"/>, each preceded by a <see cref="MempoolObjectHeader"/> holding
/// its IOVA; free objects live in a lock-free ring fronted by per-lcore caches.
/// </summary>
/// <remarks>
/// <para>
/// Data path: <see cref="GenericGet"/>/<see cref="GenericPut"/> on the <see cref="NativeMempool"/> pointer with an
/// explicit <see cref="MempoolCache"/> (one per thread; <see cref="GetCache"/> gives lcore <c>i</c>'s default cache,
/// <see cref="CreateCache"/> a private one), or the instance conveniences. They never allocate and report an empty
/// pool by returning false. Control path (create, populate, iterate, dispose) is not thread-safe and throws.
/// </para>
/// <para>
/// Cache algorithm (DPDK's): a get of <c>n</c> smaller than the cache size is served from the cache, refilling it
/// from the ring with <c>n + size − len</c> objects first when it holds fewer than <c>n</c>; a put goes into the
/// cache, first flushing everything cached to the ring when it would exceed the flush threshold (1.5 × size);
/// larger requests bypass the cache.
/// </para>
/// </remarks>
public sealed unsafe class Mempool : IDisposable
{
    /// <summary>The IOVA of memory that has none (DPDK's <c>RTE_BAD_IOVA</c>).</summary>
    public const ulong BadIova = ulong.MaxValue;

    /// <summary>Number of per-lcore caches created by default (DPDK's <c>RTE_MAX_LCORE</c>).</summary>
    public const uint DefaultLcoreCount = 128;

    private const uint CacheLine = 64;

    private readonly IDmaMemoryProvider _provider;
    private readonly List<IDmaRegion> _ownedRegions = [];
    private readonly int _socket;
    private NativeMempool* _mp;
    private nint* _objects;
    private Ring? _ring;
    private int _regionSeq;

    private Mempool(IDmaMemoryProvider provider, string name, int socket)
    {
        _provider = provider;
        Name = name;
        _socket = socket;
    }

    /// <summary>Name given at creation.</summary>
    public string Name { get; }

    /// <summary>The native pool (what objects and mbufs point to).</summary>
    public NativeMempool* Native => _mp != null ? _mp : throw new ObjectDisposedException(Name, $"Mempool '{Name}' has been disposed.");

    /// <summary>Number of objects the pool was created for.</summary>
    public uint Size => Native->SizeValue;

    /// <summary>Number of objects populated so far (equals <see cref="Size"/> once fully populated).</summary>
    public uint PopulatedCount => Native->PopulatedValue;

    /// <summary>Usable bytes per object.</summary>
    public uint ElementSize => Native->ElementSizeValue;

    /// <summary>Bytes from one object to the next (header + element + trailer).</summary>
    public uint TotalElementSize => Native->HeaderSizeValue + Native->ElementSizeValue + Native->TrailerSizeValue;

    /// <summary>Per-lcore cache size (0: no caches).</summary>
    public uint CacheSize => Native->CacheSizeValue;

    /// <summary>Number of per-lcore caches.</summary>
    public uint LcoreCount => Native->LcoreCount;

    /// <summary>Creation flags.</summary>
    public MempoolFlags Flags => Native->FlagsValue;

    /// <summary>The private data area (zeroed at creation), or an empty span.</summary>
    public Span<byte> PrivateData => new(Native->PrivateDataPtr, (int)Native->PrivateDataSizeValue);

    /// <summary>Free objects: in the ring plus in every per-lcore cache (a snapshot; <c>rte_mempool_avail_count</c>).</summary>
    public uint AvailableCount
    {
        get
        {
            NativeMempool* mp = Native;
            uint count = _ring!.Count;
            for (uint i = 0; mp->CacheSizeValue != 0 && i < mp->LcoreCount; i++)
            {
                count += ((MempoolCache*)(mp->Caches + ((nuint)i * mp->CacheStride)))->Len;
            }

            return Math.Min(count, mp->PopulatedValue);
        }
    }

    /// <summary>Objects handed out and not yet returned (<c>rte_mempool_in_use_count</c>).</summary>
    public uint InUseCount => PopulatedCount - AvailableCount;

    /// <summary>Creates a pool and populates it with <paramref name="count"/> objects, calling <paramref name="objectInit"/> on each.</summary>
    /// <param name="provider">Where object memory comes from (returned on <see cref="Dispose"/>).</param>
    /// <param name="name">Name used in diagnostics and for the regions (<c>MP_</c>name<c>_</c>k).</param>
    /// <param name="count">Number of objects (at least 1).</param>
    /// <param name="elementSize">Bytes per object (at least 1).</param>
    /// <param name="cacheSize">Per-lcore cache size: 0 or up to <see cref="MempoolCache.MaxSize"/>, and 1.5 × it must not exceed <paramref name="count"/>.</param>
    /// <param name="privateDataSize">Bytes of pool-private data.</param>
    /// <param name="objectInit">Optional per-object initialiser.</param>
    /// <param name="socket">NUMA socket, or -1 for any.</param>
    /// <param name="flags">Creation flags.</param>
    /// <param name="lcoreCount">Number of per-lcore default caches.</param>
    /// <exception cref="ArgumentException">An argument is invalid (the message names it and what is valid).</exception>
    public static Mempool Create(
        IDmaMemoryProvider provider,
        string name,
        uint count,
        uint elementSize,
        uint cacheSize = 0,
        uint privateDataSize = 0,
        MempoolObjectCallback? objectInit = null,
        int socket = -1,
        MempoolFlags flags = MempoolFlags.None,
        uint lcoreCount = DefaultLcoreCount)
    {
        Mempool mp = CreateEmpty(provider, name, count, elementSize, cacheSize, privateDataSize, socket, flags, lcoreCount);
        try
        {
            mp.PopulateDefault();
            if (objectInit is not null)
            {
                mp.ObjIter(objectInit);
            }

            return mp;
        }
        catch
        {
            mp.Dispose();
            throw;
        }
    }

    /// <summary>Creates a pool with no objects yet (<c>rte_mempool_create_empty</c>); add them with <see cref="PopulateDefault"/> or <see cref="Populate"/>.</summary>
    /// <param name="provider">Where object memory comes from.</param>
    /// <param name="name">Name used in diagnostics and for the regions.</param>
    /// <param name="count">Number of objects.</param>
    /// <param name="elementSize">Bytes per object.</param>
    /// <param name="cacheSize">Per-lcore cache size.</param>
    /// <param name="privateDataSize">Bytes of pool-private data.</param>
    /// <param name="socket">NUMA socket, or -1 for any.</param>
    /// <param name="flags">Creation flags.</param>
    /// <param name="lcoreCount">Number of per-lcore default caches.</param>
    /// <exception cref="ArgumentException">An argument is invalid.</exception>
    public static Mempool CreateEmpty(
        IDmaMemoryProvider provider,
        string name,
        uint count,
        uint elementSize,
        uint cacheSize = 0,
        uint privateDataSize = 0,
        int socket = -1,
        MempoolFlags flags = MempoolFlags.None,
        uint lcoreCount = DefaultLcoreCount)
    {
        ArgumentNullException.ThrowIfNull(provider);
        ArgumentException.ThrowIfNullOrEmpty(name);
        Validate(name, count, elementSize, cacheSize, flags, lcoreCount);

        var pool = new Mempool(provider, name, socket);
        try
        {
            pool.InitNative(count, elementSize, cacheSize, privateDataSize, flags, lcoreCount);
            return pool;
        }
        catch
        {
            pool.Dispose();
            throw;
        }
    }

    /// <summary>Reserves regions from the provider until every object is populated (<c>rte_mempool_populate_default</c>).</summary>
    /// <returns>Number of objects added.</returns>
    /// <exception cref="InvalidOperationException">A region could hold no object (the message says why).</exception>
    public uint PopulateDefault()
    {
        NativeMempool* mp = Native;
        uint added = 0;
        while (mp->PopulatedValue < mp->SizeValue)
        {
            uint remaining = mp->SizeValue - mp->PopulatedValue;
            nuint length = ((nuint)remaining * TotalElementSize) + CacheLine;
            string regionName = $"MP_{Name}_{_regionSeq++}";
            IDmaRegion region = _provider.Reserve(regionName, length, CacheLine, _socket);
            uint got;
            try
            {
                got = Populate(region);
            }
            catch
            {
                _provider.Release(region);
                throw;
            }

            _ownedRegions.Add(region);
            if (got == 0)
            {
                throw new InvalidOperationException(
                    $"Mempool '{Name}': region '{regionName}' ({region.Length} bytes) holds no IOVA-contiguous object of " +
                    $"{TotalElementSize} bytes; use larger pages, IOVA-as-VA, or MempoolFlags.NoIovaContig.");
            }

            added += got;
        }

        return added;
    }

    /// <summary>
    /// Carves objects from <paramref name="region"/> (caller-owned: not released by <see cref="Dispose"/> unless it came
    /// from <see cref="PopulateDefault"/>) until the pool is full or the region is used up, skipping slots that would
    /// straddle an IOVA discontinuity unless <see cref="MempoolFlags.NoIovaContig"/> is set.
    /// </summary>
    /// <param name="region">DMA memory to carve.</param>
    /// <returns>Number of objects added.</returns>
    public uint Populate(IDmaRegion region)
    {
        ArgumentNullException.ThrowIfNull(region);
        NativeMempool* mp = Native;
        uint header = mp->HeaderSizeValue;
        uint total = TotalElementSize;
        uint element = mp->ElementSizeValue;
        bool checkContig = (mp->FlagsValue & MempoolFlags.NoIovaContig) == 0;

        // Objects (not headers) start cache-aligned unless NoCacheAlign.
        nuint alignment = (mp->FlagsValue & MempoolFlags.NoCacheAlign) != 0 ? 8u : CacheLine;
        nuint start = (nuint)region.Address;
        nuint firstObj = ((start + header + alignment - 1) & ~(alignment - 1)) - start;
        uint added = 0;
        for (nuint off = firstObj; off + element + mp->TrailerSizeValue <= region.Length && mp->PopulatedValue < mp->SizeValue; off += total)
        {
            ulong iova = region.IovaAt(off);
            if (checkContig && iova != BadIova && region.IovaAt(off + element - 1) != iova + element - 1)
            {
                continue;
            }

            nint obj = (nint)(start + off);
            var hdr = (MempoolObjectHeader*)obj - 1;
            hdr->Pool = mp;
            hdr->Iova = iova;
            _objects[mp->PopulatedValue++] = obj;
            if (RingOps.Enqueue<SingleSync, FixedBehavior>(mp->Ring, &obj, 1, out _) != 1)
            {
                throw new InvalidOperationException($"Mempool '{Name}': backing ring is full while populating; this is a bug.");
            }

            added++;
        }

        return added;
    }

    /// <summary>Calls <paramref name="callback"/> for every populated object, free or not (<c>rte_mempool_obj_iter</c>).</summary>
    /// <param name="callback">Called with the pool, the object and its index.</param>
    /// <returns>Number of objects visited.</returns>
    public uint ObjIter(MempoolObjectCallback callback)
    {
        ArgumentNullException.ThrowIfNull(callback);
        uint n = Native->PopulatedValue;
        for (uint i = 0; i < n; i++)
        {
            callback(this, _objects[i], i);
        }

        return n;
    }

    /// <summary>The default cache of lcore <paramref name="lcoreId"/>, or null when the pool has no caches (<c>rte_mempool_default_cache</c>).</summary>
    /// <param name="lcoreId">Lcore index below <see cref="LcoreCount"/>; one thread at a time may use a cache.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="lcoreId"/> is not below <see cref="LcoreCount"/>.</exception>
    public MempoolCache* GetCache(uint lcoreId)
    {
        // Validates and names the pool in the error; the data path uses DefaultCache.
        NativeMempool* mp = Native;
        if (mp->CacheSizeValue == 0)
        {
            return null;
        }

        if (lcoreId >= mp->LcoreCount)
        {
            throw new ArgumentOutOfRangeException(nameof(lcoreId), lcoreId, $"Mempool '{Name}' has caches for lcores 0..{mp->LcoreCount - 1}; create it with a larger lcoreCount.");
        }

        return (MempoolCache*)(mp->Caches + ((nuint)lcoreId * mp->CacheStride));
    }

    /// <summary>
    /// Allocates a user-owned cache for this pool (<c>rte_mempool_cache_create</c>), e.g. for a thread that is not an
    /// lcore; flush it with <see cref="FlushCache"/> and free it with <see cref="FreeCache"/> before disposing the pool.
    /// </summary>
    /// <param name="size">Cache size, 1..<see cref="MempoolCache.MaxSize"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException">The size is out of range.</exception>
    public MempoolCache* CreateCache(uint size)
    {
        NativeMempool* mp = Native;
        if (size == 0 || size > MempoolCache.MaxSize)
        {
            throw new ArgumentOutOfRangeException(nameof(size), size, $"Mempool cache size must be between 1 and {MempoolCache.MaxSize}.");
        }

        var c = (MempoolCache*)NativeMemory.AlignedAlloc(MempoolCache.BytesFor(size), CacheLine);
        MempoolCache.Init(c, size, mp);
        return c;
    }

    /// <summary>Frees a cache from <see cref="CreateCache"/>; flush it first or its objects are lost to their pool.</summary>
    /// <param name="cache">The cache (null is ignored).</param>
    public static void FreeCache(MempoolCache* cache) => NativeMemory.AlignedFree(cache);

    /// <summary>Returns every object in <paramref name="cache"/> to this pool's ring (<c>rte_mempool_cache_flush</c>).</summary>
    /// <param name="cache">A cache used with this pool (null is ignored).</param>
    public void FlushCache(MempoolCache* cache)
    {
        if (cache == null)
        {
            return;
        }

        RingPut(Native, cache->Objects, cache->Len);
        cache->Len = 0;
    }

    // ========================= data path =========================

    /// <summary>Gets <paramref name="n"/> objects, all or none, through <paramref name="cache"/> (null: straight from the ring).</summary>
    /// <param name="mp">The pool.</param>
    /// <param name="objs">Receives the object addresses.</param>
    /// <param name="n">How many.</param>
    /// <param name="cache">This thread's cache, or null.</param>
    /// <returns>True when all <paramref name="n"/> were obtained; false (nothing obtained) when the pool has fewer.</returns>
    /// <remarks>
    /// Order (as DPDK's <c>rte_mempool_generic_get</c>): <paramref name="objs"/>[0] is the most recently cached object,
    /// i.e. the top <paramref name="n"/> cache slots are copied in reverse, so a put of k objects followed by a get of
    /// k returns them last-first. The hit path is a length update and a vectorised reversed copy; refills are out of line.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool GenericGet(NativeMempool* mp, nint* objs, uint n, MempoolCache* cache)
    {
        if (cache != null)
        {
            uint len = cache->Len;
            if (n <= len)
            {
                len -= n;
                cache->Len = len;
                MempoolCopy.Reversed(objs, (nint*)((byte*)cache + MempoolCache.ObjectsOffset) + len, n);
                return true;
            }
        }

        return GetSlow(mp, objs, n, cache);
    }

    /// <summary>Returns <paramref name="n"/> objects through <paramref name="cache"/> (null: straight to the ring).</summary>
    /// <param name="mp">The pool the objects belong to.</param>
    /// <param name="objs">Object addresses.</param>
    /// <param name="n">How many.</param>
    /// <param name="cache">This thread's cache, or null.</param>
    /// <exception cref="InvalidOperationException">The ring overflowed: an object was freed twice or belongs to another pool.</exception>
    /// <remarks>
    /// The hit path (the cache stays at or below its flush threshold) is a length update and a vectorised copy in order;
    /// flushes and cache-less puts are out of line.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void GenericPut(NativeMempool* mp, nint* objs, uint n, MempoolCache* cache)
    {
        if (cache != null)
        {
            // len never exceeds the threshold, so the subtraction cannot wrap; n is compared without an addition that could.
            uint len = cache->Len;
            if (n <= cache->FlushThresholdValue - len)
            {
                cache->Len = len + n;
                MempoolCopy.Forward((nint*)((byte*)cache + MempoolCache.ObjectsOffset) + len, objs, n);
                return;
            }
        }

        PutSlow(mp, objs, n, cache);
    }

    // Cache miss, partial hit or no cache: DPDK's algorithm (take what the cache has, refill it with size + missing
    // in one ring operation, or go to the ring directly when that is impossible).
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static bool GetSlow(NativeMempool* mp, nint* objs, uint n, MempoolCache* cache)
    {
        if (cache == null)
        {
            return RingGet(mp, objs, n);
        }

        // Take everything cached (hot objects first), then fill the rest from a refilled cache.
        uint len = cache->Len;
        nint* cached = cache->Objects;
        MempoolCopy.Reversed(objs, cached, len);
        uint remaining = n - len;
        objs += len;
        uint size = cache->SizeValue;
        if (remaining <= MempoolCache.MaxSize && RingGet(mp, cached, size + remaining))
        {
            MempoolCopy.Reversed(objs, cached + size, remaining);
            cache->Len = size;
            return true;
        }

        // Too big for the cache, or nearly empty pool: straight from the ring.
        if (RingGet(mp, objs, remaining))
        {
            cache->Len = 0;
            return true;
        }

        // Failed: the objects copied from the cache are still in its slots and its length is unchanged.
        return false;
    }

    // Flush (the cache would pass its threshold), oversized put, or no cache.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void PutSlow(NativeMempool* mp, nint* objs, uint n, MempoolCache* cache)
    {
        if (cache == null || n > cache->FlushThresholdValue)
        {
            RingPut(mp, objs, n);
            return;
        }

        RingPut(mp, cache->Objects, cache->Len);
        cache->Len = n;
        MempoolCopy.Forward(cache->Objects, objs, n);
    }

    /// <summary>Gets objects for all of <paramref name="objs"/>, through <paramref name="cache"/> (may be null).</summary>
    /// <param name="objs">Receives the object addresses.</param>
    /// <param name="cache">This thread's cache, or null for the ring.</param>
    /// <returns>True when filled; false (nothing obtained) when the pool has too few free objects.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool GetBulk(Span<nint> objs, MempoolCache* cache = null)
    {
        fixed (nint* p = objs)
        {
            return GenericGet(_mp, p, (uint)objs.Length, cache);
        }
    }

    /// <summary>Returns all of <paramref name="objs"/> through <paramref name="cache"/> (may be null).</summary>
    /// <param name="objs">Object addresses from this pool.</param>
    /// <param name="cache">This thread's cache, or null for the ring.</param>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void PutBulk(ReadOnlySpan<nint> objs, MempoolCache* cache = null)
    {
        fixed (nint* p = objs)
        {
            GenericPut(_mp, p, (uint)objs.Length, cache);
        }
    }

    /// <summary>Gets one object.</summary>
    /// <param name="obj">The object, or 0.</param>
    /// <param name="cache">This thread's cache, or null.</param>
    /// <returns>False when the pool is empty.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TryGet(out nint obj, MempoolCache* cache = null)
    {
        nint o = 0;
        bool ok = GenericGet(_mp, &o, 1, cache);
        obj = o;
        return ok;
    }

    /// <summary>Returns one object.</summary>
    /// <param name="obj">An object of this pool.</param>
    /// <param name="cache">This thread's cache, or null.</param>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Put(nint obj, MempoolCache* cache = null) => GenericPut(_mp, &obj, 1, cache);

    /// <summary>The default cache of <paramref name="lcoreId"/> in <paramref name="mp"/>, or null when it has none (no check beyond that).</summary>
    /// <param name="mp">The pool.</param>
    /// <param name="lcoreId">Lcore index; out-of-range gives null.</param>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static MempoolCache* DefaultCache(NativeMempool* mp, uint lcoreId) =>
        lcoreId < mp->LcoreCount ? (MempoolCache*)(mp->Caches + ((nuint)lcoreId * mp->CacheStride)) : null;

    /// <summary>The header before a pool object.</summary>
    /// <param name="obj">An object address from any pool.</param>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static MempoolObjectHeader* HeaderOf(nint obj) => (MempoolObjectHeader*)obj - 1;

    /// <summary>The IOVA of a pool object (<c>rte_mempool_virt2iova</c>).</summary>
    /// <param name="obj">An object address from any pool.</param>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Virt2Iova(nint obj) => ((MempoolObjectHeader*)obj - 1)->Iova;

    /// <summary>The pool a pool object belongs to (<c>rte_mempool_from_obj</c>).</summary>
    /// <param name="obj">An object address from any pool.</param>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static NativeMempool* PoolOf(nint obj) => ((MempoolObjectHeader*)obj - 1)->Pool;

    /// <summary>Frees the caches, ring and native pool, and releases the regions this pool reserved. Objects still in use become invalid.</summary>
    public void Dispose()
    {
        NativeMempool* mp = _mp;
        if (mp == null)
        {
            return;
        }

        _mp = null;
        _ring?.Dispose();
        _ring = null;
        foreach (IDmaRegion region in _ownedRegions)
        {
            _provider.Release(region);
        }

        _ownedRegions.Clear();
        NativeMemory.AlignedFree(mp->Caches);
        NativeMemory.Free(mp->PrivateDataPtr);
        NativeMemory.Free(_objects);
        _objects = null;
        NativeMemory.Free(mp);
    }

    /// <inheritdoc/>
    public override string ToString() => _mp == null
        ? $"Mempool '{Name}' (disposed)"
        : $"Mempool '{Name}' ({PopulatedCount}/{Size} objects of {ElementSize} B, cache {CacheSize}, {AvailableCount} available)";

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool RingGet(NativeMempool* mp, nint* objs, uint n)
    {
        if ((mp->FlagsValue & MempoolFlags.SingleConsumerGet) != 0)
        {
            return RingOps.Dequeue<SingleSync, FixedBehavior>(mp->Ring, objs, n, out _) == n;
        }

        return RingOps.Dequeue<MultiSync, FixedBehavior>(mp->Ring, objs, n, out _) == n;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void RingPut(NativeMempool* mp, nint* objs, uint n)
    {
        uint done = (mp->FlagsValue & MempoolFlags.SingleProducerPut) != 0
            ? RingOps.Enqueue<SingleSync, FixedBehavior>(mp->Ring, objs, n, out _)
            : RingOps.Enqueue<MultiSync, FixedBehavior>(mp->Ring, objs, n, out _);
        if (done != n)
        {
            ThrowOverflow(n);
        }
    }

    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowOverflow(uint n) => throw new InvalidOperationException(
        $"Mempool put of {n} objects overflowed the pool's ring: an object was freed twice or belongs to another pool.");

    private static void Validate(string name, uint count, uint elementSize, uint cacheSize, MempoolFlags flags, uint lcoreCount)
    {
        const MempoolFlags all = MempoolFlags.NoCacheAlign | MempoolFlags.SingleProducerPut | MempoolFlags.SingleConsumerGet | MempoolFlags.NoIovaContig;
        if ((flags & ~all) != 0)
        {
            throw new ArgumentException($"Mempool '{name}': unknown flags 0x{(int)(flags & ~all):x}; valid flags are {all}.", nameof(flags));
        }

        if (count == 0 || count > Ring.MaxCount)
        {
            throw new ArgumentOutOfRangeException(nameof(count), count, $"Mempool '{name}': object count must be between 1 and {Ring.MaxCount}.");
        }

        if (elementSize == 0 || elementSize > int.MaxValue / 2)
        {
            throw new ArgumentOutOfRangeException(nameof(elementSize), elementSize, $"Mempool '{name}': element size must be between 1 and {int.MaxValue / 2} bytes.");
        }

        if (cacheSize > MempoolCache.MaxSize || MempoolCache.FlushThresholdFor(cacheSize) > count)
        {
            throw new ArgumentOutOfRangeException(
                nameof(cacheSize),
                cacheSize,
                $"Mempool '{name}': cache size {cacheSize} is too large: it must be at most {MempoolCache.MaxSize} and 1.5 x cache size " +
                $"must not exceed the object count {count} (largest valid here: {Math.Min(MempoolCache.MaxSize, count * 2 / 3)}).");
        }

        if (cacheSize != 0 && lcoreCount == 0)
        {
            throw new ArgumentOutOfRangeException(nameof(lcoreCount), lcoreCount, $"Mempool '{name}': a cached pool needs at least one lcore cache.");
        }
    }

    private void InitNative(uint count, uint elementSize, uint cacheSize, uint privateDataSize, MempoolFlags flags, uint lcoreCount)
    {
        _mp = (NativeMempool*)NativeMemory.AllocZeroed((nuint)sizeof(NativeMempool));
        NativeMempool* mp = _mp;
        bool noAlign = (flags & MempoolFlags.NoCacheAlign) != 0;
        uint header = (uint)sizeof(MempoolObjectHeader);
        uint element = (elementSize + 7) & ~7u;
        if (!noAlign)
        {
            header = (header + CacheLine - 1) & ~(CacheLine - 1);
        }

        uint total = header + element;
        uint trailer = noAlign ? 0 : (((total + CacheLine - 1) & ~(CacheLine - 1)) - total);

        mp->SizeValue = count;
        mp->ElementSizeValue = element;
        mp->HeaderSizeValue = header;
        mp->TrailerSizeValue = trailer;
        mp->CacheSizeValue = cacheSize;
        mp->FlagsValue = flags;
        mp->PrivateDataSizeValue = privateDataSize;
        if (privateDataSize != 0)
        {
            mp->PrivateDataPtr = NativeMemory.AllocZeroed(privateDataSize);
        }

        _objects = (nint*)NativeMemory.AllocZeroed(count, (nuint)sizeof(nint));

        RingFlags rf = RingFlags.ExactSize
            | ((flags & MempoolFlags.SingleProducerPut) != 0 ? RingFlags.SingleProducer : 0)
            | ((flags & MempoolFlags.SingleConsumerGet) != 0 ? RingFlags.SingleConsumer : 0);
        _ring = Ring.Create("MP_" + Name, count, rf);
        mp->Ring = _ring.Header;

        if (cacheSize != 0)
        {
            nuint stride = MempoolCache.BytesFor(cacheSize);
            mp->CacheStride = (uint)stride;
            mp->LcoreCount = lcoreCount;
            mp->Caches = (byte*)NativeMemory.AlignedAlloc(stride * lcoreCount, CacheLine);
            for (uint i = 0; i < lcoreCount; i++)
            {
                MempoolCache.Init((MempoolCache*)(mp->Caches + (i * stride)), cacheSize, mp);
            }
        }
    }
}
