using System.Globalization;
using Eal.Memory.Memsegs;

namespace Eal.Memory.Iova;

/// <summary>
/// Checks that IOVA as VA works for an IOMMU: every memseg list's whole reserved range (pages are backed anywhere
/// in it later) must fit the IOMMU's address width and valid ranges and avoid its reserved regions.
/// </summary>
public static class IovaAddressCheck
{
    /// <summary>Returns null when VA fits, otherwise a message saying which range fails and what to do.</summary>
    /// <param name="lists">The memseg lists (<see cref="MemorySubsystem.MemsegLists"/>).</param>
    /// <param name="addressWidth">IOMMU address width in bits (e.g. 39 or 48; the DMA mask).</param>
    /// <param name="validRanges">The IOMMU's valid IOVA ranges, or null when only the width limits.</param>
    /// <param name="reservedRegions">Reserved IOVA regions (MSI window), or null.</param>
    /// <param name="device">Who asks, for the message (a PCI address).</param>
    public static string? FindProblem(IEnumerable<MemsegList> lists, int addressWidth, IReadOnlyList<IovaRange>? validRanges = null,
        IReadOnlyList<IovaRange>? reservedRegions = null, string device = "the device")
    {
        ArgumentNullException.ThrowIfNull(lists);
        ArgumentOutOfRangeException.ThrowIfLessThan(addressWidth, 12);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(addressWidth, 64);
        ulong max = addressWidth == 64 ? ulong.MaxValue : (1UL << addressWidth) - 1;
        var all = lists.ToArray();
        ulong totalLength = all.Aggregate(0UL, (s, l) => s + l.Length);
        foreach (var list in all)
        {
            var range = IovaRange.FromLength((ulong)list.BaseAddress, list.Length);
            string fix = totalLength < max / 2
                ? string.Create(CultureInfo.InvariantCulture, $"Restart with --base-virtaddr 0x100000000 (any base below 0x{max + 1 - totalLength:x} fits), or use --iova-mode=pa.")
                : "Use --iova-mode=pa (the memory does not fit the IOMMU's address space as VA).";
            if (range.Last > max)
            {
                return string.Create(CultureInfo.InvariantCulture,
                    $"IOVA as VA does not fit {device}: {list.Name} spans {range} but its IOMMU addresses {addressWidth} bits (IOVAs up to 0x{max:x}). {fix}");
            }

            if (validRanges is { Count: > 0 } && !validRanges.Any(v => v.Contains(range)))
            {
                return $"IOVA as VA does not fit {device}: {list.Name} spans {range}, outside the IOMMU's valid ranges {string.Join(", ", validRanges)}. {fix}";
            }

            var reserved = reservedRegions?.FirstOrDefault(r => r.Overlaps(range));
            if (reserved is { } r0 && reservedRegions!.Any(r => r.Overlaps(range)))
            {
                return $"IOVA as VA does not fit {device}: {list.Name} spans {range}, overlapping the IOMMU's reserved region {r0}. {fix}";
            }
        }

        return null;
    }

    /// <summary>Throws <see cref="MemoryException"/> with the message of <see cref="FindProblem"/> when VA does not fit.</summary>
    public static void EnsureFits(IEnumerable<MemsegList> lists, int addressWidth, IReadOnlyList<IovaRange>? validRanges = null,
        IReadOnlyList<IovaRange>? reservedRegions = null, string device = "the device")
    {
        string? problem = FindProblem(lists, addressWidth, validRanges, reservedRegions, device);
        if (problem != null)
        {
            throw new MemoryException(problem);
        }
    }

    /// <summary>
    /// The IOVA mode to use for a device given the VA check: VA when it fits; otherwise PA when physical addresses are
    /// available and <paramref name="allowFallback"/>; otherwise throws with the problem.
    /// </summary>
    public static Eal.Bus.IovaMode ChooseMode(string? problem, bool physicalAddressesAvailable, bool allowFallback)
    {
        if (problem == null)
        {
            return Eal.Bus.IovaMode.VA;
        }

        if (allowFallback && physicalAddressesAvailable)
        {
            return Eal.Bus.IovaMode.PA;
        }

        throw new MemoryException(problem);
    }
}
