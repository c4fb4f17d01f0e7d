namespace Eal.Memory.Heap;

/// <summary>Statistics of one socket's heap (DPDK's <c>rte_malloc_socket_stats</c>).</summary>
/// <param name="Socket">NUMA socket.</param>
/// <param name="TotalBytes">Bytes of memory the heap holds.</param>
/// <param name="FreeBytes">Bytes in free elements (headers included).</param>
/// <param name="AllocatedBytes">Bytes in allocated elements (headers and padding included).</param>
/// <param name="GreatestFreeBytes">Size of the largest free element (header included).</param>
/// <param name="FreeCount">Number of free elements.</param>
/// <param name="AllocatedCount">Number of allocated elements.</param>
public readonly record struct HeapStats(
    int Socket, ulong TotalBytes, ulong FreeBytes, ulong AllocatedBytes, ulong GreatestFreeBytes, int FreeCount, int AllocatedCount);
