namespace Eal.Bus;

/// <summary>
/// A PMD-style driver. Each bus has its own subclass (a PCI driver declares an id table, a vdev
/// driver a name prefix); this base carries what every driver has.
/// </summary>
public abstract class Driver
{
    /// <summary>The driver name, e.g. <c>net_null</c> or <c>net_nbl</c>.</summary>
    public abstract string Name { get; }

    /// <summary>Other names the driver answers to (DPDK's <c>RTE_PMD_REGISTER_ALIAS</c>).</summary>
    public virtual IReadOnlyList<string> Aliases => [];

    /// <summary>What the driver asks of the bus.</summary>
    public virtual DriverFlags Flags => DriverFlags.None;

    /// <summary>
    /// The device arguments the driver accepts, as DPDK's <c>RTE_PMD_REGISTER_PARAM_STRING</c>
    /// declares them (shown in help, checked against devargs).
    /// </summary>
    public virtual IReadOnlyList<DriverParameter> Parameters => [];

    /// <inheritdoc />
    public override string ToString() => Name;
}

/// <summary>One device argument a driver accepts, e.g. <c>size=&lt;int&gt;</c>.</summary>
/// <param name="Key">The kvargs key.</param>
/// <param name="ValueHint">What the value looks like, e.g. <c>&lt;int&gt;</c>; empty for a flag.</param>
/// <param name="Description">One line of help.</param>
public sealed record DriverParameter(string Key, string ValueHint, string Description = "")
{
    /// <summary>The DPDK parameter-string form: <c>key=&lt;hint&gt;</c>.</summary>
    public override string ToString() => ValueHint.Length == 0 ? Key : $"{Key}={ValueHint}";
}
