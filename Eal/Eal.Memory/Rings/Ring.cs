using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Eal.Memory.Rings;

/// <summary>
/// A fixed-size lock-free FIFO of pointers or fixed-size elements in native memory (DPDK's <c>rte_ring</c>):
/// single or multiple producers and consumers, bulk (all or nothing) and burst (as many as possible) operations.
/// </summary>
/// <remarks>
/// <para>
/// The data path (<c>Enqueue*</c>/<c>Dequeue*</c>) allocates nothing and takes no lock. The unprefixed methods use
/// the synchronisation chosen by <see cref="Flags"/> at creation; the <c>Sp</c>/<c>Mp</c>/<c>Sc</c>/<c>Mc</c>
/// methods force single- or multi-thread mode, and calling an <c>Sp</c>/<c>Sc</c> method from two threads at once
/// corrupts the ring, exactly as in DPDK.
/// </para>
/// <para>
/// The ring owns its memory: <see cref="Dispose"/> returns it (to the <see cref="IDmaMemoryProvider"/> when one was
/// given). There is no finalizer: native code may still reference the ring, so its lifetime is explicit.
/// </para>
/// </remarks>
public sealed unsafe class Ring : IDisposable
{
    /// <summary>Largest count a ring can be created with (DPDK's <c>RTE_RING_SZ_MASK</c>).</summary>
    public const uint MaxCount = 0x7fffffff;

    private readonly IDmaMemoryProvider? _provider;
    private readonly IDmaRegion? _region;
    private readonly bool _spDefault;
    private readonly bool _scDefault;
    private RingHeader* _r;

    private Ring(string name, RingHeader* header, RingFlags flags, IDmaMemoryProvider? provider, IDmaRegion? region)
    {
        Name = name;
        _r = header;
        Flags = flags;
        _provider = provider;
        _region = region;
        _spDefault = (flags & RingFlags.SingleProducer) != 0;
        _scDefault = (flags & RingFlags.SingleConsumer) != 0;
    }

    /// <summary>Name given at creation (diagnostics only; rings are not registered anywhere).</summary>
    public string Name { get; }

    /// <summary>Flags given at creation.</summary>
    public RingFlags Flags { get; }

    /// <summary>Bytes per element (8 for a pointer ring).</summary>
    public uint ElementSize => Header->ElementSize;

    /// <summary>Number of slots (a power of two).</summary>
    public uint Size => Header->Size;

    /// <summary>Most elements the ring can hold (<see cref="Size"/> − 1, or the exact count with <see cref="RingFlags.ExactSize"/>).</summary>
    public uint Capacity => Header->Capacity;

    /// <summary>Elements currently in the ring (a snapshot when other threads are active).</summary>
    public uint Count
    {
        get
        {
            RingHeader* r = Header;
            uint count = (Volatile.Read(ref r->ProdTail) - Volatile.Read(ref r->ConsTail)) & r->Mask;
            return count > r->Capacity ? r->Capacity : count;
        }
    }

    /// <summary>Free slots (a snapshot when other threads are active).</summary>
    public uint FreeCount => Capacity - Count;

    /// <summary>True when <see cref="Count"/> is zero.</summary>
    public bool IsEmpty => Count == 0;

    /// <summary>True when <see cref="FreeCount"/> is zero.</summary>
    public bool IsFull => FreeCount == 0;

    /// <summary>Address of the native ring (header and slots).</summary>
    public nint Address => (nint)Header;

    internal RingHeader* Header => _r != null ? _r : throw new ObjectDisposedException(Name, $"Ring '{Name}' has been disposed.");

    /// <summary>Bytes of memory a ring of <paramref name="count"/> elements needs (<c>rte_ring_get_memsize_elem</c>).</summary>
    /// <param name="count">Requested element count.</param>
    /// <param name="elementSize">Bytes per element, a non-zero multiple of 4.</param>
    /// <param name="flags">Creation flags; <see cref="RingFlags.ExactSize"/> changes the slot count.</param>
    /// <exception cref="ArgumentException">The count or element size is invalid (the message says why).</exception>
    public static nuint GetMemorySize(uint count, uint elementSize = 8, RingFlags flags = RingFlags.None)
    {
        ComputeSize(count, elementSize, flags, out uint size, out _);
        return MemorySize(size, elementSize);
    }

