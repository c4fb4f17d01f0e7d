using System.Globalization;

namespace Eal.Memory.Iova;

/// <summary>
/// Hands out IOVAs for a device whose IOMMU domain is shared with a kernel driver: only inside the domain's valid
/// ranges (aperture), never in its reserved regions (MSI window) nor in ranges the kernel driver holds. Free ranges
/// are kept in two sorted sets (by address for merging, by size for best fit), so allocate and free are O(log n).
/// Thread safe.
/// </summary>
public sealed class SoftwareIovaAllocator
{
    private readonly Lock _lock = new();
    private readonly SortedSet<IovaRange> _byAddress = new(Comparer<IovaRange>.Create((a, b) => a.First.CompareTo(b.First)));
    private readonly SortedSet<IovaRange> _bySize = new(Comparer<IovaRange>.Create((a, b) =>
        a.Last - a.First != b.Last - b.First ? (a.Last - a.First).CompareTo(b.Last - b.First) : a.First.CompareTo(b.First)));
    private readonly Dictionary<ulong, ulong> _allocated = [];
    private readonly string _describe;

    /// <summary>Creates the allocator.</summary>
    /// <param name="validRanges">The domain's usable IOVA ranges (aperture; IOMMU valid ranges).</param>
    /// <param name="reservedRegions">Regions the IOMMU reserves (for example <see cref="IovaRange.X86MsiWindow"/>).</param>
    /// <param name="kernelHeld">Ranges the kernel driver sharing the domain has mapped.</param>
    /// <param name="pageSize">IOMMU page size; every allocation is a multiple of it and aligned to it.</param>
    public SoftwareIovaAllocator(IEnumerable<IovaRange> validRanges, IEnumerable<IovaRange> reservedRegions, IEnumerable<IovaRange> kernelHeld, ulong pageSize = 4096)
    {
        ArgumentNullException.ThrowIfNull(validRanges);
        ArgumentNullException.ThrowIfNull(reservedRegions);
        ArgumentNullException.ThrowIfNull(kernelHeld);
        if (pageSize == 0 || !ulong.IsPow2(pageSize))
        {
            throw new ArgumentOutOfRangeException(nameof(pageSize), pageSize, "IOMMU page size must be a power of two.");
        }

        PageSize = pageSize;
        ValidRanges = validRanges.ToArray();
        var excluded = reservedRegions.Concat(kernelHeld).ToArray();
        foreach (var valid in ValidRanges)
        {
            // Page-align inward, then cut every excluded range out.
            var pieces = new List<IovaRange> { valid };
            foreach (var ex in excluded)
            {
                pieces = pieces.SelectMany(p => Subtract(p, ex)).ToList();
            }

            foreach (var p in pieces)
            {
                ulong first = AlignUp(p.First);
                ulong lastEnd = (p.Last & ~(pageSize - 1)) + (p.Last % pageSize == pageSize - 1 ? pageSize : 0);
                if (first != 0 && first < p.First)
                {
                    continue; // wrapped
                }

                if (lastEnd > first)
                {
                    AddFree(new IovaRange(first, lastEnd - 1));
                }
            }
        }

        _describe = string.Join(", ", ValidRanges) + (excluded.Length > 0 ? " minus " + string.Join(", ", excluded) : string.Empty);
    }

    /// <summary>IOMMU page size.</summary>
    public ulong PageSize { get; }

    /// <summary>The domain's valid ranges.</summary>
    public IReadOnlyList<IovaRange> ValidRanges { get; }

    /// <summary>Free bytes.</summary>
    public ulong FreeBytes
    {
        get
        {
            lock (_lock)
            {
                return _byAddress.Aggregate(0UL, (s, r) => s + r.Length);
            }
        }
    }

    /// <summary>
    /// Allocates <paramref name="length"/> bytes (rounded up to pages) aligned to <paramref name="alignment"/> (0 = page).
    /// Throws <see cref="MemoryException"/> when no free range is large enough.
    /// </summary>
    public ulong Allocate(ulong length, ulong alignment = 0)
    {
        if (!TryAllocate(length, alignment, out ulong iova))
        {
            ulong largest;
            lock (_lock)
            {
                largest = _bySize.Count > 0 ? _bySize.Max.Length : 0;
            }

            throw new MemoryException(string.Create(CultureInfo.InvariantCulture,
                $"IOVA space exhausted: cannot allocate 0x{length:x} bytes (alignment 0x{Math.Max(alignment, PageSize):x}) in {_describe}; the largest free range is 0x{largest:x} bytes. Free IOVAs, map smaller chunks, or give the domain a larger aperture."));
        }

        return iova;
    }

