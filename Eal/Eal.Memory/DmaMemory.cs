namespace Eal.Memory;

/// <summary>
/// A contiguous range of virtual memory that devices can reach by DMA (a memzone, a heap element,
/// registered external memory). Knows the IOVA of every byte; IOVAs need not be contiguous across pages
/// when IOVA is the physical address.
/// </summary>
public interface IDmaRegion
{
    /// <summary>Virtual address of the first byte.</summary>
    nint Address { get; }

    /// <summary>Length in bytes.</summary>
    nuint Length { get; }

    /// <summary>NUMA socket the memory sits on, or -1 when unknown.</summary>
    int Socket { get; }

    /// <summary>The IOVA of the byte at <paramref name="offset"/> from <see cref="Address"/>.</summary>
    ulong IovaAt(nuint offset);
}

/// <summary>Hands out DMA-able regions (implemented by the memzone allocator).</summary>
public interface IDmaMemoryProvider
{
    /// <summary>Reserves a named region.</summary>
    /// <param name="name">Unique name (used in diagnostics and lookups).</param>
    /// <param name="length">Bytes wanted.</param>
    /// <param name="alignment">Power-of-two alignment of <see cref="IDmaRegion.Address"/>.</param>
    /// <param name="socket">NUMA socket, or -1 for any.</param>
    IDmaRegion Reserve(string name, nuint length, nuint alignment, int socket);

    /// <summary>Returns a region obtained from <see cref="Reserve"/>.</summary>
    void Release(IDmaRegion region);
}
