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
    /// multiple of <paramref name="bound"/> (0 = none), on <paramref name="socket"/> (or <see cref="MallocHeap.SocketAny"/>).
    /// </summary>
    public Memzone Reserve(string name, nuint length, int socket = MallocHeap.SocketAny, nuint alignment = 0, nuint bound = 0)
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

        lock (_lock)
        {
            if (_zones.ContainsKey(name))
            {
                throw new MemoryException($"Memzone '{name}' already exists; look it up with Lookup(\"{name}\") or choose another name.");
            }

            nint address;
            try
            {
                address = _memory.Heap.MallocBounded(length, alignment, bound, socket);
            }
            catch (MemoryException e)
            {
                throw new MemoryException($"Cannot reserve memzone '{name}': {e.Message}", e);
            }

            int zoneSocket = _memory.FindList(address)!.Socket;
            var zone = new Memzone(_memory, name, address, length, zoneSocket, Math.Max(alignment, MallocHeap.MinAlignment), bound);
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
