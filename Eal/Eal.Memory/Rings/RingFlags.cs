namespace Eal.Memory.Rings;

/// <summary>Creation flags of a <see cref="Ring"/> (values match DPDK's <c>RING_F_*</c>).</summary>
[Flags]
public enum RingFlags
{
    /// <summary>Multi-producer enqueue and multi-consumer dequeue by default.</summary>
    None = 0,

    /// <summary>The default enqueue is single-producer (<c>RING_F_SP_ENQ</c>).</summary>
    SingleProducer = 0x1,

    /// <summary>The default dequeue is single-consumer (<c>RING_F_SC_DEQ</c>).</summary>
    SingleConsumer = 0x2,

    /// <summary>
    /// The count need not be a power of two: the ring holds exactly that many elements; its internal size is the
    /// next power of two above the count (<c>RING_F_EXACT_SZ</c>).
    /// </summary>
    ExactSize = 0x4,
}
