using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Eal.Memory.Rings;

/// <summary>Compile-time choice of single-thread or multi-thread head movement (the JIT removes the other branch).</summary>
internal interface ISyncMode
{
    static abstract bool IsSingle { get; }
}

/// <summary>Single producer or single consumer: plain head store, no wait for preceding threads.</summary>
internal struct SingleSync : ISyncMode
{
    public static bool IsSingle => true;
}

/// <summary>Multiple producers or consumers: head moved by CAS, tails published in order.</summary>
internal struct MultiSync : ISyncMode
{
    public static bool IsSingle => false;
}

/// <summary>Compile-time choice of all-or-nothing (bulk) or as-many-as-possible (burst).</summary>
internal interface IQueueBehavior
{
    static abstract bool IsFixed { get; }
}

/// <summary>Bulk: all <c>n</c> or none.</summary>
internal struct FixedBehavior : IQueueBehavior
{
    public static bool IsFixed => true;
}

/// <summary>Burst: as many as possible.</summary>
internal struct VariableBehavior : IQueueBehavior
{
    public static bool IsFixed => false;
}

/// <summary>
/// The ring algorithm on a native <see cref="RingHeader"/>: reserve slots by moving the head (CAS when several
/// threads share the side), copy, then publish by moving the tail once every earlier reservation has published.
/// </summary>
internal static unsafe class RingOps
{
    private const int SpinsBeforeYield = 4096;

