using System.Globalization;
using System.Numerics;

namespace Eal.Memory.Heap;

/// <summary>
/// The heap of one socket: runs of virtually contiguous memory split into elements with in-band headers, free
/// lists by size class, merge of adjacent free elements, growth by backing memsegs and release of whole free pages.
/// One lock per heap.
/// </summary>
internal sealed unsafe class SocketHeap
{
    public const int HeaderSize = 64;
    public const int MinElementSize = HeaderSize + 64;
    private const int BucketCount = 13;

    private readonly Lock _lock = new();
    private readonly MemorySubsystem _memory;
    private readonly nint[] _buckets = new nint[BucketCount];
    private readonly SortedList<nint, nint> _runs = []; // start -> end of virtually contiguous heap memory
    private ulong _totalBytes;
    private ulong _freeBytes;
    private int _freeCount;
    private int _allocCount;

    public SocketHeap(MemorySubsystem memory, int socket)
    {
        _memory = memory;
        Socket = socket;
    }

    public int Socket { get; }

    private bool Match => _memory.Options.MatchAllocations;

    /// <summary>Allocates from free elements that meet <paramref name="constraint"/>, growing the heap once when needed. Returns 0 with a reason on failure.</summary>
    public nint Allocate(nuint size, nuint align, nuint bound, HeapConstraint constraint, bool mayGrow, out string? failure)
    {
        failure = null;
        lock (_lock)
        {
            nint p = AllocateFromFree(size, align, bound, constraint);
            if (p != 0 || !mayGrow)
            {
                if (p == 0)
                {
                    failure = "no free element large enough";
                }

                return p;
            }

            // Enough for the element, its alignment and bound slack, and headers on both sides.
            nuint want = size + align + bound + (2 * MinElementSize);
            if (!_memory.TryGrow(Socket, want, constraint, out nint start, out nuint length, out string why))
            {
                failure = why;
                return 0;
            }

            AddMemory(start, length);
            p = AllocateFromFree(size, align, bound, constraint);
            if (p == 0)
            {
                failure = constraint.IovaContiguous
                    ? $"the {length} bytes of new memory hold no IOVA-contiguous run of {size} bytes (IOVA as PA: the pages are not physically adjacent); use --iova-mode=va, larger pages, or a smaller zone"
                    : "new memory could not hold the element";
            }

            return p;
        }
    }

    /// <summary>Adds backed memory to the heap as one free element, joined to adjacent runs.</summary>
    public void AddMemory(nint start, nuint length)
    {
        lock (_lock)
        {
            var elem = (HeapElement*)start;
            *elem = default;
            elem->Size = length;
            elem->OrigStart = start;
            elem->OrigSize = length;
            elem->State = HeapElement.StateFree;
            _totalBytes += length;
            _freeBytes += length;
            _freeCount++;
            nint end = start + (nint)length;
            nint runStart = start;
            nint runEnd = end;

            // Join with the run ending here and the run starting at our end (same memseg list only); never with
            // --match-allocations, whose chunks stay apart so they can be given back exactly.
            var list = _memory.FindList(start);
            int before = FindRunEndingAt(start);
            if (!Match && before >= 0 && _memory.FindList(start - 1) == list)
            {
                runStart = _runs.Keys[before];
                var last = (HeapElement*)runStart;
                while (last->Next != null)
                {
                    last = last->Next;
                }

                last->Next = elem;
                elem->Prev = last;
                _runs.RemoveAt(before);
            }

            if (!Match && _runs.TryGetValue(end, out nint afterEnd) && _memory.FindList(end) == list)
            {
                var first = (HeapElement*)end;
                elem->Next = first;
                first->Prev = elem;
                _runs.Remove(end);
                runEnd = afterEnd;
            }

            _runs.Add(runStart, runEnd);
            elem = MergeWithNeighbours(elem);
            InsertFree(elem);
        }
    }

    public void Free(HeapElement* elem)
    {
        lock (_lock)
        {
            if (elem->State != HeapElement.StateBusy)
            {
                throw new InvalidOperationException($"Heap element 0x{(nuint)elem:x} is not allocated (double free?).");
            }

            elem->State = HeapElement.StateFree;
            elem->Pad = 0;
            _allocCount--;
            _freeCount++;
            _freeBytes += elem->Size;
            elem = MergeWithNeighbours(elem);
            if (!TryRelease(elem))
            {
                InsertFree(elem);
            }
        }
    }

