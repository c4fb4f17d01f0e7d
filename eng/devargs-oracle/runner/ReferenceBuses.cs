using Eal.Bus;
using Eal.Bus.Pci;
using Eal.Devargs;

namespace Eal.Devargs.Reference;

/// <summary>
/// Minimal buses with exactly the devargs behaviour of DPDK's pci and vdev buses and nothing else: the
/// devargs oracle compares our parser against DPDK with them, and the unit tests use them. They cannot scan
/// or probe.
/// </summary>
internal static class ReferenceBuses
{
    /// <summary>pci then vdev, the registration order of the oracle build (see <c>oracle --buses</c>).</summary>
    public static DevargsParser CreateParser() =>
        new([new ReferencePciBus(), new ReferenceVdevBus()], ["eth"]);
}

/// <summary>A driver known only by name and aliases.</summary>
internal sealed class NamedDriver(string name, params string[] aliases) : Driver
{
    public override string Name => name;
    public override IReadOnlyList<string> Aliases => aliases;
}

/// <summary>Devargs-only base: scanning and probing are not part of what these buses model.</summary>
internal abstract class DevargsOnlyBus : Eal.Bus.Bus
{
    protected override void ScanDevices(BusContext context) { }
    protected override bool Match(Driver driver, Device device) => false;
    protected override ProbeOutcome ProbeDevice(Driver driver, Device device) =>
        throw new NotSupportedException($"the reference bus '{Name}' only parses devargs");
    protected override void RemoveDevice(Device device) { }
}

/// <summary>DPDK's pci bus: names are PCI addresses; the bus layer key is <c>addr</c>, normalised.</summary>
internal sealed class ReferencePciBus : DevargsOnlyBus
{
    public override string Name => "pci";
    public override IReadOnlyList<Driver> Drivers => [];

    public override bool TryParseDeviceName(string name, out string normalizedName)
    {
        bool ok = PciAddress.TryParse(name, out var address);
        normalizedName = ok ? address.ToString() : name;
        return ok;
    }

    public override string ParseBusLayer(KvArgs busLayer) => PciAddress.DeviceNameFromBusLayer(busLayer);
}

/// <summary>DPDK's vdev bus with net_null and net_ring registered: a driver name or alias prefixes the device name.</summary>
internal sealed class ReferenceVdevBus : DevargsOnlyBus
{
    private readonly Driver[] _drivers = [new NamedDriver("net_null", "eth_null"), new NamedDriver("net_ring", "eth_ring")];

    public override string Name => "vdev";
    public override IReadOnlyList<Driver> Drivers => _drivers;

    public override bool TryParseDeviceName(string name, out string normalizedName)
    {
        normalizedName = name;
        foreach (var d in _drivers)
        {
            if (name.StartsWith(d.Name, StringComparison.Ordinal)) return true;
            foreach (var alias in d.Aliases)
                if (name.StartsWith(alias, StringComparison.Ordinal)) return true;
        }
        return false;
    }
}
