using Eal.Devargs;
using Microsoft.Extensions.Logging;

namespace Eal.Bus.Pci;

/// <summary>
/// The PCI bus (DPDK's <c>drivers/bus/pci</c>): scans <c>&lt;sysfs&gt;/bus/pci/devices</c>, matches functions
/// against the id tables of the registered <see cref="PciDriver"/>s, answers the bus IOVA question and probes.
/// Unlike DPDK it keeps functions bound to no driver in <see cref="Bus.Devices"/> (so tools can list them) but
/// never probes them. BAR mapping goes through <see cref="MapDevice"/>, which VFIO support will implement.
/// </summary>
public partial class PciBus : Bus
{
    private readonly PciDriver[] _drivers;
    private readonly Dictionary<PciAddress, PciDevice> _byAddress = [];
    private readonly HashSet<PciDevice> _mapped = [];
    private PciScanDiagnostic[] _diagnostics = [];

    /// <summary>Creates the bus with the PCI drivers registered in the container, in registration order.</summary>
    public PciBus(IEnumerable<PciDriver> drivers)
    {
        ArgumentNullException.ThrowIfNull(drivers);
        _drivers = drivers.ToArray();
    }

    /// <inheritdoc />
    public override string Name => "pci";

    /// <inheritdoc />
    public override IReadOnlyList<Driver> Drivers => _drivers;

    /// <summary>Problems met by the last scan: each names the function and the sysfs file.</summary>
    public IReadOnlyList<PciScanDiagnostic> ScanDiagnostics
    {
        get { lock (Gate) return _diagnostics; }
    }

    /// <summary>The scanned functions, sorted by address.</summary>
    public IReadOnlyList<PciDevice> PciDevices => Devices.Cast<PciDevice>().ToArray();

    /// <summary>The function at <paramref name="address"/>, or null.</summary>
    public PciDevice? FindDevice(PciAddress address)
    {
        lock (Gate) return _byAddress.GetValueOrDefault(address);
    }

    // ---- names and devargs ---------------------------------------------------------------

    /// <summary>A PCI device name is an address, <c>DDDD:BB:DD.F</c> or <c>BB:DD.F</c>; normalised to <c>DDDD:BB:DD.F</c>.</summary>
    public override bool TryParseDeviceName(string name, out string normalizedName)
    {
        if (PciAddress.TryParse(name, out var a))
        {
            normalizedName = a.ToString();
            return true;
        }
        normalizedName = string.Empty;
        return false;
    }

    /// <summary>The bus layer names a function with <c>addr=</c>; a bad address is a <see cref="DevargsException"/>; no <c>addr</c> gives an empty name.</summary>
    public override string ParseBusLayer(KvArgs busLayer) => PciAddress.DeviceNameFromBusLayer(busLayer);

    /// <inheritdoc />
    public override bool DeviceNamesEqual(string a, string b)
    {
        if (PciAddress.TryParse(a, out var x) && PciAddress.TryParse(b, out var y)) return x == y;
        return string.Equals(a, b, StringComparison.Ordinal);
    }

    /// <summary>Functions matching a bus-layer filter; the only key is <c>addr</c> (DPDK's <c>pci_dev_iterate</c>).</summary>
    /// <exception cref="DevargsException">Another key, or an <c>addr</c> that is not a PCI address.</exception>
    public override IEnumerable<Device> Iterate(KvArgs filter)
    {
        ArgumentNullException.ThrowIfNull(filter);
        foreach (var p in filter.Pairs)
            if (p.Key != "addr")
                throw new DevargsException($"bus 'pci' cannot filter on key '{p.Key}'; the only key it knows is 'addr' (e.g. addr=0000:01:00.0)");
        string name = PciAddress.DeviceNameFromBusLayer(filter);
        if (name.Length == 0) return Devices;
        var address = PciAddress.Parse(name);
        return Devices.Where(d => ((PciDevice)d).Address == address);
    }

