using System.Globalization;
using System.Runtime.CompilerServices;

namespace Eal.Memory.Heap;

/// <summary>
/// DPDK-style malloc over the memseg lists: one heap per NUMA socket, element headers in the memory itself,
/// free lists by size class, merge of adjacent free elements, growth on demand and release of whole free pages
/// (dynamic memory). Every pointer it returns is DMA-able: <see cref="MemorySubsystem.VirtualToIova"/> gives its IOVA.
/// Thread safe.
/// </summary>
public sealed unsafe class MallocHeap
{
    /// <summary>Socket value meaning "any socket" (DPDK's <c>SOCKET_ID_ANY</c>).</summary>
    public const int SocketAny = -1;

    /// <summary>Smallest (and default) alignment: one cache line.</summary>
    public const int MinAlignment = 64;

    /// <summary>Largest single allocation accepted (1 TiB) — anything larger is a size computation gone wrong.</summary>
    public const ulong MaxAllocationSize = 1UL << 40;

    private readonly MemorySubsystem _memory;
    private readonly SocketHeap[] _heaps;

    internal MallocHeap(MemorySubsystem memory, int socketCount)
    {
        _memory = memory;
        _heaps = new SocketHeap[socketCount];
        for (int s = 0; s < socketCount; s++)
        {
            _heaps[s] = new SocketHeap(memory, s);
        }
    }

    /// <summary>Number of socket heaps.</summary>
    public int SocketCount => _heaps.Length;

    /// <summary>
    /// Allocates <paramref name="size"/> bytes aligned to <paramref name="alignment"/> (0 = 64, else a power of two) on
    /// <paramref name="socket"/> (or <see cref="SocketAny"/>). Throws <see cref="MemoryException"/> saying why when memory
    /// cannot be found (limit reached, hugepages exhausted, legacy memory full).
    /// </summary>
    public nint Malloc(nuint size, nuint alignment = 0, int socket = SocketAny) => MallocBounded(size, alignment, 0, socket);

    /// <summary>Like <see cref="Malloc"/> but the block does not cross a multiple of <paramref name="bound"/> (0 = no bound, else a power of two ≥ size).</summary>
    public nint MallocBounded(nuint size, nuint alignment, nuint bound, int socket)
    {
        if (!TryMallocBounded(size, alignment, bound, socket, out nint p, out string? failure))
        {
            throw new MemoryException(string.Create(CultureInfo.InvariantCulture,
                $"Cannot allocate {size} bytes (alignment {Math.Max(alignment, MinAlignment)}, socket {(socket == SocketAny ? "any" : socket)}) from the heap: {failure}."));
        }

        return p;
    }

    /// <summary>Like <see cref="Malloc"/> but reports failure by returning false with the reason.</summary>
    public bool TryMalloc(nuint size, nuint alignment, int socket, out nint pointer, out string? failure) =>
        TryMallocBounded(size, alignment, 0, socket, out pointer, out failure);

    /// <summary>Like <see cref="MallocBounded"/> but reports failure by returning false with the reason.</summary>
    public bool TryMallocBounded(nuint size, nuint alignment, nuint bound, int socket, out nint pointer, out string? failure) =>
        TryMalloc(size, alignment, bound, socket, HeapConstraint.None, out pointer, out failure);

    /// <summary>The allocation behind all the others, in memory that meets <paramref name="constraint"/> (memzone flags).</summary>
    internal bool TryMalloc(nuint size, nuint alignment, nuint bound, int socket, HeapConstraint constraint, out nint pointer, out string? failure)
    {
        Check(size, ref alignment, bound, socket);
        size = (size + MinAlignment - 1) & ~(nuint)(MinAlignment - 1);
        failure = null;
        if (socket != SocketAny)
        {
            pointer = _heaps[socket].Allocate(size, alignment, bound, constraint, mayGrow: true, out failure);
            return pointer != 0;
        }

        // Any socket: first what is already free anywhere, then growth socket by socket.
        foreach (var heap in _heaps)
        {
            pointer = heap.Allocate(size, alignment, bound, constraint, mayGrow: false, out _);
            if (pointer != 0)
            {
                return true;
            }
        }

        var reasons = new List<string>();
        foreach (var heap in _heaps)
        {
            pointer = heap.Allocate(size, alignment, bound, constraint, mayGrow: true, out string? why);
            if (pointer != 0)
            {
                return true;
            }

            reasons.Add(_heaps.Length == 1 ? why! : $"socket {heap.Socket}: {why}");
        }

        pointer = 0;
        failure = string.Join("; ", reasons);
        return false;
    }

    /// <summary>Like <see cref="Malloc"/>, with the memory zeroed.</summary>
    public nint Zmalloc(nuint size, nuint alignment = 0, int socket = SocketAny)
    {
        nint p = Malloc(size, alignment, socket);
        new Span<byte>((void*)p, checked((int)Math.Min(size, int.MaxValue))).Clear();
        if (size > int.MaxValue)
        {
            Unsafe.InitBlockUnaligned((byte*)p + int.MaxValue, 0, checked((uint)(size - int.MaxValue)));
        }

        return p;
    }

    /// <summary>Zeroed array of <paramref name="count"/> elements of <paramref name="elementSize"/> bytes.</summary>
    public nint Calloc(nuint count, nuint elementSize, nuint alignment = 0, int socket = SocketAny)
    {
        ulong total = (ulong)count * elementSize;
        if (elementSize != 0 && total / elementSize != count)
        {
            throw new ArgumentOutOfRangeException(nameof(count), $"Calloc of {count} × {elementSize} bytes overflows.");
        }

        return Zmalloc((nuint)total, alignment, socket);
    }

