using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Eal.Memory.Mempools;

/// <summary>
/// Pointer-array copies for the mempool cache fast path. Sizes are small (1..512 pointers), so an inlined vector loop
/// beats a call to <c>Buffer.MemoryCopy</c>; the main step moves 8 pointers (two 32-byte vectors, so a bulk of 32 is four
/// iterations and the loads of a step are independent of its stores), then 4, then 2, then 1.
/// </summary>
internal static unsafe class MempoolCopy
{
    /// <summary><c>dst[i] = src[i]</c> for <c>i &lt; n</c> (the ranges must not overlap).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Forward(nint* dst, nint* src, uint n)
    {
        // Single-object gets and puts (mbuf alloc/free) are common: one branch instead of three.
        if (n == 1)
        {
            *dst = *src;
            return;
        }

        nuint left = n;
        if (Vector256.IsHardwareAccelerated)
        {
            for (; left >= 8; left -= 8, src += 8, dst += 8)
            {
                Vector256<ulong> a = Vector256.Load((ulong*)src);
                Vector256<ulong> b = Vector256.Load((ulong*)src + 4);
                Vector256.Store(a, (ulong*)dst);
                Vector256.Store(b, (ulong*)dst + 4);
            }

            if (left >= 4)
            {
                Vector256.Store(Vector256.Load((ulong*)src), (ulong*)dst);
                left -= 4;
                src += 4;
                dst += 4;
            }
        }

        if (Vector128.IsHardwareAccelerated)
        {
            // After the 256-bit steps this runs at most once.
            for (; left >= 2; left -= 2, src += 2, dst += 2)
            {
                Vector128.Store(Vector128.Load((ulong*)src), (ulong*)dst);
            }
        }

        for (; left != 0; left--)
        {
            *dst++ = *src++;
        }
    }

    /// <summary><c>dst[i] = src[n - 1 - i]</c> for <c>i &lt; n</c> (the ranges must not overlap): DPDK's cache-get order.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Reversed(nint* dst, nint* src, uint n)
    {
        if (n == 1)
        {
            *dst = *src;
            return;
        }

        nuint left = n;
        nint* end = src + left;
        if (Avx2.IsSupported)
        {
            // vpermq 0x1B reverses the four 64-bit lanes.
            for (; left >= 8; left -= 8, dst += 8)
            {
                end -= 8;
                Vector256<ulong> hi = Avx2.Permute4x64(Vector256.Load((ulong*)end + 4), 0x1B);
                Vector256<ulong> lo = Avx2.Permute4x64(Vector256.Load((ulong*)end), 0x1B);
                Vector256.Store(hi, (ulong*)dst);
                Vector256.Store(lo, (ulong*)dst + 4);
            }

            if (left >= 4)
            {
                end -= 4;
                Vector256.Store(Avx2.Permute4x64(Vector256.Load((ulong*)end), 0x1B), (ulong*)dst);
                left -= 4;
                dst += 4;
            }
        }

        if (Sse2.IsSupported)
        {
            for (; left >= 2; left -= 2, dst += 2)
            {
                // pshufd 0x4E swaps the two 64-bit halves.
                end -= 2;
                Vector128.Store(Sse2.Shuffle(Vector128.Load((uint*)end), 0x4E), (uint*)dst);
            }
        }

        for (; left != 0; left--)
        {
            *dst++ = *--end;
        }
    }
}
