namespace Eal.Devargs;

/// <summary>Whether a devargs entry allows or blocks its device (DPDK's <c>rte_dev_policy</c>).</summary>
public enum DevargsPolicy
{
    /// <summary>From <c>-a</c> or <c>--vdev</c>.</summary>
    Allow,
    /// <summary>From <c>-b</c>.</summary>
    Block,
}

/// <summary>Which EAL option a devargs entry came from (DPDK's <c>rte_devtype</c>).</summary>
public enum DevargsType
{
    /// <summary><c>-a</c>/<c>--allow</c>, or a string parsed outside the EAL options (hotplug, iterators).</summary>
    Allowed,
    /// <summary><c>-b</c>/<c>--block</c>.</summary>
    Blocked,
    /// <summary><c>--vdev</c>. The bus is still whatever the string names; DPDK does not force <c>vdev</c>.</summary>
    Virtual,
}

/// <summary>
/// A parsed device argument string, the equivalent of DPDK's <c>struct rte_devargs</c>. Built by
/// <see cref="DevargsParser"/>.
/// </summary>
public sealed record DeviceArguments
{
    /// <summary>The string as given.</summary>
    public required string Text { get; init; }

    /// <summary>
    /// The bus that owns the device. Null only for a layered string with a <c>class=</c> layer and no <c>bus=</c>
    /// layer (such a string can filter devices but cannot name one for <c>-a</c>/<c>-b</c>/<c>--vdev</c>).
    /// </summary>
    public string? Bus { get; init; }

    /// <summary>The device class named by a <c>class=</c> layer, or null.</summary>
    public string? Class { get; init; }

    /// <summary>
    /// The device name. Legacy syntax: as typed, up to the first comma (<c>1:2.3</c> stays <c>1:2.3</c>).
    /// Layered syntax: normalised by the bus from its layer (PCI <c>addr=1:2.3</c> gives <c>0000:01:02.3</c>,
    /// other buses take <c>name=</c>); empty when the layers name no device.
    /// </summary>
    public required string Name { get; init; }

    /// <summary>
    /// What DPDK's <c>rte_devargs.args</c> holds. Legacy syntax: the text after the first comma, or empty.
    /// Layered syntax: the driver layer verbatim including its <c>driver=</c> key, or null when there is none.
    /// </summary>
    public string? Args { get; init; }

    /// <summary>The bus layer of a layered string (<c>bus=pci,addr=...</c>), or null.</summary>
    public string? BusLayer { get; init; }

    /// <summary>The class layer of a layered string (<c>class=eth,mac=...</c>), or null.</summary>
    public string? ClassLayer { get; init; }

    /// <summary>The driver layer of a layered string (<c>driver=...</c>), or null.</summary>
    public string? DriverLayer { get; init; }

    /// <summary>Whether the string used the layered (<c>bus=.../class=.../driver=...</c>) syntax.</summary>
    public bool IsLayered => BusLayer is not null || ClassLayer is not null;

    /// <summary>Allow or block.</summary>
    public DevargsPolicy Policy { get; init; } = DevargsPolicy.Allow;

    /// <summary>Which option the entry came from.</summary>
    public DevargsType Type { get; init; } = DevargsType.Allowed;

    /// <summary>
    /// The driver arguments as kvargs: the legacy args, or the driver layer (whose first pair is <c>driver=...</c>).
    /// </summary>
    /// <exception cref="DevargsException">The arguments have more than <see cref="KvArgs.MaxPairs"/> pairs.</exception>
    public KvArgs DriverKvArgs => Args is null ? KvArgs.Empty : KvArgs.Parse(Args);
}
