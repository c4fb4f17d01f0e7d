using System.Runtime.InteropServices;

namespace Eal.Memory.Tests.Mempools;

/// <summary>
/// Test-only DMA provider: anonymous aligned native memory with IOVA = VA (or a synthetic IOVA layout that jumps at
/// every <see cref="DiscontiguityPage"/> boundary, to exercise IOVA-contiguity rules). Tracks what is outstanding.
/// </summary>
internal sealed unsafe class TestDmaMemoryProvider : IDmaMemoryProvider, IDisposable
{
    private readonly List<Region> _live = [];

    /// <summary>When non-zero, IOVAs are not contiguous across boundaries of this many bytes.</summary>
    public nuint DiscontiguityPage { get; init; }

    /// <summary>When set, the n-th Reserve (1-based) throws.</summary>
    public int FailReserveNumber { get; set; }

    public int ReserveCalls { get; private set; }

    public int ReleaseCalls { get; private set; }

    public int Outstanding => _live.Count;

    public IReadOnlyList<string> Names => _live.Select(r => r.Name).ToList();

    public IDmaRegion Reserve(string name, nuint length, nuint alignment, int socket)
    {
        ReserveCalls++;
        if (ReserveCalls == FailReserveNumber)
        {
            throw new InvalidOperationException($"injected failure reserving '{name}'");
        }

        var r = new Region(this, name, (nint)NativeMemory.AlignedAlloc(length, Math.Max(alignment, 64)), length, socket);
        NativeMemory.Clear((void*)r.Address, length);
        _live.Add(r);
        return r;
    }

    public void Release(IDmaRegion region)
    {
        var r = (Region)region;
        if (!_live.Remove(r))
        {
            throw new InvalidOperationException($"region '{r.Name}' released twice or not ours");
        }

        ReleaseCalls++;
        NativeMemory.AlignedFree((void*)r.Address);
    }

    public void Dispose()
    {
        foreach (Region r in _live)
        {
            NativeMemory.AlignedFree((void*)r.Address);
        }

        _live.Clear();
    }

    private sealed class Region(TestDmaMemoryProvider owner, string name, nint address, nuint length, int socket) : IDmaRegion
    {
        public string Name { get; } = name;

        public nint Address { get; } = address;

        public nuint Length { get; } = length;

        public int Socket { get; } = socket;

        public ulong IovaAt(nuint offset)
        {
            ulong va = (ulong)Address + offset;
            nuint page = owner.DiscontiguityPage;
            if (page == 0)
            {
                return va;
            }

            // Page k of the region maps to IOVA base + 2*k*page: a hole after every page.
            ulong pageIndex = offset / page;
            return 0x1_0000_0000UL + (pageIndex * 2 * page) + (offset % page);
        }
    }
}
