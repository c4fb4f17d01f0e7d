namespace Eal.Memory.Mempools;

/// <summary>Creation flags of a <see cref="Mempool"/> (values match DPDK's <c>RTE_MEMPOOL_F_*</c>).</summary>
[Flags]
public enum MempoolFlags
{
    /// <summary>Cache-aligned objects, multi-producer put and multi-consumer get, IOVA-contiguous objects.</summary>
    None = 0,

    /// <summary>Do not pad object headers and objects to the cache line (<c>RTE_MEMPOOL_F_NO_CACHE_ALIGN</c>).</summary>
    NoCacheAlign = 0x2,

    /// <summary>Only one thread puts to the backing ring at a time (<c>RTE_MEMPOOL_F_SP_PUT</c>).</summary>
    SingleProducerPut = 0x4,

    /// <summary>Only one thread gets from the backing ring at a time (<c>RTE_MEMPOOL_F_SC_GET</c>).</summary>
    SingleConsumerGet = 0x8,

    /// <summary>Objects may straddle an IOVA discontinuity (<c>RTE_MEMPOOL_F_NO_IOVA_CONTIG</c>).</summary>
    NoIovaContig = 0x20,
}