    /// <summary>Grows a busy element in place into the free element after it; true when it now holds <paramref name="capacity"/> bytes from <paramref name="data"/>.</summary>
    public bool TryExtend(HeapElement* elem, nint data, nuint capacity)
    {
        lock (_lock)
        {
            nint end = (nint)elem + (nint)elem->Size;
            if ((nuint)(end - data) >= capacity)
            {
                return true;
            }

            var next = elem->Next;
            if (next == null || next->State != HeapElement.StateFree || (Match && next->OrigStart != elem->OrigStart)
                || (nuint)(end - data) + next->Size < capacity)
            {
                return false;
            }

            RemoveFree(next);
            _freeBytes -= next->Size;
            _freeCount--;
            elem->Size += next->Size;
            elem->Next = next->Next;
            if (next->Next != null)
            {
                next->Next->Prev = elem;
            }

            SplitTail(elem, data + (nint)capacity);
            return true;
        }
    }

    public HeapStats GetStats()
    {
        lock (_lock)
        {
            ulong greatest = 0;
            foreach (nint head in _buckets)
            {
                for (var e = (HeapElement*)head; e != null; e = e->FreeNext)
                {
                    greatest = Math.Max(greatest, e->Size);
                }
            }

            return new HeapStats(Socket, _totalBytes, _freeBytes, _totalBytes - _freeBytes, greatest, _freeCount, _allocCount);
        }
    }

    public void Dump(TextWriter writer)
    {
        lock (_lock)
        {
            foreach (var (start, end) in _runs)
            {
                writer.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  run 0x{(nuint)start:x}-0x{(nuint)end:x}"));
                for (var e = (HeapElement*)start; e != null; e = e->Next)
                {
                    string state = e->State == HeapElement.StateFree ? "free" : e->State == HeapElement.StateBusy ? "busy" : "?";
                    writer.WriteLine(string.Create(CultureInfo.InvariantCulture, $"    elem 0x{(nuint)e:x} size 0x{e->Size:x} {state} pad {e->Pad}"));
                }
            }
        }
    }

    /// <summary>Checks every invariant; returns a description of the first violation or null.</summary>
    public string? Validate()
    {
        lock (_lock)
        {
            ulong total = 0, free = 0;
            int freeCount = 0, busy = 0;
            foreach (var (start, end) in _runs)
            {
                total += (ulong)(end - start);
                HeapElement* prev = null;
                nint at = start;
                for (var e = (HeapElement*)start; e != null; prev = e, e = e->Next)
                {
                    if ((nint)e != at || e->Prev != prev)
                    {
                        return $"element 0x{(nuint)e:x} breaks the chain of run 0x{(nuint)start:x}";
                    }

                    if (e->State == HeapElement.StateFree)
                    {
                        free += e->Size;
                        freeCount++;
                        if (prev != null && prev->State == HeapElement.StateFree && (!Match || prev->OrigStart == e->OrigStart))
                        {
                            return $"adjacent free elements 0x{(nuint)prev:x} and 0x{(nuint)e:x} were not merged";
                        }
                    }
                    else if (e->State == HeapElement.StateBusy)
                    {
                        busy++;
                    }
                    else
                    {
                        return $"element 0x{(nuint)e:x} has a corrupt header";
                    }

                    at += (nint)e->Size;
                }

                if (at != end)
                {
                    return $"run 0x{(nuint)start:x} ends at 0x{(nuint)at:x}, expected 0x{(nuint)end:x}";
                }
            }

            int listed = 0;
            foreach (nint head in _buckets)
            {
                for (var e = (HeapElement*)head; e != null; e = e->FreeNext)
                {
                    listed++;
                }
            }

            if (total != _totalBytes || free != _freeBytes || freeCount != _freeCount || busy != _allocCount || listed != freeCount)
            {
                return $"accounting mismatch: total {total}/{_totalBytes} free {free}/{_freeBytes} free elements {freeCount}/{_freeCount}/{listed} busy {busy}/{_allocCount}";
            }

            return null;
        }
    }

    private nint AllocateFromFree(nuint size, nuint align, nuint bound, HeapConstraint constraint)
    {
        for (int b = BucketOf(size + HeaderSize); b < BucketCount; b++)
        {
            for (var e = (HeapElement*)_buckets[b]; e != null; e = e->FreeNext)
            {
                nint data = Place(e, size, align, bound, constraint);
                if (data != 0)
                {
                    return Carve(e, data, size);
                }
            }
        }

        return 0;
    }

