using System.Runtime.InteropServices;

namespace Eal.Memory.Rings;

/// <summary>
/// The native header of a ring, followed by its slots. Producer and consumer head/tail pairs sit on their own
/// 128-byte blocks so that producers and consumers never share a cache line (nor an adjacent-line prefetch pair).
/// </summary>
[StructLayout(LayoutKind.Explicit, Size = DataOffset)]
internal struct RingHeader
{
    /// <summary>Offset of the first slot from the start of the header.</summary>
    public const int DataOffset = 384;

    /// <summary>Alignment of the whole ring memory.</summary>
    public const int Alignment = 128;

    [FieldOffset(0)] public uint Size;
    [FieldOffset(4)] public uint Mask;
    [FieldOffset(8)] public uint Capacity;
    [FieldOffset(12)] public uint ElementSize;
    [FieldOffset(16)] public RingFlags Flags;

    [FieldOffset(128)] public uint ProdHead;
    [FieldOffset(132)] public uint ProdTail;

    [FieldOffset(256)] public uint ConsHead;
    [FieldOffset(260)] public uint ConsTail;
}
