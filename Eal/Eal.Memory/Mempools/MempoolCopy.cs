using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Eal.Memory.Mempools;

/// <summary>
/// Pointer-array copies for the mempool cache fast path. Sizes are small (1..512 pointers), so an inlined vector loop
/// beats a call to <c>Buffer.MemoryCopy</c>; the 32-byte steps are 4 pointers, the 16-byte tail 2, then 1.
/// </summary>
internal static unsafe class MempoolCopy
{
    /// <summary><c>dst[i] = src[i]</c> for <c>i &lt; n</c> (the ranges must not overlap).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Forward(nint* dst, nint* src, uint n)
    {
        nuint i = 0;
        nuint count = n;
        if (Vector256.IsHardwareAccelerated)
        {
            for (; i + 4 <= count; i += 4)
            {
                Vector256.Store(Vector256.Load((ulong*)(src + i)), (ulong*)(dst + i));
            }
        }

        if (Vector128.IsHardwareAccelerated)
        {
            for (; i + 2 <= count; i += 2)
            {
                Vector128.Store(Vector128.Load((ulong*)(src + i)), (ulong*)(dst + i));
            }
        }

        for (; i < count; i++)
        {
            dst[i] = src[i];
        }
    }

    /// <summary><c>dst[i] = src[n - 1 - i]</c> for <c>i &lt; n</c> (the ranges must not overlap): DPDK's cache-get order.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Reversed(nint* dst, nint* src, uint n)
    {
        nuint i = 0;
        nuint count = n;
        nint* end = src + count;
        if (Avx2.IsSupported)
        {
            for (; i + 4 <= count; i += 4)
            {
                // vpermq 0x1B reverses the four 64-bit lanes.
                Vector256<ulong> v = Vector256.Load((ulong*)(end - i - 4));
                Vector256.Store(Avx2.Permute4x64(v, 0x1B), (ulong*)(dst + i));
            }
        }

        if (Sse2.IsSupported)
        {
            for (; i + 2 <= count; i += 2)
            {
                // pshufd 0x4E swaps the two 64-bit halves.
                Vector128<uint> v = Vector128.Load((uint*)(end - i - 2));
                Vector128.Store(Sse2.Shuffle(v, 0x4E), (uint*)(dst + i));
            }
        }

        for (; i < count; i++)
        {
            dst[i] = *(end - i - 1);
        }
    }
}
