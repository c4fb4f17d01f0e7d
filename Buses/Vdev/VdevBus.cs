using Eal.Devargs;
using Microsoft.Extensions.Logging;

namespace Eal.Bus.Vdev;

/// <summary>
/// The virtual device bus (DPDK's <c>drivers/bus/vdev</c>): devices exist because a devargs entry
/// (<c>--vdev</c>, <c>-a vdev:...</c>) or a runtime call creates them; drivers match by name prefix.
/// </summary>
public sealed class VdevBus : Bus
{
    private readonly VdevDriver[] _drivers;
    private readonly List<DeviceArguments> _runtime = [];

    /// <summary>Creates the bus with the vdev drivers registered in the container.</summary>
    public VdevBus(IEnumerable<VdevDriver> drivers) => _drivers = drivers.ToArray();

    /// <inheritdoc />
    public override string Name => "vdev";

    /// <inheritdoc />
    public override IReadOnlyList<Driver> Drivers => _drivers;

    /// <summary>Probed last, as in DPDK: virtual devices may stack on physical ones.</summary>
    public override int ProbeOrder => int.MaxValue;

    /// <summary>A name belongs to this bus when some vdev driver's name or alias is its prefix.</summary>
    public override bool TryParseDeviceName(string name, out string normalizedName)
    {
        normalizedName = name;
        return FindDriver(name) is not null;
    }

    /// <summary>Names compare as plain strings (vdev names are not normalised).</summary>
    public override bool DeviceNamesEqual(string a, string b) => string.Equals(a, b, StringComparison.Ordinal);

    /// <inheritdoc />
    protected override void ScanDevices(BusContext context)
    {
        foreach (var da in context.DevargsOf(Name).Concat(_runtime))
        {
            if (da.Policy != DevargsPolicy.Allow) continue;
            if (FindByNameUnlocked(da.Name) is not null) continue;
            var device = new VdevDevice(this, da);
            AddDevice(device);
        }
    }

    /// <summary>Insertion order, as DPDK's vdev list (devargs order).</summary>
    protected override int CompareDevices(Device a, Device b) => 0;

    /// <inheritdoc />
    protected override bool Match(Driver driver, Device device) =>
        driver is VdevDriver vd && device is VdevDevice && vd.Matches(device.Name);

    /// <inheritdoc />
    protected override ProbeOutcome ProbeDevice(Driver driver, Device device)
    {
        var vdriver = (VdevDriver)driver;
        var vdev = (VdevDevice)device;
        if ((driver.Flags & DriverFlags.NeedIovaAsVa) != 0 && Context?.IovaMode == IovaMode.PA)
            throw new DeviceProbeException($"{device.Name}: driver {driver.Name} needs IOVA as VA but EAL runs with IOVA as PA; start with --iova-mode=va");
        ValidateArguments(vdriver, vdev);
        return vdriver.Probe(vdev);
    }

    /// <summary>Checks the devargs keys against the parameters the driver declares.</summary>
    private static void ValidateArguments(VdevDriver driver, VdevDevice device)
    {
        KvArgs kv;
        try
        {
            kv = KvArgs.Parse(device.Args);
        }
        catch (DevargsException ex)
        {
            throw new DeviceProbeException($"{device.Name}: bad arguments \"{device.Args}\": {ex.Message}", ex);
        }
        foreach (var pair in kv.Pairs)
        {
            if (driver.Parameters.Any(p => p.Key == pair.Key)) continue;
            string valid = driver.Parameters.Count == 0 ? "it takes no arguments" : "valid: " + driver.ParameterString;
            throw new DeviceProbeException($"{device.Name}: driver {driver.Name} has no parameter '{pair.Key}'; {valid}");
        }
    }

    /// <inheritdoc />
    protected override void RemoveDevice(Device device) => ((VdevDriver)device.Driver!).Remove((VdevDevice)device);

    /// <summary>VA when any device's driver needs IOVA as VA (DPDK's <c>vdev_get_iommu_class</c>).</summary>
    public override IovaMode GetIovaRequirement()
    {
        foreach (var device in Devices)
        {
            var driver = FindDriver(device.Name);
            if (driver is not null && (driver.Flags & DriverFlags.NeedIovaAsVa) != 0) return IovaMode.VA;
        }
        return IovaMode.DontCare;
    }

    /// <summary>Runtime creation (DPDK's <c>rte_vdev_init</c>) goes through <see cref="Bus.Plug"/>.</summary>
    protected override void OnPlugging(DeviceArguments devargs)
    {
        if (FindByNameUnlocked(devargs.Name) is { } existing)
            throw new DeviceProbeException($"vdev {devargs.Name} already exists (EEXIST){(existing.IsProbed ? $", driven by {existing.Driver}" : "")}");
        _runtime.Add(devargs);
    }

    /// <summary>A virtual device disappears with its driver (DPDK's <c>rte_vdev_uninit</c>).</summary>
    protected override void OnUnplugged(Device device)
    {
        RemoveDeviceFromList(device);
        _runtime.RemoveAll(d => d.Name == device.Name);
        Logger.LogInformation("Removed vdev {Device}", device.Name);
    }

    /// <summary>The first driver whose name, then alias, prefixes <paramref name="name"/>.</summary>
    public VdevDriver? FindDriver(string name) => _drivers.FirstOrDefault(d => d.Matches(name));
}
