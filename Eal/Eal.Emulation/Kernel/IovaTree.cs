namespace Eal.Emulation.Kernel;

/// <summary>One live IOMMU mapping: <c>[Iova, Last]</c> (inclusive) translated to <c>VirtualAddress</c>.</summary>
internal sealed class IovaMapping
{
    internal IovaMapping(ulong iova, ulong last, ulong virtualAddress, bool readable, bool writable)
    {
        Iova = iova;
        Last = last;
        VirtualAddress = virtualAddress;
        Readable = readable;
        Writable = writable;
    }

    internal ulong Iova { get; }
    internal ulong Last { get; }
    internal ulong VirtualAddress { get; }
    internal bool Readable { get; }
    internal bool Writable { get; }
    internal ulong Length => Last - Iova + 1;

    // Treap links; the priority keeps the expected depth logarithmic whatever the insertion order.
    internal IovaMapping? Left;
    internal IovaMapping? Right;
    internal int Priority;
}

/// <summary>
/// The mapping table of one IOMMU domain: non-overlapping IOVA intervals in a treap keyed by start, so insert,
/// remove, "which mapping holds this IOVA" and "first mapping at or after" are all O(log n) expected, whatever
/// the order mappings arrive in (sorted, as DPDK maps memsegs, is the worst case for an unbalanced tree).
/// Not thread-safe: the kernel's lock guards it.
/// </summary>
internal sealed class IovaTree
{
    private readonly Random _random;
    private IovaMapping? _root;

    internal IovaTree(int seed) => _random = new Random(seed);

    /// <summary>Number of mappings.</summary>
    internal int Count { get; private set; }

    /// <summary>Sum of the mapped bytes.</summary>
    internal ulong MappedBytes { get; private set; }

    /// <summary>The mapping with the greatest start &lt;= <paramref name="iova"/>, or null.</summary>
    internal IovaMapping? Floor(ulong iova)
    {
        IovaMapping? node = _root, best = null;
        while (node is not null)
        {
            if (node.Iova <= iova)
            {
                best = node;
                node = node.Right;
            }
            else
            {
                node = node.Left;
            }
        }
        return best;
    }

    /// <summary>The mapping with the smallest start &gt;= <paramref name="iova"/>, or null.</summary>
    internal IovaMapping? Ceiling(ulong iova)
    {
        IovaMapping? node = _root, best = null;
        while (node is not null)
        {
            if (node.Iova >= iova)
            {
                best = node;
                node = node.Left;
            }
            else
            {
                node = node.Right;
            }
        }
        return best;
    }

    /// <summary>The mapping that contains <paramref name="iova"/>, or null.</summary>
    internal IovaMapping? Find(ulong iova)
    {
        var m = Floor(iova);
        return m is not null && m.Last >= iova ? m : null;
    }

    /// <summary>The first mapping (lowest IOVA) that intersects <c>[first, last]</c>, or null.</summary>
    internal IovaMapping? FirstIntersecting(ulong first, ulong last)
    {
        var m = Floor(first);
        if (m is not null && m.Last >= first) return m;
        m = Ceiling(first);
        return m is not null && m.Iova <= last ? m : null;
    }

    /// <summary>Whether any mapping intersects <c>[first, last]</c>.</summary>
    internal bool Intersects(ulong first, ulong last) => FirstIntersecting(first, last) is not null;

    /// <summary>Inserts a mapping; the caller has checked that it overlaps nothing.</summary>
    internal void Insert(IovaMapping mapping)
    {
        mapping.Priority = _random.Next();
        mapping.Left = mapping.Right = null;
        Split(_root, mapping.Iova, out var less, out var greaterOrEqual);
        _root = Merge(Merge(less, mapping), greaterOrEqual);
        Count++;
        MappedBytes += mapping.Length;
    }

    /// <summary>Removes the mapping that starts at <paramref name="iova"/>; false when none does.</summary>
    internal bool Remove(ulong iova)
    {
        ref IovaMapping? link = ref _root;
        while (link is not null)
        {
            if (iova < link.Iova) link = ref link.Left;
            else if (iova > link.Iova) link = ref link.Right;
            else
            {
                var node = link;
                link = Merge(node.Left, node.Right);
                node.Left = node.Right = null;
                Count--;
                MappedBytes -= node.Length;
                return true;
            }
        }
        return false;
    }

    /// <summary>Removes every mapping.</summary>
    internal void Clear()
    {
        _root = null;
        Count = 0;
        MappedBytes = 0;
    }

    /// <summary>The mappings in IOVA order (a snapshot list; for rare whole-table operations).</summary>
    internal List<IovaMapping> ToList()
    {
        var list = new List<IovaMapping>(Count);
        var stack = new Stack<IovaMapping>();
        var node = _root;
        while (node is not null || stack.Count > 0)
        {
            while (node is not null)
            {
                stack.Push(node);
                node = node.Left;
            }
            node = stack.Pop();
            list.Add(node);
            node = node.Right;
        }
        return list;
    }

    private static void Split(IovaMapping? node, ulong key, out IovaMapping? less, out IovaMapping? greaterOrEqual)
    {
        // Iterative split: recursion depth is fine in expectation, but a loop never risks the stack.
        IovaMapping? lessRoot = null, geRoot = null;
        ref IovaMapping? lessTail = ref lessRoot;
        ref IovaMapping? geTail = ref geRoot;
        while (node is not null)
        {
            if (node.Iova < key)
            {
                lessTail = node;
                lessTail = ref node.Right;
                node = node.Right;
            }
            else
            {
                geTail = node;
                geTail = ref node.Left;
                node = node.Left;
            }
        }
        lessTail = null;
        geTail = null;
        less = lessRoot;
        greaterOrEqual = geRoot;
    }

    private static IovaMapping? Merge(IovaMapping? a, IovaMapping? b)
    {
        // Every key of a is below every key of b.
        IovaMapping? root = null;
        ref IovaMapping? link = ref root;
        while (a is not null && b is not null)
        {
            if (a.Priority > b.Priority)
            {
                link = a;
                link = ref a.Right;
                a = a.Right;
            }
            else
            {
                link = b;
                link = ref b.Left;
                b = b.Left;
            }
        }
        link = a ?? b;
        return root;
    }
}
