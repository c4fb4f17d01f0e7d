namespace Eal.Vfio.Dma;

/// <summary>
/// One remembered user DMA mapping: <see cref="Length"/> bytes at <see cref="Va"/> mapped at <see cref="Iova"/>, made
/// of whole <see cref="Chunk"/>-sized pieces (the size of the original map calls, which is where a backend without
/// partial unmap can cut it).
/// </summary>
/// <param name="Va">Process virtual address of the first byte.</param>
/// <param name="Iova">IOVA of the first byte.</param>
/// <param name="Length">Bytes; a multiple of <paramref name="Chunk"/>.</param>
/// <param name="Chunk">Size of each original map call merged into this entry.</param>
public readonly record struct UserMap(ulong Va, ulong Iova, ulong Length, ulong Chunk)
{
    /// <summary>One past the last IOVA.</summary>
    public ulong IovaEnd => Iova + Length;
}

/// <summary>
/// The user-map table of a container (DPDK's <c>user_mem_maps</c>): mappings made through
/// <see cref="VfioManager.DmaMap"/>, kept sorted by IOVA, adjacent entries merged when VA and IOVA both continue
/// and their chunk sizes agree, replayed chunk by chunk onto a container that (re)gains an IOMMU domain.
/// Lookups are O(log n). Not thread-safe: the manager serialises access.
/// </summary>
public sealed class UserMapTable
{
    private static readonly Comparer<UserMap> ByIova = Comparer<UserMap>.Create((a, b) => a.Iova.CompareTo(b.Iova));
    private readonly SortedSet<UserMap> _maps = new(ByIova);

    /// <summary>Number of entries (after merging).</summary>
    public int Count => _maps.Count;

    /// <summary>The entries in IOVA order.</summary>
    public IEnumerable<UserMap> Entries => _maps;

    /// <summary>The entries cut into their original chunks, in IOVA order (what a replay maps, one call each).</summary>
    public IEnumerable<UserMap> Chunks()
    {
        foreach (var m in _maps)
        {
            for (ulong off = 0; off < m.Length; off += m.Chunk)
            {
                yield return new UserMap(m.Va + off, m.Iova + off, m.Chunk, m.Chunk);
            }
        }
    }

    /// <summary>The entry that overlaps [<paramref name="iova"/>, +<paramref name="length"/>), if any.</summary>
    public UserMap? FindOverlap(ulong iova, ulong length)
    {
        ulong last = iova + length - 1;
        // The entry starting at or before 'last' with the greatest IOVA is the only candidate to the left.
        var view = _maps.GetViewBetween(new UserMap(0, 0, 0, 0), new UserMap(0, last, 0, 0));
        var candidate = view.Max; // default (Length 0) when empty; Count would walk the view
        return candidate.Length != 0 && candidate.IovaEnd > iova ? candidate : null;
    }

    /// <summary>Adds a mapping (the caller checked <see cref="FindOverlap"/>) and merges it with its neighbours.</summary>
    public void Add(ulong va, ulong iova, ulong length)
    {
        var entry = new UserMap(va, iova, length, length);
        var left = Previous(iova);
        if (left is { } l && l.IovaEnd == iova && l.Va + l.Length == va && l.Chunk == length)
        {
            _maps.Remove(l);
            entry = new UserMap(l.Va, l.Iova, l.Length + length, length);
        }

        var right = Next(entry.IovaEnd);
        if (right is { } r && r.Iova == entry.IovaEnd && entry.Va + entry.Length == r.Va && r.Chunk == entry.Chunk)
        {
            _maps.Remove(r);
            entry = entry with { Length = entry.Length + r.Length };
        }

        _maps.Add(entry);
    }

    /// <summary>
    /// Checks that [<paramref name="iova"/>, +<paramref name="length"/>) at <paramref name="va"/> is fully covered by
    /// remembered mappings with the same VA↔IOVA relation and, when <paramref name="partialUnmap"/> is false, that
    /// both ends fall on chunk boundaries. Returns null when it can be removed, else why not.
    /// </summary>
    public string? CheckRemove(ulong va, ulong iova, ulong length, bool partialUnmap)
    {
        ulong pos = iova;
        ulong end = iova + length;
        while (pos < end)
        {
            var e = Containing(pos);
            if (e is not { } m)
            {
                return $"IOVA 0x{pos:x} was not mapped with DmaMap";
            }

            if (m.Va + (pos - m.Iova) != va + (pos - iova))
            {
                return $"IOVA 0x{pos:x} is mapped to VA 0x{m.Va + (pos - m.Iova):x}, not 0x{va + (pos - iova):x}";
            }

            if (!partialUnmap)
            {
                if (pos == iova && (pos - m.Iova) % m.Chunk != 0)
                    return $"0x{iova:x} is inside a mapping of 0x{m.Chunk:x} bytes at 0x{m.Iova + (pos - m.Iova) / m.Chunk * m.Chunk:x}, and this IOMMU type cannot unmap part of a mapping";
                ulong stop = Math.Min(end, m.IovaEnd);
                if (stop == end && (end - m.Iova) % m.Chunk != 0)
                    return $"0x{end:x} is inside a mapping of 0x{m.Chunk:x} bytes at 0x{m.Iova + (end - m.Iova) / m.Chunk * m.Chunk:x}, and this IOMMU type cannot unmap part of a mapping";
            }

            pos = m.IovaEnd;
        }

        return null;
    }

    /// <summary>Removes [<paramref name="iova"/>, +<paramref name="length"/>) (checked with <see cref="CheckRemove"/>), splitting entries.</summary>
    public void Remove(ulong iova, ulong length)
    {
        ulong end = iova + length;
        ulong pos = iova;
        while (pos < end && Containing(pos) is { } m)
        {
            _maps.Remove(m);
            if (m.Iova < iova)
            {
                ulong keep = iova - m.Iova;
                _maps.Add(new UserMap(m.Va, m.Iova, keep, keep % m.Chunk == 0 ? m.Chunk : keep));
            }

            if (m.IovaEnd > end)
            {
                ulong keep = m.IovaEnd - end;
                _maps.Add(new UserMap(m.Va + (end - m.Iova), end, keep, keep % m.Chunk == 0 ? m.Chunk : keep));
            }

            pos = m.IovaEnd;
        }
    }

    /// <summary>Forgets every entry.</summary>
    public void Clear() => _maps.Clear();

    private UserMap? Containing(ulong iova)
    {
        var e = Previous(iova + 1);
        return e is { } m && m.Iova <= iova && iova < m.IovaEnd ? m : null;
    }

    // The entry with the greatest IOVA strictly below 'bound'.
    private UserMap? Previous(ulong bound)
    {
        if (bound == 0) return null;
        var view = _maps.GetViewBetween(new UserMap(0, 0, 0, 0), new UserMap(0, bound - 1, 0, 0));
        var m = view.Max;
        return m.Length == 0 ? null : m;
    }

    // The entry with the smallest IOVA at or above 'bound'.
    private UserMap? Next(ulong bound)
    {
        var view = _maps.GetViewBetween(new UserMap(0, bound, 0, 0), new UserMap(0, ulong.MaxValue, 0, 0));
        var m = view.Min;
        return m.Length == 0 ? null : m;
    }
}
