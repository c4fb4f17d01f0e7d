using System.Numerics;

namespace Eal.Memory.Heap;

/// <summary>
/// What the memory of an allocation must be, beyond size, alignment and bound: its page size (a set of allowed sizes,
/// bit <c>log2(size)</c> set) and IOVA contiguity. Used by memzones; plain malloc has <see cref="None"/>.
/// </summary>
/// <param name="PageSizeMask">Allowed page sizes as a bit per log2(size); 0 = any.</param>
/// <param name="IovaContiguous">The block must be one IOVA-contiguous range.</param>
internal readonly record struct HeapConstraint(ulong PageSizeMask, bool IovaContiguous)
{
    /// <summary>No constraint.</summary>
    public static HeapConstraint None => default;

    /// <summary>True when memory of <paramref name="pageSize"/> may be used.</summary>
    public bool Allows(nuint pageSize) => PageSizeMask == 0 || (PageSizeMask & (1UL << BitOperations.Log2(pageSize))) != 0;

    /// <summary>The allowed page sizes in kB, for messages ("2048/1048576 kB").</summary>
    public string Describe()
    {
        var sizes = new List<string>();
        for (int bit = 0; bit < 64; bit++)
        {
            if ((PageSizeMask & (1UL << bit)) != 0)
            {
                sizes.Add(((1UL << bit) / 1024).ToString(System.Globalization.CultureInfo.InvariantCulture));
            }
        }

        return string.Join("/", sizes) + " kB";
    }
}
