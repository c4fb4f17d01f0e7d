using System.Globalization;
using System.Numerics;
using Eal.Memory.Heap;

namespace Eal.Memory.Memzones;

/// <summary>
/// Named memzones on top of the malloc heap (DPDK's <c>rte_memzone_reserve_bounded</c>, lookup, free, walk).
/// Implements <see cref="IDmaMemoryProvider"/> for mempools and drivers. Thread safe.
/// </summary>
public sealed class MemzoneAllocator : IDmaMemoryProvider
{
    /// <summary>Longest name, as DPDK's <c>RTE_MEMZONE_NAMESIZE</c> (32 with the terminating NUL).</summary>
    public const int MaxNameLength = 31;

    private readonly Lock _lock = new();
    private readonly MemorySubsystem _memory;
    private readonly Dictionary<string, Memzone> _zones = new(StringComparer.Ordinal);

    internal MemzoneAllocator(MemorySubsystem memory) => _memory = memory;

    /// <summary>Number of memzones.</summary>
    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _zones.Count;
            }
        }
    }

    /// <summary>
    /// Reserves a memzone: <paramref name="length"/> bytes aligned to <paramref name="alignment"/> (0 = 64), not crossing a
    /// multiple of <paramref name="bound"/> (0 = none), on <paramref name="socket"/> (or <see cref="MallocHeap.SocketAny"/>),
    /// in memory that meets <paramref name="flags"/> (page sizes, IOVA contiguity: <see cref="MemzoneFlags"/>).
    /// </summary>
    /// <exception cref="ArgumentException">The name, length or flags are invalid (the message says which and why).</exception>
    /// <exception cref="MemoryException">No memory meets the request (the message says what was missing and what to do).</exception>
    public Memzone Reserve(string name, nuint length, int socket = MallocHeap.SocketAny, nuint alignment = 0, nuint bound = 0, MemzoneFlags flags = MemzoneFlags.None)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (name.Length == 0 || name.Length > MaxNameLength)
        {
            throw new ArgumentException($"Memzone name '{name}' is {name.Length} characters; it must have 1 to {MaxNameLength}.", nameof(name));
        }

        if (length == 0)
        {
            throw new ArgumentOutOfRangeException(nameof(length), $"Memzone '{name}' length must be at least 1 byte.");
        }

        HeapConstraint constraint = ConstraintOf(name, flags);

        lock (_lock)
        {
            if (_zones.ContainsKey(name))
            {
                throw new MemoryException($"Memzone '{name}' already exists; look it up with Lookup(\"{name}\") or choose another name.");
            }

            if (!_memory.Heap.TryMalloc(length, alignment, bound, socket, constraint, out nint address, out string? failure)
                && !((flags & MemzoneFlags.SizeHintOnly) != 0 && constraint.PageSizeMask != 0
                     && _memory.Heap.TryMalloc(length, alignment, bound, socket, constraint with { PageSizeMask = 0 }, out address, out _)))
            {
                throw new MemoryException(string.Create(CultureInfo.InvariantCulture,
                    $"Cannot reserve memzone '{name}' ({length} bytes, socket {(socket == MallocHeap.SocketAny ? "any" : socket)}, flags {flags}): {failure}."));
            }

            var list = _memory.FindList(address)!;
            var zone = new Memzone(_memory, name, address, length, list.Socket, Math.Max(alignment, MallocHeap.MinAlignment), bound, list.PageSize, flags);
            _zones.Add(name, zone);
            return zone;
        }
    }

    /// <summary>The memzone named <paramref name="name"/>, or null.</summary>
    public Memzone? Lookup(string name)
    {
        lock (_lock)
        {
            return _zones.GetValueOrDefault(name);
        }
    }

    /// <summary>Frees a memzone; its memory goes back to the heap.</summary>
    public void Free(Memzone zone)
    {
        ArgumentNullException.ThrowIfNull(zone);
        lock (_lock)
        {
            if (zone.Freed || !_zones.TryGetValue(zone.Name, out var known) || !ReferenceEquals(known, zone))
            {
                throw new MemoryException($"Memzone '{zone.Name}' is not reserved here (already freed?).");
            }

            _zones.Remove(zone.Name);
            zone.Freed = true;
            _memory.Heap.Free(zone.Address);
        }
    }

    /// <summary>Calls <paramref name="visit"/> for every memzone (a snapshot, ordered by name).</summary>
    public void Walk(Action<Memzone> visit)
    {
        ArgumentNullException.ThrowIfNull(visit);
        Memzone[] zones;
        lock (_lock)
        {
            zones = _zones.Values.OrderBy(z => z.Name, StringComparer.Ordinal).ToArray();
        }

        foreach (var zone in zones)
        {
            visit(zone);
        }
    }

    private static HeapConstraint ConstraintOf(string name, MemzoneFlags flags)
    {
        const MemzoneFlags pageFlags = MemzoneFlags.Page2M | MemzoneFlags.Page1G | MemzoneFlags.Page16M | MemzoneFlags.Page16G
            | MemzoneFlags.Page256K | MemzoneFlags.Page256M | MemzoneFlags.Page512M | MemzoneFlags.Page4G;
        const MemzoneFlags known = pageFlags | MemzoneFlags.SizeHintOnly | MemzoneFlags.IovaContiguous;
        if ((flags & ~known) != 0)
        {
            throw new ArgumentException($"Memzone '{name}': unknown flags 0x{(uint)(flags & ~known):x}; valid flags are {known}.", nameof(flags));
        }

        if ((flags & MemzoneFlags.SizeHintOnly) != 0 && (flags & pageFlags) == 0)
        {
            throw new ArgumentException($"Memzone '{name}': SizeHintOnly qualifies a page-size flag (Page2M, Page1G, ...); add one or drop it.", nameof(flags));
        }

        ulong mask = 0;
        foreach (var (flag, pageSize) in PageSizes)
        {
            if ((flags & flag) != 0)
            {
                mask |= 1UL << BitOperations.Log2(pageSize);
            }
        }

        return new HeapConstraint(mask, (flags & MemzoneFlags.IovaContiguous) != 0);
    }

    private static readonly (MemzoneFlags Flag, ulong PageSize)[] PageSizes =
    [
        (MemzoneFlags.Page256K, 256UL << 10), (MemzoneFlags.Page2M, 2UL << 20), (MemzoneFlags.Page16M, 16UL << 20),
        (MemzoneFlags.Page256M, 256UL << 20), (MemzoneFlags.Page512M, 512UL << 20), (MemzoneFlags.Page1G, 1UL << 30),
        (MemzoneFlags.Page4G, 4UL << 30), (MemzoneFlags.Page16G, 16UL << 30),
    ];

    /// <inheritdoc />
    IDmaRegion IDmaMemoryProvider.Reserve(string name, nuint length, nuint alignment, int socket) =>
        Reserve(name, length, socket, alignment);

    /// <inheritdoc />
    void IDmaMemoryProvider.Release(IDmaRegion region)
    {
        if (region is not Memzone zone)
        {
            throw new ArgumentException($"{region?.GetType().Name ?? "null"} was not reserved by this memzone allocator.", nameof(region));
        }

        Free(zone);
    }
}
