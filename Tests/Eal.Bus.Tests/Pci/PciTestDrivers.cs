using Eal.Bus.Pci;

namespace Eal.Bus.Tests.Pci;

/// <summary>A configurable PCI driver that records what the bus asked of it.</summary>
internal class RecordingPciDriver : PciDriver
{
    private readonly string _name;
    private readonly PciId[] _ids;
    private readonly DriverFlags _flags;

    public RecordingPciDriver(string name, DriverFlags flags = DriverFlags.None, params PciId[] ids)
    {
        _name = name;
        _flags = flags;
        _ids = ids.Length == 0 ? [PciId.Device(0x8086, 0x1572)] : ids;
    }

    public override string Name => _name;

    public override DriverFlags Flags => _flags;

    public override IReadOnlyList<PciId> IdTable => _ids;

    public Func<PciDevice, ProbeOutcome> OnProbe { get; set; } = _ => ProbeOutcome.Probed;

    public Func<PciDevice, IovaMode>? IovaHook { get; set; }

    public List<string> Probed { get; } = [];

    public List<string> Removed { get; } = [];

    public override ProbeOutcome Probe(PciDevice device)
    {
        Probed.Add(device.Name);
        return OnProbe(device);
    }

    public override void Remove(PciDevice device) => Removed.Add(device.Name);

    public override IovaMode GetRequiredIovaMode(PciDevice device) =>
        IovaHook is null ? base.GetRequiredIovaMode(device) : IovaHook(device);
}

/// <summary>A bus whose BAR mapping succeeds and is recorded, to test the map/unmap pairing.</summary>
internal sealed class MappingPciBus : PciBus
{
    public MappingPciBus(IEnumerable<PciDriver> drivers) : base(drivers) { }

    public List<string> Calls { get; } = [];

    protected override void MapDevice(PciDevice device) => Calls.Add("map " + device.Name);

    protected override void UnmapDevice(PciDevice device) => Calls.Add("unmap " + device.Name);
}