    /// <summary>
    /// Where the data would go in free element <paramref name="e"/> (from its end, as DPDK), or 0 when it does not fit;
    /// with a page-size constraint only in lists of those sizes, with IOVA contiguity below the highest IOVA break.
    /// </summary>
    private nint Place(HeapElement* e, nuint size, nuint align, nuint bound, HeapConstraint constraint)
    {
        if (constraint.PageSizeMask != 0 && !constraint.Allows(_memory.FindList((nint)e)!.PageSize))
        {
            return 0;
        }

        nint end = (nint)e + (nint)e->Size;
        while (true)
        {
            nint data = PlaceBelow(e, end, size, align, bound);
            if (data == 0 || !constraint.IovaContiguous)
            {
                return data;
            }

            // Elements never span memseg lists, so one list answers for the whole block.
            nint brk = _memory.FindList(data)!.LastIovaBreak(data, size);
            if (brk == 0)
            {
                return data;
            }

            end = brk; // the block must end at or below the break
        }
    }

    private static nint PlaceBelow(HeapElement* e, nint end, nuint size, nuint align, nuint bound)
    {
        nint start = (nint)e;
        if ((nuint)(end - start) < size + HeaderSize)
        {
            return 0;
        }

        nint data = AlignDown(end - (nint)size, align);
        if (bound != 0 && AlignDown(data, bound) != AlignDown(data + (nint)size - 1, bound))
        {
            data = AlignDown(AlignDown(end, bound) - (nint)size, align);
            if (AlignDown(data, bound) != AlignDown(data + (nint)size - 1, bound))
            {
                return 0;
            }
        }

        return data - HeaderSize >= start ? data : 0;
    }

    private nint Carve(HeapElement* e, nint data, nuint size)
    {
        RemoveFree(e);
        _freeCount--;
        _freeBytes -= e->Size;
        var header = (HeapElement*)(data - HeaderSize);
        nint gap = (nint)header - (nint)e;
        HeapElement* busy = e;
        if (gap >= MinElementSize)
        {
            // Split: the head stays free, the busy element starts at the data header.
            busy = header;
            *busy = default;
            busy->Size = e->Size - (nuint)gap;
            busy->OrigStart = e->OrigStart;
            busy->OrigSize = e->OrigSize;
            busy->Prev = e;
            busy->Next = e->Next;
            if (e->Next != null)
            {
                e->Next->Prev = busy;
            }

            e->Next = busy;
            e->Size = (nuint)gap;
            _freeCount++;
            _freeBytes += e->Size;
            InsertFree(e);
        }
        else if (gap > 0)
        {
            // Too small to be an element: padding inside the busy element, with a pad header in front of the data.
            header->State = HeapElement.StatePad;
            header->Pad = (uint)gap;
        }

        busy->State = HeapElement.StateBusy;
        busy->Pad = (uint)((nint)header - (nint)busy);
        _allocCount++;
        SplitTail(busy, data + (nint)size);
        return data;
    }

    /// <summary>Gives the bytes after <paramref name="usedEnd"/> back as a free element when they are big enough.</summary>
    private void SplitTail(HeapElement* busy, nint usedEnd)
    {
        nint tail = AlignUp(usedEnd, HeaderSize);
        nint end = (nint)busy + (nint)busy->Size;
        if (end - tail < MinElementSize)
        {
            return;
        }

        var t = (HeapElement*)tail;
        *t = default;
        t->Size = (nuint)(end - tail);
        t->OrigStart = busy->OrigStart;
        t->OrigSize = busy->OrigSize;
        t->State = HeapElement.StateFree;
        t->Prev = busy;
        t->Next = busy->Next;
        if (busy->Next != null)
        {
            busy->Next->Prev = t;
        }

        busy->Next = t;
        busy->Size = (nuint)(tail - (nint)busy);
        _freeCount++;
        _freeBytes += t->Size;
        t = MergeWithNeighbours(t);
        InsertFree(t);
    }

    /// <summary>Merges a free element (not on a free list) with free neighbours; returns the merged element.</summary>
    private HeapElement* MergeWithNeighbours(HeapElement* e)
    {
        var next = e->Next;
        if (next != null && next->State == HeapElement.StateFree && (!Match || next->OrigStart == e->OrigStart))
        {
            RemoveFree(next);
            Absorb(e, next);
        }

        var prev = e->Prev;
        if (prev != null && prev->State == HeapElement.StateFree && (!Match || prev->OrigStart == e->OrigStart))
        {
            RemoveFree(prev);
            Absorb(prev, e);
            e = prev;
        }

        return e;
    }

    private void Absorb(HeapElement* into, HeapElement* gone)
    {
        into->Size += gone->Size;
        into->Next = gone->Next;
        if (gone->Next != null)
        {
            gone->Next->Prev = into;
        }

        gone->State = 0; // a stale pointer to it must not pass as a header
        _freeCount--;
    }