    /// <summary>Like <see cref="Allocate"/> but returns false when the space is exhausted.</summary>
    public bool TryAllocate(ulong length, ulong alignment, out ulong iova)
    {
        if (length == 0)
        {
            throw new ArgumentOutOfRangeException(nameof(length), "IOVA allocation length must be at least 1 byte.");
        }

        alignment = Math.Max(alignment, PageSize);
        if (!ulong.IsPow2(alignment))
        {
            throw new ArgumentOutOfRangeException(nameof(alignment), alignment, "IOVA alignment must be a power of two.");
        }

        ulong size = AlignUp(length);
        lock (_lock)
        {
            // Best fit: the smallest free ranges that could hold it, checked with alignment; ranges of size
            // >= size + alignment - page always fit, so at most a few candidates are looked at before that.
            var probe = new IovaRange(0, size - 1);
            foreach (var r in _bySize.GetViewBetween(probe, new IovaRange(0, ulong.MaxValue)))
            {
                ulong start = (r.First + alignment - 1) & ~(alignment - 1);
                if (start < r.First || start > r.Last || r.Last - start < size - 1)
                {
                    continue;
                }

                Take(r, start, size);
                _allocated.Add(start, size);
                iova = start;
                return true;
            }
        }

        iova = 0;
        return false;
    }

    /// <summary>Takes a fixed range (for example an identity mapping); fails when any part of it is not free.</summary>
    public void Reserve(ulong iova, ulong length)
    {
        ulong size = AlignUp(length);
        if (iova % PageSize != 0)
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"IOVA 0x{iova:x} is not aligned to the IOMMU page size 0x{PageSize:x}."), nameof(iova));
        }

        var want = IovaRange.FromLength(iova, size);
        lock (_lock)
        {
            var view = _byAddress.GetViewBetween(new IovaRange(0, 0), new IovaRange(iova, iova));
            if (view.Count == 0 || !view.Max.Contains(want))
            {
                throw new MemoryException(string.Create(CultureInfo.InvariantCulture,
                    $"IOVA range {want} is not free in {_describe} (reserved region, kernel-held range, outside the aperture, or already allocated)."));
            }

            Take(view.Max, iova, size);
            _allocated.Add(iova, size);
        }
    }

    /// <summary>Returns a range obtained from <see cref="Allocate"/> or <see cref="Reserve"/>.</summary>
    public void Free(ulong iova)
    {
        lock (_lock)
        {
            if (!_allocated.Remove(iova, out ulong size))
            {
                throw new MemoryException(string.Create(CultureInfo.InvariantCulture, $"IOVA 0x{iova:x} was not allocated by this allocator (freed twice?)."));
            }

            var range = new IovaRange(iova, iova + size - 1);

            // Merge with the free neighbours on both sides.
            var below = _byAddress.GetViewBetween(new IovaRange(0, 0), new IovaRange(iova, 0));
            if (below.Count > 0 && below.Max.Last + 1 == range.First)
            {
                var b = below.Max;
                RemoveFree(b);
                range = range with { First = b.First };
            }

            if (range.Last != ulong.MaxValue)
            {
                var above = _byAddress.GetViewBetween(new IovaRange(range.Last + 1, 0), new IovaRange(range.Last + 1, 0));
                if (above.Count > 0)
                {
                    var a = above.Min;
                    RemoveFree(a);
                    range = range with { Last = a.Last };
                }
            }

            AddFree(range);
        }
    }

    private void Take(IovaRange free, ulong start, ulong size)
    {
        RemoveFree(free);
        if (start > free.First)
        {
            AddFree(new IovaRange(free.First, start - 1));
        }

        ulong last = start + size - 1;
        if (last < free.Last)
        {
            AddFree(new IovaRange(last + 1, free.Last));
        }
    }

    private void AddFree(IovaRange r)
    {
        _byAddress.Add(r);
        _bySize.Add(r);
    }

    private void RemoveFree(IovaRange r)
    {
        _byAddress.Remove(r);
        _bySize.Remove(r);
    }

    private ulong AlignUp(ulong value) => value + (PageSize - 1) < value ? 0 : (value + PageSize - 1) & ~(PageSize - 1);

    private static IEnumerable<IovaRange> Subtract(IovaRange from, IovaRange cut)
    {
        if (!from.Overlaps(cut))
        {
            yield return from;
            yield break;
        }

        if (cut.First > from.First)
        {
            yield return new IovaRange(from.First, cut.First - 1);
        }

        if (cut.Last < from.Last)
        {
            yield return new IovaRange(cut.Last + 1, from.Last);
        }
    }
}