    /// <summary>
    /// Resizes a block: grows in place when the next element is free, else moves it (keeping the content). A null
    /// pointer allocates; the alignment is kept or raised to <paramref name="alignment"/>.
    /// </summary>
    public nint Realloc(nint pointer, nuint size, nuint alignment = 0, int socket = SocketAny)
    {
        if (pointer == 0)
        {
            return Malloc(size, alignment, socket);
        }

        var heap = Resolve(pointer, out HeapElement* elem);
        Check(size, ref alignment, 0, socket);
        nint end = (nint)elem + (nint)elem->Size;
        nuint capacity = (nuint)(end - pointer);
        bool aligned = (pointer & (nint)(alignment - 1)) == 0;
        bool socketOk = socket == SocketAny || socket == heap.Socket;
        nuint rounded = (size + MinAlignment - 1) & ~(nuint)(MinAlignment - 1);
        if (aligned && socketOk && (rounded <= capacity || heap.TryExtend(elem, pointer, rounded)))
        {
            return pointer;
        }

        nint moved = Malloc(size, alignment, socket == SocketAny ? heap.Socket : socket);
        Buffer.MemoryCopy((void*)pointer, (void*)moved, size, Math.Min(size, capacity));
        heap.Free(elem);
        return moved;
    }

    /// <summary>Frees a block from <see cref="Malloc"/> and friends; 0 is ignored. Whole free pages go back to the OS (dynamic memory).</summary>
    public void Free(nint pointer)
    {
        if (pointer == 0)
        {
            return;
        }

        var heap = Resolve(pointer, out HeapElement* elem);
        heap.Free(elem);
    }

    /// <summary>Usable bytes of a block (at least what was asked).</summary>
    public nuint UsableSize(nint pointer)
    {
        Resolve(pointer, out HeapElement* elem);
        return (nuint)((nint)elem + (nint)elem->Size - pointer);
    }

    /// <summary>Statistics of the heap of <paramref name="socket"/>.</summary>
    public HeapStats GetStats(int socket)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(socket);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(socket, _heaps.Length);
        return _heaps[socket].GetStats();
    }

    /// <summary>Writes the statistics and the elements of every socket heap.</summary>
    public void Dump(TextWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        foreach (var heap in _heaps)
        {
            var s = heap.GetStats();
            writer.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"Heap socket {s.Socket}: total {s.TotalBytes} free {s.FreeBytes} allocated {s.AllocatedBytes} greatest free {s.GreatestFreeBytes} free elements {s.FreeCount} allocated elements {s.AllocatedCount}"));
            heap.Dump(writer);
        }
    }

    /// <summary>Checks the heap invariants (chains, merges, accounting); returns the first violation or null.</summary>
    public string? Validate()
    {
        foreach (var heap in _heaps)
        {
            string? problem = heap.Validate();
            if (problem != null)
            {
                return $"socket {heap.Socket}: {problem}";
            }
        }

        return null;
    }

    /// <summary>Gives memory backed at start to the heap of its socket.</summary>
    internal void AddMemory(int socket, nint start, nuint length) => _heaps[socket].AddMemory(start, length);

    private void Check(nuint size, ref nuint alignment, nuint bound, int socket)
    {
        if (size == 0 || size > MaxAllocationSize)
        {
            throw new ArgumentOutOfRangeException(nameof(size), size, $"Heap allocation size must be between 1 and {MaxAllocationSize} bytes.");
        }

        if (alignment == 0)
        {
            alignment = MinAlignment;
        }

        if (!nuint.IsPow2(alignment))
        {
            throw new ArgumentOutOfRangeException(nameof(alignment), alignment, "Alignment must be 0 or a power of two.");
        }

        alignment = Math.Max(alignment, MinAlignment);
        if (bound != 0 && (!nuint.IsPow2(bound) || bound < size || bound < alignment))
        {
            throw new ArgumentOutOfRangeException(nameof(bound), bound, $"Bound must be 0 or a power of two at least the size ({size}) and the alignment ({alignment}).");
        }

        if (socket != SocketAny && (socket < 0 || socket >= _heaps.Length))
        {
            throw new ArgumentOutOfRangeException(nameof(socket), socket, $"Socket must be {SocketAny} (any) or 0..{_heaps.Length - 1}.");
        }
    }

    private SocketHeap Resolve(nint pointer, out HeapElement* elem)
    {
        var list = _memory.FindList(pointer);
        var header = (HeapElement*)(pointer - SocketHeap.HeaderSize);
        if (list == null || list.IsExternal || (pointer & (MinAlignment - 1)) != 0 || !list.Contains(pointer - SocketHeap.HeaderSize)
            || !list.IsBacked(list.IndexOf(pointer - SocketHeap.HeaderSize)))
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"0x{(nuint)pointer:x} was not allocated from this heap."), nameof(pointer));
        }

        elem = header->State == HeapElement.StatePad ? (HeapElement*)((nint)header - (nint)header->Pad) : header;
        if (elem->State != HeapElement.StateBusy)
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"0x{(nuint)pointer:x} is not an allocated heap block (freed twice, or not from this heap)."), nameof(pointer));
        }

        return _heaps[list.Socket];
    }
}
