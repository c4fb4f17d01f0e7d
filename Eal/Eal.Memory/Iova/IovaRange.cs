using System.Globalization;

namespace Eal.Memory.Iova;

/// <summary>An inclusive range of IOVAs [<see cref="First"/>, <see cref="Last"/>] (inclusive so the top of a 64-bit space fits).</summary>
/// <param name="First">First IOVA.</param>
/// <param name="Last">Last IOVA (inclusive).</param>
public readonly record struct IovaRange(ulong First, ulong Last)
{
    /// <summary>The range of <paramref name="length"/> bytes starting at <paramref name="start"/>.</summary>
    public static IovaRange FromLength(ulong start, ulong length)
    {
        if (length == 0 || start + (length - 1) < start)
        {
            throw new ArgumentOutOfRangeException(nameof(length), $"IOVA range 0x{start:x}+0x{length:x} is empty or wraps around.");
        }

        return new IovaRange(start, start + (length - 1));
    }

    /// <summary>The typical x86 MSI window 0xfee00000-0xfeefffff, reserved in every IOMMU domain.</summary>
    public static IovaRange X86MsiWindow => new(0xfee0_0000, 0xfeef_ffff);

    /// <summary>Bytes in the range (saturates at <see cref="ulong.MaxValue"/> for the whole space).</summary>
    public ulong Length => Last - First == ulong.MaxValue ? ulong.MaxValue : Last - First + 1;

    /// <summary>True when the ranges share an address.</summary>
    public bool Overlaps(IovaRange other) => First <= other.Last && other.First <= Last;

    /// <summary>True when <paramref name="other"/> is inside this range.</summary>
    public bool Contains(IovaRange other) => First <= other.First && other.Last <= Last;

    /// <summary>Formats as <c>0xfirst-0xlast</c>.</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"0x{First:x}-0x{Last:x}");
}
