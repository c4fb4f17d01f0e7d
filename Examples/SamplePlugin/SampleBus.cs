using Eal.Bus;
using Eal.Devargs;

namespace SamplePlugin;

/// <summary>
/// A third-party bus. Its devices live under <c>&lt;sysfs&gt;/bus/sample/devices/&lt;name&gt;</c>, each with an
/// optional <c>iova</c> file (<c>pa</c>, <c>va</c> or absent) that states the IOVA mode the device needs, so
/// it takes part in scan, probe and the process IOVA decision like any built-in bus.
/// </summary>
public sealed class SampleBus : Bus
{
    private readonly Driver[] _drivers = [new SampleBusDriver()];

    /// <inheritdoc />
    public override string Name => "sample";

    /// <inheritdoc />
    public override IReadOnlyList<Driver> Drivers => _drivers;

    /// <summary>Names look like <c>sample-&lt;n&gt;</c>.</summary>
    public override bool TryParseDeviceName(string name, out string normalizedName)
    {
        normalizedName = name;
        return name.StartsWith("sample-", StringComparison.Ordinal) && name.Length > "sample-".Length;
    }

    /// <inheritdoc />
    protected override void ScanDevices(BusContext context)
    {
        string dir = Path.Combine(context.Platform.SysfsRoot, "bus", "sample", "devices");
        if (!Directory.Exists(dir)) return;
        foreach (var path in Directory.GetDirectories(dir))
        {
            string name = Path.GetFileName(path);
            if (!TryParseDeviceName(name, out _) || FindByNameUnlocked(name) is not null) continue;
            if (IsIgnored(context, name)) continue;
            string iovaFile = Path.Combine(path, "iova");
            var mode = File.Exists(iovaFile) ? File.ReadAllText(iovaFile).Trim() switch
            {
                "pa" => IovaMode.PA,
                "va" => IovaMode.VA,
                var other => throw new DevargsException($"{iovaFile}: '{other}' is not an IOVA mode; write 'pa' or 'va'"),
            } : IovaMode.DontCare;
            AddDevice(new SampleDevice(this, name, mode));
        }
    }

    /// <inheritdoc />
    protected override bool Match(Driver driver, Device device) => device is SampleDevice;

    /// <inheritdoc />
    protected override ProbeOutcome ProbeDevice(Driver driver, Device device)
    {
        var d = (SampleDevice)device;
        if (d.RequiredIova != IovaMode.DontCare && Context?.IovaMode != d.RequiredIova)
            throw new DeviceProbeException($"{d.Name} needs IOVA as '{d.RequiredIova.ToShortName()}' but EAL selected '{Context?.IovaMode.ToShortName()}'");
        return ProbeOutcome.Probed;
    }

    /// <inheritdoc />
    protected override void RemoveDevice(Device device) { }

    /// <summary>The combined wish of its devices, as DPDK buses answer.</summary>
    public override IovaMode GetIovaRequirement()
    {
        bool va = false, pa = false;
        foreach (var d in Devices.OfType<SampleDevice>())
        {
            va |= d.RequiredIova == IovaMode.VA;
            pa |= d.RequiredIova == IovaMode.PA;
        }
        return va == pa ? IovaMode.DontCare : va ? IovaMode.VA : IovaMode.PA;
    }
}

/// <summary>A device of <see cref="SampleBus"/>.</summary>
public sealed class SampleDevice : Device
{
    internal SampleDevice(SampleBus bus, string name, IovaMode requiredIova) : base(bus, name) => RequiredIova = requiredIova;

    /// <summary>The IOVA mode the device states it needs.</summary>
    public IovaMode RequiredIova { get; }
}

/// <summary>The one driver of the sample bus.</summary>
public sealed class SampleBusDriver : Driver
{
    /// <inheritdoc />
    public override string Name => "sample_drv";
}