    /// <inheritdoc />
    protected override int CompareDevices(Device a, Device b) => ((PciDevice)a).Address.CompareTo(((PciDevice)b).Address);

    // ---- scan ----------------------------------------------------------------------------

    /// <summary>
    /// Reads every function under <c>bus/pci/devices</c>. A rescan refreshes functions no driver holds, adds new
    /// ones and drops vanished ones that are not probed. Skipped entirely with <c>--no-pci</c>.
    /// </summary>
    protected override void ScanDevices(BusContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.NoPci)
        {
            _diagnostics = [];
            return;
        }
        var (infos, diagnostics) = PciSysfsScanner.Scan(context.Platform.SysfsRoot);
        foreach (var d in diagnostics) Log.ScanProblem(Logger, d.Message);

        var seen = new HashSet<PciAddress>();
        foreach (var info in infos)
        {
            seen.Add(info.Address);
            if (_byAddress.TryGetValue(info.Address, out var existing))
            {
                if (!existing.IsProbed) existing.Refresh(info);
                continue;
            }
            var device = new PciDevice(this, info);
            _byAddress.Add(info.Address, device);
            AddDevice(device); // infos are sorted, so this appends
        }
        foreach (var (address, device) in _byAddress.ToArray())
        {
            if (seen.Contains(address)) continue;
            if (device.IsProbed)
            {
                Log.ProbedDeviceVanished(Logger, device.Name, device.Driver!.Name);
                continue;
            }
            _byAddress.Remove(address);
            RemoveDeviceFromList(device);
        }
        _diagnostics = diagnostics.ToArray();
        Log.Scanned(Logger, infos.Count, diagnostics.Count(d => d.DeviceSkipped));
    }

    // ---- match ---------------------------------------------------------------------------

    /// <summary>
    /// A driver matches a function bound to some kernel driver when an id-table entry matches. Functions bound
    /// to no driver never match: the kernel would let no user-space driver reach them.
    /// </summary>
    protected override bool Match(Driver driver, Device device) =>
        driver is PciDriver pd && device is PciDevice dev && dev.KernelDriverKind != PciKernelDriverKind.None && pd.Matches(dev);

    // ---- IOVA ----------------------------------------------------------------------------

    /// <summary>
    /// The IOVA mode <paramref name="driver"/> needs for <paramref name="device"/> (DPDK's <c>pci_device_iova_mode</c>
    /// plus the driver hook): PA for UIO-bound functions and for vfio-pci in no-IOMMU mode (the kernel gives no
    /// translation), otherwise <see cref="PciDriver.GetRequiredIovaMode"/>; DC for unbound functions.
    /// </summary>
    public IovaMode GetDeviceIovaMode(PciDriver driver, PciDevice device)
    {
        ArgumentNullException.ThrowIfNull(driver);
        ArgumentNullException.ThrowIfNull(device);
        return device.KernelDriverKind switch
        {
            PciKernelDriverKind.None => IovaMode.DontCare,
            PciKernelDriverKind.IgbUio or PciKernelDriverKind.UioGeneric => IovaMode.PA,
            PciKernelDriverKind.Vfio when IsNoIommuModeEnabled() => IovaMode.PA,
            _ => driver.GetRequiredIovaMode(device),
        };
    }

    /// <summary>Whether VFIO no-IOMMU mode is on (<c>module/vfio/parameters/enable_unsafe_noiommu_mode</c> is Y or 1).</summary>
    public bool IsNoIommuModeEnabled()
    {
        if (Context is null) return false;
        string path = Path.Combine(Context.Platform.SysfsRoot, "module", "vfio", "parameters", "enable_unsafe_noiommu_mode");
        Span<byte> buf = stackalloc byte[8];
        int n = PciSysfsScanner.ReadFile(path, buf);
        return n > 0 && buf[0] is (byte)'Y' or (byte)'y' or (byte)'1';
    }

    /// <summary>
    /// The IOVA mode the bus needs (DPDK's <c>rte_pci_get_iommu_class</c>): over functions the allow/block policy
    /// keeps and that are bound to a kernel driver, every matching driver states its wish; VA if only VA is
    /// wished, PA if only PA, else DC (a conflict is logged). Unlike DPDK, functions bound to "other" kernel
    /// drivers count too, so a coexisting vendor driver's <see cref="PciDriver.GetRequiredIovaMode"/> is heard.
    /// </summary>
    public override IovaMode GetIovaRequirement()
    {
        var context = Context;
        if (context is null) return IovaMode.DontCare;
        bool wantVa = false, wantPa = false;
        string? vaExample = null, paExample = null;
        lock (Gate)
        {
            foreach (var device in _byAddress.Values)
            {
                if (device.KernelDriverKind == PciKernelDriverKind.None || IsIgnored(context, device.Name)) continue;
                foreach (var driver in _drivers)
                {
                    if (!driver.Matches(device)) continue;
                    switch (GetDeviceIovaMode(driver, device))
                    {
                        case IovaMode.VA: wantVa = true; vaExample ??= $"{device.Name} ({driver.Name})"; break;
                        case IovaMode.PA: wantPa = true; paExample ??= $"{device.Name} ({driver.Name})"; break;
                    }
                }
            }
        }
        if (wantVa && wantPa)
        {
            Log.IovaConflict(Logger, vaExample!, paExample!);
            return IovaMode.DontCare;
        }
        return wantVa ? IovaMode.VA : wantPa ? IovaMode.PA : IovaMode.DontCare;
    }

    // ---- probe / remove ------------------------------------------------------------------

    /// <summary>
    /// DPDK's <c>pci_probe_device</c>: refuse an IOVA mismatch; for <see cref="DriverFlags.NeedMapping"/> drivers map
    /// the BARs (functions bound to a kernel driver the bus cannot map through are declined as "not managed");
    /// call the driver; unmap again when it fails or declines.
    /// </summary>
    protected override ProbeOutcome ProbeDevice(Driver driver, Device device)
    {
        var drv = (PciDriver)driver;
        var dev = (PciDevice)device;
        var context = Context!;
        var wish = GetDeviceIovaMode(drv, dev);
        if (wish != IovaMode.DontCare && context.IovaMode != IovaMode.DontCare && wish != context.IovaMode)
            throw new DeviceProbeException(
                $"{dev.Name}: driver {drv.Name} needs IOVA as {wish} ({WhyIova(dev, wish)}) but EAL selected IOVA as {context.IovaMode}; " +
                $"start with --iova-mode={wish.ToShortName()} or block the device with -b {dev.Name}");

        bool needMapping = (drv.Flags & DriverFlags.NeedMapping) != 0;
        if (needMapping)
        {
            if (dev.KernelDriverKind == PciKernelDriverKind.Other)
            {
                Log.NotManaged(Logger, dev.Name, dev.KernelDriver!, drv.Name);
                return ProbeOutcome.Declined;
            }
            MapDevice(dev);
            _mapped.Add(dev);
        }
        ProbeOutcome outcome;
        try
        {
            outcome = drv.Probe(dev);
        }
        catch
        {
            if (needMapping) Unmap(dev);
            throw;
        }
        if (outcome == ProbeOutcome.Declined && needMapping && (drv.Flags & DriverFlags.KeepMappedResources) == 0)
            Unmap(dev);
        if (outcome == ProbeOutcome.Probed) Log.Probed(Logger, dev.Name, dev.Id, drv.Name);
        return outcome;
    }

    private string WhyIova(PciDevice dev, IovaMode wish) => dev.KernelDriverKind switch
    {
        PciKernelDriverKind.IgbUio or PciKernelDriverKind.UioGeneric => $"it is bound to {dev.KernelDriver}, which has no IOMMU",
        PciKernelDriverKind.Vfio when wish == IovaMode.PA && IsNoIommuModeEnabled() => "vfio-pci runs in no-IOMMU mode",
        _ => "the driver says so",
    };

    /// <inheritdoc />
    protected override void RemoveDevice(Device device)
    {
        var dev = (PciDevice)device;
        if (dev.Driver is PciDriver drv)
        {
            try
            {
                drv.Remove(dev);
            }
            finally
            {
                if (_mapped.Contains(dev)) Unmap(dev);
            }
        }
    }

    private void Unmap(PciDevice dev)
    {
        if (!_mapped.Remove(dev)) return;
        UnmapDevice(dev);
    }

    /// <summary>
    /// Maps the BARs of <paramref name="device"/> for a <see cref="DriverFlags.NeedMapping"/> driver (DPDK's
    /// <c>rte_pci_map_device</c>): through VFIO once <see cref="UseVfio"/> was called and the function is bound to
    /// vfio-pci (see <see cref="PciDevice.Mapping"/>); otherwise it refuses with a clear message so no driver runs on
    /// unmapped BARs.
    /// </summary>
    /// <exception cref="DeviceProbeException">The device cannot be mapped; the message says why and what to do.</exception>
    protected virtual void MapDevice(PciDevice device)
    {
        ArgumentNullException.ThrowIfNull(device);
        if (device.KernelDriverKind == PciKernelDriverKind.Vfio && VfioConfigured)
        {
            MapWithVfio(device);
            return;
        }
        throw device.KernelDriverKind == PciKernelDriverKind.Vfio
            ? new DeviceProbeException($"{device.Name}: cannot map BARs: VFIO mapping is not available yet in this build; use a driver without DriverFlags.NeedMapping")
            : new DeviceProbeException($"{device.Name}: cannot map BARs through {device.KernelDriver}: UIO mapping is not supported; bind the device to vfio-pci");
    }

    /// <summary>Undoes <see cref="MapDevice"/>; called once per successful map, on probe failure, decline or removal.</summary>
    protected virtual void UnmapDevice(PciDevice device)
    {
        ArgumentNullException.ThrowIfNull(device);
        UnmapWithVfio(device);
    }

    /// <inheritdoc />
    public override void Cleanup()
    {
        base.Cleanup();
        lock (Gate)
        {
            _byAddress.Clear();
            _mapped.Clear();
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 1, Level = LogLevel.Warning, Message = "{Problem}")]
        public static partial void ScanProblem(ILogger logger, string problem);

        [LoggerMessage(EventId = 2, Level = LogLevel.Debug, Message = "PCI scan: {Count} functions, {Skipped} skipped")]
        public static partial void Scanned(ILogger logger, int count, int skipped);

        [LoggerMessage(EventId = 3, Level = LogLevel.Warning, Message = "{Device} disappeared from sysfs while probed by {Driver}; it stays listed until it is unplugged")]
        public static partial void ProbedDeviceVanished(ILogger logger, string device, string driver);

        [LoggerMessage(EventId = 4, Level = LogLevel.Warning, Message = "Some devices want IOVA as VA, e.g. {VaDevice}, and others PA, e.g. {PaDevice}; the PCI bus answers 'DC'")]
        public static partial void IovaConflict(ILogger logger, string vaDevice, string paDevice);

        [LoggerMessage(EventId = 5, Level = LogLevel.Debug, Message = "{Device}: not managed by a supported kernel driver ({KernelDriver}); {Driver} needs mapped BARs, skipped")]
        public static partial void NotManaged(ILogger logger, string device, string kernelDriver, string driver);

        [LoggerMessage(EventId = 6, Level = LogLevel.Information, Message = "Probe PCI driver: {Driver} ({Id}) device: {Device}")]
        public static partial void Probed(ILogger logger, string device, PciDeviceId id, string driver);
    }
}
