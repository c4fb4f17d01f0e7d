namespace Eal.Devargs;

/// <summary>Whether a devargs entry allows or blocks its device (DPDK's <c>rte_dev_policy</c>).</summary>
public enum DevargsPolicy
{
    /// <summary>From <c>-a</c> or <c>--vdev</c>.</summary>
    Allow,
    /// <summary>From <c>-b</c>.</summary>
    Block,
}

/// <summary>
/// A parsed device argument string, the equivalent of DPDK's <c>struct rte_devargs</c>.
/// </summary>
public sealed record DeviceArguments
{
    /// <summary>The string as given.</summary>
    public required string Text { get; init; }

    /// <summary>The bus that owns the device (never null once parsed; <c>vdev</c> for <c>--vdev</c>).</summary>
    public string? Bus { get; init; }

    /// <summary>The device class named by a <c>class=</c> layer, or null.</summary>
    public string? Class { get; init; }

    /// <summary>The device name, normalised by the bus (PCI: <c>DDDD:BB:DD.F</c>); empty when a layered string names none.</summary>
    public required string Name { get; init; }

    /// <summary>
    /// What DPDK's <c>rte_devargs.args</c> holds: for the legacy syntax the text after the first comma;
    /// for the layered syntax the driver layer (<c>driver=...</c>), or null when there is none.
    /// </summary>
    public string? Args { get; init; }

    /// <summary>The bus layer of a layered string (<c>bus=pci,addr=...</c>), or null.</summary>
    public string? BusLayer { get; init; }

    /// <summary>The class layer of a layered string (<c>class=eth,mac=...</c>), or null.</summary>
    public string? ClassLayer { get; init; }

    /// <summary>The driver layer of a layered string, or null.</summary>
    public string? DriverLayer { get; init; }

    /// <summary>Allow or block.</summary>
    public DevargsPolicy Policy { get; init; } = DevargsPolicy.Allow;

    /// <summary>The driver arguments as kvargs (the legacy args or the driver layer), parsed on demand.</summary>
    public KvArgs DriverKvArgs => KvArgs.Parse(Args ?? string.Empty);
}
