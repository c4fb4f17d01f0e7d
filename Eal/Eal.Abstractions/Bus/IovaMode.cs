namespace Eal.Bus;

/// <summary>How device DMA addresses (IOVAs) relate to process memory; values match DPDK's <c>rte_iova_mode</c>.</summary>
public enum IovaMode
{
    /// <summary>No requirement (<c>RTE_IOVA_DC</c>).</summary>
    DontCare = 0,
    /// <summary>IOVA is the physical address (<c>RTE_IOVA_PA</c>).</summary>
    PA = 1,
    /// <summary>IOVA is the virtual address (<c>RTE_IOVA_VA</c>).</summary>
    VA = 2,
}

/// <summary>Formatting helpers for <see cref="IovaMode"/>.</summary>
public static class IovaModeExtensions
{
    /// <summary>The short lower-case name DPDK prints: <c>dc</c>, <c>pa</c> or <c>va</c>.</summary>
    public static string ToShortName(this IovaMode mode) => mode switch
    {
        IovaMode.PA => "pa",
        IovaMode.VA => "va",
        _ => "dc",
    };
}