    /// <summary>Gives whole free pages back to the memory subsystem (dynamic memory only). True when <paramref name="e"/> is gone entirely.</summary>
    private bool TryRelease(HeapElement* e)
    {
        if (!_memory.IsDynamic)
        {
            return false;
        }

        nint start = (nint)e;
        nint end = start + (nint)e->Size;
        nint rs, re;
        if (Match)
        {
            if (start != e->OrigStart || e->Size != e->OrigSize)
            {
                return false;
            }

            (rs, re) = (start, end);
        }
        else
        {
            var (page, list) = _memory.PageInfo(start);
            if (list == null)
            {
                return false;
            }

            rs = AlignUp(start, (nint)page);
            re = AlignDown(end, (nint)page);
            if (rs != start && rs - start < MinElementSize)
            {
                rs += (nint)page;
            }

            if (re != end && end - re < MinElementSize)
            {
                re -= (nint)page;
            }

            if (re <= rs)
            {
                return false;
            }
        }

        // Read the header now: when the release starts at the element, its header is unmapped afterwards.
        var prev = e->Prev;
        var next = e->Next;
        nuint size = e->Size;
        nint origStart = e->OrigStart;
        nuint origSize = e->OrigSize;
        var (released, length) = _memory.ReleasePages(rs, re);
        if (released == 0)
        {
            return false;
        }

        rs = released;
        re = released + (nint)length;
        _totalBytes -= (ulong)length;
        _freeBytes -= size;
        _freeCount--;

        // The run containing the element splits around the released pages.
        int run = FindRunContaining(start);
        nint runStart = _runs.Keys[run];
        nint runEnd = _runs.Values[run];
        _runs.RemoveAt(run);
        if (rs > runStart)
        {
            _runs.Add(runStart, rs);
        }

        if (re < runEnd)
        {
            _runs.Add(re, runEnd);
        }

        HeapElement* head = null;
        if (rs > start)
        {
            head = e; // header untouched: still backed
            head->Size = (nuint)(rs - start);
            head->Next = null;
            _freeBytes += head->Size;
            _freeCount++;
            InsertFree(head);
        }
        else if (prev != null)
        {
            prev->Next = null;
        }

        if (re < end)
        {
            var tail = (HeapElement*)re;
            *tail = default;
            tail->Size = (nuint)(end - re);
            tail->OrigStart = origStart;
            tail->OrigSize = origSize;
            tail->State = HeapElement.StateFree;
            tail->Next = next;
            if (next != null)
            {
                next->Prev = tail;
            }

            _freeBytes += tail->Size;
            _freeCount++;
            InsertFree(tail);
        }
        else if (next != null)
        {
            next->Prev = null;
        }

        return true;
    }

    private int FindRunEndingAt(nint address)
    {
        int i = FindRunContaining(address - 1);
        return i >= 0 && _runs.Values[i] == address ? i : -1;
    }

    private int FindRunContaining(nint address)
    {
        var keys = _runs.Keys;
        int lo = 0, hi = keys.Count - 1, found = -1;
        while (lo <= hi)
        {
            int mid = (lo + hi) >>> 1;
            if (keys[mid] <= address)
            {
                found = mid;
                lo = mid + 1;
            }
            else
            {
                hi = mid - 1;
            }
        }

        return found >= 0 && address < _runs.Values[found] ? found : -1;
    }

    private void InsertFree(HeapElement* e)
    {
        e->State = HeapElement.StateFree;
        int b = BucketOf(e->Size);
        var head = (HeapElement*)_buckets[b];
        e->FreePrev = null;
        e->FreeNext = head;
        if (head != null)
        {
            head->FreePrev = e;
        }

        _buckets[b] = (nint)e;
    }

    private void RemoveFree(HeapElement* e)
    {
        if (e->FreePrev != null)
        {
            e->FreePrev->FreeNext = e->FreeNext;
        }
        else
        {
            _buckets[BucketOf(e->Size)] = (nint)e->FreeNext;
        }

        if (e->FreeNext != null)
        {
            e->FreeNext->FreePrev = e->FreePrev;
        }

        e->FreePrev = e->FreeNext = null;
    }

    /// <summary>Size classes as DPDK: up to 256 bytes, then ×4 per class.</summary>
    private static int BucketOf(nuint size)
    {
        if (size <= 256)
        {
            return 0;
        }

        int log2 = BitOperations.Log2((ulong)size - 1) + 1; // ceil(log2)
        return Math.Min(((log2 - 8 + 1) / 2), BucketCount - 1);
    }

    private static nint AlignDown(nint value, nint align) => value & ~(align - 1);

    private static nint AlignUp(nint value, nint align) => (value + align - 1) & ~(align - 1);

    private static nint AlignDown(nint value, nuint align) => value & ~(nint)(align - 1);
}