    /// <summary>Creates a ring in plain native memory.</summary>
    /// <param name="name">Name used in diagnostics.</param>
    /// <param name="count">
    /// Slot count: a power of two (capacity is <paramref name="count"/> − 1), or any value up to
    /// <see cref="MaxCount"/> with <see cref="RingFlags.ExactSize"/> (capacity is exactly <paramref name="count"/>).
    /// </param>
    /// <param name="flags">Default synchronisation and sizing.</param>
    /// <param name="elementSize">Bytes per element, a non-zero multiple of 4 (8 for pointers).</param>
    /// <exception cref="ArgumentException">An argument is invalid (the message names it and what is valid).</exception>
    public static Ring Create(string name, uint count, RingFlags flags = RingFlags.None, uint elementSize = 8)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ValidateFlags(flags);
        ComputeSize(count, elementSize, flags, out uint size, out uint capacity);
        nuint bytes = MemorySize(size, elementSize);
        void* mem = NativeMemory.AlignedAlloc(bytes, RingHeader.Alignment);
        var header = (RingHeader*)mem;
        Init(header, size, capacity, elementSize, flags);
        return new Ring(name, header, flags, null, null);
    }

    /// <summary>Creates a ring in DMA memory reserved from <paramref name="provider"/> (named <c>RG_</c>+name).</summary>
    /// <param name="name">Name used in diagnostics and for the reserved region.</param>
    /// <param name="count">Slot count, see <see cref="Create(string, uint, RingFlags, uint)"/>.</param>
    /// <param name="flags">Default synchronisation and sizing.</param>
    /// <param name="elementSize">Bytes per element, a non-zero multiple of 4.</param>
    /// <param name="provider">Where the memory comes from; it gets it back on <see cref="Dispose"/>.</param>
    /// <param name="socket">NUMA socket, or -1 for any.</param>
    /// <exception cref="ArgumentException">An argument is invalid (the message names it and what is valid).</exception>
    public static Ring Create(string name, uint count, RingFlags flags, uint elementSize, IDmaMemoryProvider provider, int socket = -1)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(provider);
        ValidateFlags(flags);
        ComputeSize(count, elementSize, flags, out uint size, out uint capacity);
        nuint bytes = MemorySize(size, elementSize);
        IDmaRegion region = provider.Reserve("RG_" + name, bytes, RingHeader.Alignment, socket);
        try
        {
            if (region.Length < bytes || region.Address % RingHeader.Alignment != 0)
            {
                throw new InvalidOperationException(
                    $"Ring '{name}': the memory provider returned {region.Length} bytes at 0x{region.Address:x}, " +
                    $"but {bytes} bytes aligned to {RingHeader.Alignment} were requested; fix the provider.");
            }

            var header = (RingHeader*)region.Address;
            Init(header, size, capacity, elementSize, flags);
            return new Ring(name, header, flags, provider, region);
        }
        catch
        {
            provider.Release(region);
            throw;
        }
    }

    /// <summary>Empties the ring. Not thread-safe: no other thread may use the ring meanwhile.</summary>
    public void Reset()
    {
        RingHeader* r = Header;
        r->ProdHead = r->ProdTail = r->ConsHead = r->ConsTail = 0;
    }

    /// <summary>Returns the ring memory. Using the ring afterwards throws <see cref="ObjectDisposedException"/> from properties; data-path calls must not happen.</summary>
    public void Dispose()
    {
        RingHeader* r = _r;
        if (r == null)
        {
            return;
        }

        _r = null;
        if (_region is not null)
        {
            _provider!.Release(_region);
        }
        else
        {
            NativeMemory.AlignedFree(r);
        }
    }

    /// <inheritdoc/>
    public override string ToString() => $"Ring '{Name}' (size {Size}, capacity {Capacity}, element {ElementSize} B, {Flags})";

    // =====================================================================================================
    // Pointer data path (8-byte elements). Return value: number of elements moved.
    // =====================================================================================================

    /// <summary>Enqueues all of <paramref name="objs"/> or nothing, with the default producer mode.</summary>
    /// <returns><paramref name="objs"/>.Length, or 0 when there is not enough room.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public uint EnqueueBulk(ReadOnlySpan<nint> objs)
    {
        fixed (nint* p = objs)
        {
            return EnqueueBulk(p, (uint)objs.Length, out _);
        }
    }

    /// <summary>Enqueues all <paramref name="n"/> pointers at <paramref name="objs"/> or nothing (default producer mode).</summary>
    /// <param name="objs">Pointers to enqueue.</param>
    /// <param name="n">How many.</param>
    /// <param name="freeSpace">Free slots left after the operation.</param>
    /// <returns><paramref name="n"/> or 0.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public uint EnqueueBulk(nint* objs, uint n, out uint freeSpace) => _spDefault
        ? RingOps.Enqueue<SingleSync, FixedBehavior>(_r, objs, n, out freeSpace)
        : RingOps.Enqueue<MultiSync, FixedBehavior>(_r, objs, n, out freeSpace);

    /// <summary>Single-producer bulk enqueue (caller guarantees no concurrent producer).</summary>
    /// <returns><paramref name="objs"/>.Length, or 0 when there is not enough room.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public uint SpEnqueueBulk(ReadOnlySpan<nint> objs)
    {
        fixed (nint* p = objs)
        {
            return RingOps.Enqueue<SingleSync, FixedBehavior>(_r, p, (uint)objs.Length, out _);
        }
    }

    /// <summary>Single-producer bulk enqueue of <paramref name="n"/> pointers.</summary>
    /// <param name="objs">Pointers to enqueue.</param>
    /// <param name="n">How many.</param>
    /// <param name="freeSpace">Free slots left after the operation.</param>
    /// <returns><paramref name="n"/> or 0.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public uint SpEnqueueBulk(nint* objs, uint n, out uint freeSpace) => RingOps.Enqueue<SingleSync, FixedBehavior>(_r, objs, n, out freeSpace);

    /// <summary>Multi-producer (thread-safe) bulk enqueue.</summary>
    /// <returns><paramref name="objs"/>.Length, or 0 when there is not enough room.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public uint MpEnqueueBulk(ReadOnlySpan<nint> objs)
    {
        fixed (nint* p = objs)
        {
            return RingOps.Enqueue<MultiSync, FixedBehavior>(_r, p, (uint)objs.Length, out _);
        }
    }

    /// <summary>Multi-producer (thread-safe) bulk enqueue of <paramref name="n"/> pointers.</summary>
    /// <param name="objs">Pointers to enqueue.</param>
    /// <param name="n">How many.</param>
    /// <param name="freeSpace">Free slots left after the operation.</param>
    /// <returns><paramref name="n"/> or 0.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public uint MpEnqueueBulk(nint* objs, uint n, out uint freeSpace) => RingOps.Enqueue<MultiSync, FixedBehavior>(_r, objs, n, out freeSpace);

    /// <summary>Enqueues as many of <paramref name="objs"/> as fit (default producer mode).</summary>
    /// <returns>Number enqueued (0..Length).</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public uint EnqueueBurst(ReadOnlySpan<nint> objs)
    {
        fixed (nint* p = objs)
        {
            return EnqueueBurst(p, (uint)objs.Length, out _);
        }
    }

    /// <summary>Enqueues as many of the <paramref name="n"/> pointers as fit (default producer mode).</summary>
    /// <param name="objs">Pointers to enqueue.</param>
    /// <param name="n">How many at most.</param>
    /// <param name="freeSpace">Free slots left after the operation.</param>
    /// <returns>Number enqueued.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public uint EnqueueBurst(nint* objs, uint n, out uint freeSpace) => _spDefault
        ? RingOps.Enqueue<SingleSync, VariableBehavior>(_r, objs, n, out freeSpace)
        : RingOps.Enqueue<MultiSync, VariableBehavior>(_r, objs, n, out freeSpace);

    /// <summary>Single-producer burst enqueue.</summary>
    /// <returns>Number enqueued.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public uint SpEnqueueBurst(ReadOnlySpan<nint> objs)
    {
        fixed (nint* p = objs)
        {
            return RingOps.Enqueue<SingleSync, VariableBehavior>(_r, p, (uint)objs.Length, out _);
        }
    }

    /// <summary>Multi-producer burst enqueue.</summary>
    /// <returns>Number enqueued.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public uint MpEnqueueBurst(ReadOnlySpan<nint> objs)
    {
        fixed (nint* p = objs)
        {
            return RingOps.Enqueue<MultiSync, VariableBehavior>(_r, p, (uint)objs.Length, out _);
        }
    }

    /// <summary>Dequeues exactly <paramref name="objs"/>.Length pointers or nothing (default consumer mode).</summary>
    /// <returns><paramref name="objs"/>.Length, or 0 when the ring holds fewer.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public uint DequeueBulk(Span<nint> objs)
    {
        fixed (nint* p = objs)
        {
            return DequeueBulk(p, (uint)objs.Length, out _);
        }
    }

    /// <summary>Dequeues exactly <paramref name="n"/> pointers or nothing (default consumer mode).</summary>
    /// <param name="objs">Destination.</param>
    /// <param name="n">How many.</param>
    /// <param name="available">Elements left in the ring after the operation.</param>
    /// <returns><paramref name="n"/> or 0.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public uint DequeueBulk(nint* objs, uint n, out uint available) => _scDefault
        ? RingOps.Dequeue<SingleSync, FixedBehavior>(_r, objs, n, out available)
        : RingOps.Dequeue<MultiSync, FixedBehavior>(_r, objs, n, out available);

    /// <summary>Single-consumer bulk dequeue.</summary>
    /// <returns><paramref name="objs"/>.Length or 0.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public uint ScDequeueBulk(Span<nint> objs)
    {
        fixed (nint* p = objs)
        {
            return RingOps.Dequeue<SingleSync, FixedBehavior>(_r, p, (uint)objs.Length, out _);
        }
    }

    /// <summary>Single-consumer bulk dequeue of <paramref name="n"/> pointers.</summary>
    /// <param name="objs">Destination.</param>
    /// <param name="n">How many.</param>
    /// <param name="available">Elements left after the operation.</param>
    /// <returns><paramref name="n"/> or 0.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public uint ScDequeueBulk(nint* objs, uint n, out uint available) => RingOps.Dequeue<SingleSync, FixedBehavior>(_r, objs, n, out available);

    /// <summary>Multi-consumer (thread-safe) bulk dequeue.</summary>
    /// <returns><paramref name="objs"/>.Length or 0.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public uint McDequeueBulk(Span<nint> objs)
    {
        fixed (nint* p = objs)
        {
            return RingOps.Dequeue<MultiSync, FixedBehavior>(_r, p, (uint)objs.Length, out _);
        }
    }

    /// <summary>Multi-consumer bulk dequeue of <paramref name="n"/> pointers.</summary>
    /// <param name="objs">Destination.</param>
    /// <param name="n">How many.</param>
    /// <param name="available">Elements left after the operation.</param>
    /// <returns><paramref name="n"/> or 0.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public uint McDequeueBulk(nint* objs, uint n, out uint available) => RingOps.Dequeue<MultiSync, FixedBehavior>(_r, objs, n, out available);

    /// <summary>Dequeues up to <paramref name="objs"/>.Length pointers (default consumer mode).</summary>
    /// <returns>Number dequeued.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public uint DequeueBurst(Span<nint> objs)
    {
        fixed (nint* p = objs)
        {
            return DequeueBurst(p, (uint)objs.Length, out _);
        }
    }

    /// <summary>Dequeues up to <paramref name="n"/> pointers (default consumer mode).</summary>
    /// <param name="objs">Destination.</param>
    /// <param name="n">How many at most.</param>
    /// <param name="available">Elements left after the operation.</param>
    /// <returns>Number dequeued.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public uint DequeueBurst(nint* objs, uint n, out uint available) => _scDefault
        ? RingOps.Dequeue<SingleSync, VariableBehavior>(_r, objs, n, out available)
        : RingOps.Dequeue<MultiSync, VariableBehavior>(_r, objs, n, out available);

    /// <summary>Single-consumer burst dequeue.</summary>
    /// <returns>Number dequeued.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public uint ScDequeueBurst(Span<nint> objs)
    {
        fixed (nint* p = objs)
        {
            return RingOps.Dequeue<SingleSync, VariableBehavior>(_r, p, (uint)objs.Length, out _);
        }
    }

    /// <summary>Multi-consumer burst dequeue.</summary>
    /// <returns>Number dequeued.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public uint McDequeueBurst(Span<nint> objs)
    {
        fixed (nint* p = objs)
        {
            return RingOps.Dequeue<MultiSync, VariableBehavior>(_r, p, (uint)objs.Length, out _);
        }
    }

    /// <summary>Enqueues one pointer (default producer mode).</summary>
    /// <returns>True when enqueued, false when the ring is full.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool Enqueue(nint obj) => EnqueueBulk(&obj, 1, out _) != 0;

    /// <summary>Dequeues one pointer (default consumer mode).</summary>
    /// <returns>True when one was dequeued, false when the ring is empty.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TryDequeue(out nint obj)
    {
        nint o;
        uint got = DequeueBulk(&o, 1, out _);
        obj = got != 0 ? o : 0;
        return got != 0;
    }

    // =====================================================================================================
    // Element data path (ElementSize bytes per element, rte_ring_*_elem).
    // =====================================================================================================

    /// <summary>Enqueues all of <paramref name="items"/> or none (default producer mode); sizeof(T) must equal <see cref="ElementSize"/>.</summary>
    /// <typeparam name="T">An unmanaged element type of exactly <see cref="ElementSize"/> bytes.</typeparam>
    /// <returns>Length or 0.</returns>
    public uint EnqueueBulkElem<T>(ReadOnlySpan<T> items)
        where T : unmanaged
    {
        CheckElementType<T>();
        fixed (T* p = items)
        {
            return EnqueueBulkElem(p, (uint)items.Length, out _);
        }
    }

    /// <summary>Enqueues <paramref name="n"/> elements of <see cref="ElementSize"/> bytes from <paramref name="items"/>, all or none.</summary>
    /// <param name="items">Source, n × ElementSize bytes.</param>
    /// <param name="n">How many.</param>
    /// <param name="freeSpace">Free slots left after the operation.</param>
    /// <returns><paramref name="n"/> or 0.</returns>
    public uint EnqueueBulkElem(void* items, uint n, out uint freeSpace) => _spDefault
        ? RingOps.EnqueueElem<SingleSync, FixedBehavior>(_r, items, n, out freeSpace)
        : RingOps.EnqueueElem<MultiSync, FixedBehavior>(_r, items, n, out freeSpace);

    /// <summary>Enqueues as many of <paramref name="items"/> as fit (default producer mode).</summary>
    /// <typeparam name="T">An unmanaged element type of exactly <see cref="ElementSize"/> bytes.</typeparam>
    /// <returns>Number enqueued.</returns>
    public uint EnqueueBurstElem<T>(ReadOnlySpan<T> items)
        where T : unmanaged
    {
        CheckElementType<T>();
        fixed (T* p = items)
        {
            return EnqueueBurstElem(p, (uint)items.Length, out _);
        }
    }

    /// <summary>Enqueues as many of the <paramref name="n"/> elements as fit.</summary>
    /// <param name="items">Source, n × ElementSize bytes.</param>
    /// <param name="n">How many at most.</param>
    /// <param name="freeSpace">Free slots left after the operation.</param>
    /// <returns>Number enqueued.</returns>
    public uint EnqueueBurstElem(void* items, uint n, out uint freeSpace) => _spDefault
        ? RingOps.EnqueueElem<SingleSync, VariableBehavior>(_r, items, n, out freeSpace)
        : RingOps.EnqueueElem<MultiSync, VariableBehavior>(_r, items, n, out freeSpace);

    /// <summary>Dequeues exactly <paramref name="items"/>.Length elements or none (default consumer mode).</summary>
    /// <typeparam name="T">An unmanaged element type of exactly <see cref="ElementSize"/> bytes.</typeparam>
    /// <returns>Length or 0.</returns>
    public uint DequeueBulkElem<T>(Span<T> items)
        where T : unmanaged
    {
        CheckElementType<T>();
        fixed (T* p = items)
        {
            return DequeueBulkElem(p, (uint)items.Length, out _);
        }
    }

    /// <summary>Dequeues exactly <paramref name="n"/> elements or none.</summary>
    /// <param name="items">Destination, n × ElementSize bytes.</param>
    /// <param name="n">How many.</param>
    /// <param name="available">Elements left after the operation.</param>
    /// <returns><paramref name="n"/> or 0.</returns>
    public uint DequeueBulkElem(void* items, uint n, out uint available) => _scDefault
        ? RingOps.DequeueElem<SingleSync, FixedBehavior>(_r, items, n, out available)
        : RingOps.DequeueElem<MultiSync, FixedBehavior>(_r, items, n, out available);

    /// <summary>Dequeues up to <paramref name="items"/>.Length elements (default consumer mode).</summary>
    /// <typeparam name="T">An unmanaged element type of exactly <see cref="ElementSize"/> bytes.</typeparam>
    /// <returns>Number dequeued.</returns>
    public uint DequeueBurstElem<T>(Span<T> items)
        where T : unmanaged
    {
        CheckElementType<T>();
        fixed (T* p = items)
        {
            return DequeueBurstElem(p, (uint)items.Length, out _);
        }
    }

    /// <summary>Dequeues up to <paramref name="n"/> elements.</summary>
    /// <param name="items">Destination, n × ElementSize bytes.</param>
    /// <param name="n">How many at most.</param>
    /// <param name="available">Elements left after the operation.</param>
    /// <returns>Number dequeued.</returns>
    public uint DequeueBurstElem(void* items, uint n, out uint available) => _scDefault
        ? RingOps.DequeueElem<SingleSync, VariableBehavior>(_r, items, n, out available)
        : RingOps.DequeueElem<MultiSync, VariableBehavior>(_r, items, n, out available);

    // =====================================================================================================

    private void CheckElementType<T>()
        where T : unmanaged
    {
        if ((uint)sizeof(T) != _r->ElementSize)
        {
            ThrowElementSize(typeof(T), sizeof(T));
        }
    }

    private void ThrowElementSize(Type t, int size) => throw new ArgumentException(
        $"Ring '{Name}' holds {_r->ElementSize}-byte elements but {t.Name} is {size} bytes; use an element type of {_r->ElementSize} bytes.");

    private static void ValidateFlags(RingFlags flags)
    {
        const RingFlags all = RingFlags.SingleProducer | RingFlags.SingleConsumer | RingFlags.ExactSize;
        if ((flags & ~all) != 0)
        {
            throw new ArgumentException($"Unknown ring flags 0x{(int)(flags & ~all):x}; valid flags are {all}.", nameof(flags));
        }
    }

    private static void ComputeSize(uint count, uint elementSize, RingFlags flags, out uint size, out uint capacity)
    {
        if (elementSize == 0 || elementSize % 4 != 0)
        {
            throw new ArgumentException($"Ring element size {elementSize} is invalid: it must be a non-zero multiple of 4 bytes.", nameof(elementSize));
        }

        if ((flags & RingFlags.ExactSize) != 0)
        {
            if (count == 0 || count > MaxCount)
            {
                throw new ArgumentException($"Ring count {count} is invalid: with ExactSize it must be between 1 and {MaxCount}.", nameof(count));
            }

            size = BitOperations.RoundUpToPowerOf2(count + 1);
            capacity = count;
        }
        else
        {
            if (count < 2 || count > MaxCount || !BitOperations.IsPow2(count))
            {
                throw new ArgumentException(
                    $"Ring count {count} is invalid: it must be a power of two between 2 and {MaxCount + 1u >> 1} " +
                    "(capacity is count - 1), or pass RingFlags.ExactSize for any count.", nameof(count));
            }

            size = count;
            capacity = count - 1;
        }

        if ((ulong)size * elementSize > int.MaxValue)
        {
            throw new ArgumentException($"Ring of {size} slots of {elementSize} bytes exceeds 2 GiB; use fewer or smaller elements.", nameof(count));
        }
    }

    private static nuint MemorySize(uint size, uint elementSize)
    {
        nuint bytes = RingHeader.DataOffset + ((nuint)size * elementSize);
        return (bytes + RingHeader.Alignment - 1) & ~(nuint)(RingHeader.Alignment - 1);
    }

    private static void Init(RingHeader* r, uint size, uint capacity, uint elementSize, RingFlags flags)
    {
        NativeMemory.Clear(r, (nuint)sizeof(RingHeader));
        r->Size = size;
        r->Mask = size - 1;
        r->Capacity = capacity;
        r->ElementSize = elementSize;
        r->Flags = flags;
    }
}