    // ---------- pointer-sized (8-byte) elements ----------

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static uint Enqueue<TSync, TBehavior>(RingHeader* r, nint* src, uint n, out uint freeSpace)
        where TSync : struct, ISyncMode
        where TBehavior : struct, IQueueBehavior
    {
        n = MoveProdHead<TSync, TBehavior>(r, n, out uint oldHead, out uint free);
        if (n != 0)
        {
            CopyIn((nint*)((byte*)r + RingHeader.DataOffset), oldHead & r->Mask, r->Size, src, n);
            UpdateTail<TSync>(ref r->ProdTail, oldHead, oldHead + n);
        }

        freeSpace = free - n;
        return n;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static uint Dequeue<TSync, TBehavior>(RingHeader* r, nint* dst, uint n, out uint available)
        where TSync : struct, ISyncMode
        where TBehavior : struct, IQueueBehavior
    {
        n = MoveConsHead<TSync, TBehavior>(r, n, out uint oldHead, out uint entries);
        if (n != 0)
        {
            CopyOut((nint*)((byte*)r + RingHeader.DataOffset), oldHead & r->Mask, r->Size, dst, n);
            UpdateTail<TSync>(ref r->ConsTail, oldHead, oldHead + n);
        }

        available = entries - n;
        return n;
    }

    // ---------- arbitrary element size (multiple of 4 bytes) ----------

    public static uint EnqueueElem<TSync, TBehavior>(RingHeader* r, void* src, uint n, out uint freeSpace)
        where TSync : struct, ISyncMode
        where TBehavior : struct, IQueueBehavior
    {
        n = MoveProdHead<TSync, TBehavior>(r, n, out uint oldHead, out uint free);
        if (n != 0)
        {
            uint es = r->ElementSize;
            uint idx = oldHead & r->Mask;
            byte* slots = (byte*)r + RingHeader.DataOffset;
            uint first = Math.Min(n, r->Size - idx);
            Buffer.MemoryCopy(src, slots + ((nuint)idx * es), (nuint)first * es, (nuint)first * es);
            if (first != n)
            {
                nuint rest = (nuint)(n - first) * es;
                Buffer.MemoryCopy((byte*)src + ((nuint)first * es), slots, rest, rest);
            }

            UpdateTail<TSync>(ref r->ProdTail, oldHead, oldHead + n);
        }

        freeSpace = free - n;
        return n;
    }

    public static uint DequeueElem<TSync, TBehavior>(RingHeader* r, void* dst, uint n, out uint available)
        where TSync : struct, ISyncMode
        where TBehavior : struct, IQueueBehavior
    {
        n = MoveConsHead<TSync, TBehavior>(r, n, out uint oldHead, out uint entries);
        if (n != 0)
        {
            uint es = r->ElementSize;
            uint idx = oldHead & r->Mask;
            byte* slots = (byte*)r + RingHeader.DataOffset;
            uint first = Math.Min(n, r->Size - idx);
            Buffer.MemoryCopy(slots + ((nuint)idx * es), dst, (nuint)first * es, (nuint)first * es);
            if (first != n)
            {
                nuint rest = (nuint)(n - first) * es;
                Buffer.MemoryCopy(slots, (byte*)dst + ((nuint)first * es), rest, rest);
            }

            UpdateTail<TSync>(ref r->ConsTail, oldHead, oldHead + n);
        }

        available = entries - n;
        return n;
    }

    // ---------- head/tail movement ----------

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint MoveProdHead<TSync, TBehavior>(RingHeader* r, uint n, out uint oldHead, out uint freeEntries)
        where TSync : struct, ISyncMode
        where TBehavior : struct, IQueueBehavior
    {
        uint capacity = r->Capacity;
        oldHead = TSync.IsSingle ? r->ProdHead : Volatile.Read(ref r->ProdHead);
        while (true)
        {
            // Acquire: the consumers' reads of the slots we are about to overwrite are complete.
            uint consTail = Volatile.Read(ref r->ConsTail);

            // Unsigned arithmetic: correct across 32-bit index wrap-around.
            freeEntries = capacity + consTail - oldHead;
            uint m = n;
            if (m > freeEntries)
            {
                m = TBehavior.IsFixed ? 0 : freeEntries;
            }

            if (m == 0)
            {
                return 0;
            }

            uint newHead = oldHead + m;
            if (TSync.IsSingle)
            {
                r->ProdHead = newHead;
                return m;
            }

            uint seen = Interlocked.CompareExchange(ref r->ProdHead, newHead, oldHead);
            if (seen == oldHead)
            {
                return m;
            }

            oldHead = seen;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint MoveConsHead<TSync, TBehavior>(RingHeader* r, uint n, out uint oldHead, out uint entries)
        where TSync : struct, ISyncMode
        where TBehavior : struct, IQueueBehavior
    {
        oldHead = TSync.IsSingle ? r->ConsHead : Volatile.Read(ref r->ConsHead);
        while (true)
        {
            // Acquire: the producers' slot writes up to prod tail are visible.
            uint prodTail = Volatile.Read(ref r->ProdTail);
            entries = prodTail - oldHead;
            uint m = n;
            if (m > entries)
            {
                m = TBehavior.IsFixed ? 0 : entries;
            }

            if (m == 0)
            {
                return 0;
            }

            uint newHead = oldHead + m;
            if (TSync.IsSingle)
            {
                r->ConsHead = newHead;
                return m;
            }

            uint seen = Interlocked.CompareExchange(ref r->ConsHead, newHead, oldHead);
            if (seen == oldHead)
            {
                return m;
            }

            oldHead = seen;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void UpdateTail<TSync>(ref uint tail, uint oldValue, uint newValue)
        where TSync : struct, ISyncMode
    {
        if (!TSync.IsSingle && Volatile.Read(ref tail) != oldValue)
        {
            WaitForTail(ref tail, oldValue);
        }

        // Release: our slot copies are visible before the new tail.
        Volatile.Write(ref tail, newValue);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void WaitForTail(ref uint tail, uint expected)
    {
        // Earlier reservations by other threads must publish first. Yield now and then: with more threads than
        // cores the thread we wait for may be descheduled, and pure spinning would burn its time slice.
        int spins = 0;
        while (Volatile.Read(ref tail) != expected)
        {
            if (++spins < SpinsBeforeYield)
            {
                if (X86Base.IsSupported)
                {
                    X86Base.Pause();
                }
                else
                {
                    Thread.SpinWait(1);
                }
            }
            else
            {
                spins = 0;
                Thread.Yield();
            }
        }
    }

    // ---------- slot copies ----------

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void CopyIn(nint* slots, uint idx, uint size, nint* src, uint n)
    {
        if (idx + n <= size)
        {
            Copy(slots + idx, src, n);
        }
        else
        {
            uint first = size - idx;
            Copy(slots + idx, src, first);
            Copy(slots, src + first, n - first);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void CopyOut(nint* slots, uint idx, uint size, nint* dst, uint n)
    {
        if (idx + n <= size)
        {
            Copy(dst, slots + idx, n);
        }
        else
        {
            uint first = size - idx;
            Copy(dst, slots + idx, first);
            Copy(dst + first, slots, n - first);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void Copy(nint* dst, nint* src, uint n)
    {
        nuint i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            for (; i + 4 <= n; i += 4)
            {
                Vector256.Store(Vector256.Load((ulong*)(src + i)), (ulong*)(dst + i));
            }
        }
        else
        {
            for (; i + 4 <= n; i += 4)
            {
                dst[i] = src[i];
                dst[i + 1] = src[i + 1];
                dst[i + 2] = src[i + 2];
                dst[i + 3] = src[i + 3];
            }
        }

        for (; i < n; i++)
        {
            dst[i] = src[i];
        }
    }
}
