namespace Eal.Memory.Memzones;

/// <summary>Flags of <see cref="MemzoneAllocator.Reserve"/> (DPDK's <c>RTE_MEMZONE_*</c>, same values).</summary>
/// <remarks>
/// Page-size flags restrict the zone to memory of those page sizes (several may be combined); without
/// <see cref="SizeHintOnly"/> the reservation fails when no such memory can hold it. <see cref="IovaContiguous"/>
/// asks for one IOVA-contiguous range (always true in IOVA-as-VA mode; in PA mode only where the pages behind the zone
/// are physically adjacent, e.g. inside one hugepage).
/// </remarks>
[Flags]
public enum MemzoneFlags : uint
{
    /// <summary>No constraint.</summary>
    None = 0,

    /// <summary><c>RTE_MEMZONE_2MB</c>: 2 MiB pages.</summary>
    Page2M = 0x0000_0001,

    /// <summary><c>RTE_MEMZONE_1GB</c>: 1 GiB pages.</summary>
    Page1G = 0x0000_0002,

    /// <summary><c>RTE_MEMZONE_SIZE_HINT_ONLY</c>: the page-size flags are a preference; use any memory when they cannot be met.</summary>
    SizeHintOnly = 0x0000_0004,

    /// <summary><c>RTE_MEMZONE_16MB</c>: 16 MiB pages (POWER).</summary>
    Page16M = 0x0000_0100,

    /// <summary><c>RTE_MEMZONE_16GB</c>: 16 GiB pages (POWER).</summary>
    Page16G = 0x0000_0200,

    /// <summary><c>RTE_MEMZONE_256KB</c>: 256 KiB pages.</summary>
    Page256K = 0x0001_0000,

    /// <summary><c>RTE_MEMZONE_256MB</c>: 256 MiB pages.</summary>
    Page256M = 0x0002_0000,

    /// <summary><c>RTE_MEMZONE_512MB</c>: 512 MiB pages (arm64 with 64 KiB base pages).</summary>
    Page512M = 0x0004_0000,

    /// <summary><c>RTE_MEMZONE_4GB</c>: 4 GiB pages.</summary>
    Page4G = 0x0008_0000,

    /// <summary><c>RTE_MEMZONE_IOVA_CONTIG</c>: the whole zone is one IOVA-contiguous range.</summary>
    IovaContiguous = 0x0010_0000,
}
