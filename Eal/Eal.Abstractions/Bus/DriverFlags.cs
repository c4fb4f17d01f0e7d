namespace Eal.Bus;

/// <summary>What a driver asks of its bus; values match DPDK's <c>RTE_PCI_DRV_*</c> flags.</summary>
[Flags]
public enum DriverFlags
{
    /// <summary>No requirement.</summary>
    None = 0,
    /// <summary>The bus maps the device's resources (BARs) before probe and unmaps them on failure or removal.</summary>
    NeedMapping = 0x0001,
    /// <summary>Map BARs write-combining where the OS allows it.</summary>
    WriteCombine = 0x0002,
    /// <summary>An already probed device may be probed again (to add ports).</summary>
    ProbeAgain = 0x0004,
    /// <summary>The driver supports link-status-change interrupts.</summary>
    LinkStatusInterrupt = 0x0008,
    /// <summary>The driver supports device-removal interrupts.</summary>
    RemovalInterrupt = 0x0010,
    /// <summary>Keep the mapped resources when the driver declines the device.</summary>
    KeepMappedResources = 0x0020,
    /// <summary>The driver cannot work with IOVA as PA.</summary>
    NeedIovaAsVa = 0x0040,
}
