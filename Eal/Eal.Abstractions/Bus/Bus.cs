using Eal.Devargs;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Eal.Bus;

/// <summary>How a bus treats devices that no devargs entry names (DPDK's <c>rte_bus_scan_mode</c>).</summary>
public enum ScanMode
{
    /// <summary>No devargs for this bus yet.</summary>
    Undefined,
    /// <summary>Only devices named by an allow entry (<c>-a</c>) are used.</summary>
    AllowList,
    /// <summary>Every device is used except those named by a block entry (<c>-b</c>).</summary>
    BlockList,
}

/// <summary>What a driver answered when asked to probe a device.</summary>
public enum ProbeOutcome
{
    /// <summary>The driver took the device.</summary>
    Probed,
    /// <summary>Not this driver's device after all; the bus tries the next matching driver (DPDK's return value &gt; 0).</summary>
    Declined,
}

/// <summary>A driver failed to probe a device; init goes on and the failure is reported.</summary>
/// <param name="Device">The device.</param>
/// <param name="Driver">The driver that failed.</param>
/// <param name="Reason">What went wrong and what to do about it.</param>
public sealed record ProbeFailure(Device Device, Driver Driver, string Reason);

/// <summary>The result of probing one bus.</summary>
public sealed class ProbeReport
{
    /// <summary>Devices a driver took.</summary>
    public List<Device> Probed { get; } = [];

    /// <summary>Devices a driver failed on.</summary>
    public List<ProbeFailure> Failures { get; } = [];
}

/// <summary>
/// A bus: an object with verbs (DPDK's <c>struct rte_bus</c>). Subclasses supply OS scanning and the
/// bus-specific match/probe; this base holds the device list and the generic logic every bus shares:
/// allow/block policy, the probe loop, find, iterate, plug/unplug and cleanup.
/// </summary>
public abstract class Bus : IDisposable
{
    private readonly List<Device> _devices = [];
    private bool _disposed;

    /// <summary>Lock taken by every verb that changes the device list (hotplug may come from any thread).</summary>
    protected object Gate { get; } = new();

    /// <summary>The bus name used in devargs (<c>pci</c>, <c>vdev</c>).</summary>
    public abstract string Name { get; }

    /// <summary>The drivers registered for this bus, in registration order.</summary>
    public abstract IReadOnlyList<Driver> Drivers { get; }

    /// <summary>
    /// Buses probe in ascending order of this value, then in registration order. DPDK probes the vdev bus last
    /// (its devices often stack on physical ones), which it expresses with <see cref="int.MaxValue"/>.
    /// </summary>
    public virtual int ProbeOrder => 0;

    /// <summary>Whether a probed device may be probed again by any driver (DPDK's <c>allow_multi_probe</c>).</summary>
    public virtual bool AllowMultiProbe => false;

    /// <summary>Set when the bus scans; the context of the owning EAL instance.</summary>
    protected BusContext? Context { get; private set; }

    /// <summary>Logger named after the bus's DPDK log type.</summary>
    protected ILogger Logger { get; private set; } = NullLogger.Instance;

    /// <summary>The devices found so far, in bus order.</summary>
    public IReadOnlyList<Device> Devices
    {
        get { lock (Gate) return _devices.ToArray(); }
    }

    // ---- devargs -------------------------------------------------------------------------

    /// <summary>
    /// Whether <paramref name="name"/> is a device name of this bus (DPDK's <c>bus-&gt;parse</c>); this is how
    /// a bare devargs name finds its bus. Returns the normalised name.
    /// </summary>
    public abstract bool TryParseDeviceName(string name, out string normalizedName);

    /// <summary>
    /// Reads the device name out of the bus layer of a layered devargs string (DPDK's <c>devargs_parse</c>).
    /// The default takes the <c>name</c> key; a missing key gives an empty name.
    /// </summary>
    /// <exception cref="DevargsException">The layer is malformed.</exception>
    public virtual string ParseBusLayer(KvArgs busLayer)
    {
        string? name = busLayer.Get("name");
        if (name is null) return string.Empty;
        if (name.Length >= DeviceNameMaxLength)
            throw new DevargsException($"device name '{name}' is {name.Length} characters; at most {DeviceNameMaxLength - 1} are allowed");
        return name;
    }

    /// <summary>DPDK's <c>RTE_DEV_NAME_MAX_LEN</c>.</summary>
    public const int DeviceNameMaxLength = 64;

    /// <summary>Whether two device names denote the same device (DPDK's <c>dev_compare</c>).</summary>
    public virtual bool DeviceNamesEqual(string a, string b)
    {
        if (TryParseDeviceName(a, out var na) && TryParseDeviceName(b, out var nb))
            return string.Equals(na, nb, StringComparison.Ordinal);
        return string.Equals(a, b, StringComparison.Ordinal);
    }

    // ---- scan ----------------------------------------------------------------------------

    /// <summary>Discovers devices (DPDK's <c>bus-&gt;scan</c>). Called once at init and again on hotplug.</summary>
    public void Scan(BusContext context)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        Context = context;
        Logger = context.LoggerFactory.CreateLogger(LogType);
        lock (Gate) ScanDevices(context);
    }

    /// <summary>The DPDK-style log type of this bus, e.g. <c>bus.pci</c>.</summary>
    public virtual string LogType => "bus." + Name;

    /// <summary>Bus-specific discovery. Add devices with <see cref="AddDevice"/>; called under <see cref="Gate"/>.</summary>
    protected abstract void ScanDevices(BusContext context);

    /// <summary>Adds a device keeping bus order (see <see cref="CompareDevices"/>); replaces nothing.</summary>
    protected void AddDevice(Device device)
    {
        int i = _devices.Count;
        while (i > 0 && CompareDevices(_devices[i - 1], device) > 0) i--;
        _devices.Insert(i, device);
    }

    /// <summary>Removes a device from the list (after unplug).</summary>
    protected bool RemoveDeviceFromList(Device device) => _devices.Remove(device);

    /// <summary>Order of the device list; by default by name, ordinal.</summary>
    protected virtual int CompareDevices(Device a, Device b) => string.CompareOrdinal(a.Name, b.Name);

    /// <summary>Looks a device up by name, under <see cref="Gate"/>.</summary>
    protected Device? FindByNameUnlocked(string name)
    {
        foreach (var d in _devices)
            if (DeviceNamesEqual(d.Name, name)) return d;
        return null;
    }

    // ---- policy --------------------------------------------------------------------------

    /// <summary>The scan mode DPDK derives from the first devargs entry on this bus.</summary>
    public ScanMode GetScanMode(BusContext context)
    {
        foreach (var da in context.DevargsOf(Name))
            return da.Policy == DevargsPolicy.Allow ? ScanMode.AllowList : ScanMode.BlockList;
        return ScanMode.Undefined;
    }

    /// <summary>The devargs entry naming <paramref name="deviceName"/>, or null.</summary>
    public DeviceArguments? FindDevargs(BusContext context, string deviceName)
    {
        foreach (var da in context.DevargsOf(Name))
            if (DeviceNamesEqual(da.Name, deviceName)) return da;
        return null;
    }

    /// <summary>Whether the allow/block policy excludes the device (DPDK's <c>rte_bus_device_is_ignored</c>).</summary>
    public bool IsIgnored(BusContext context, string deviceName)
    {
        var mode = GetScanMode(context);
        if (mode == ScanMode.Undefined)
            mode = context.NoAutoProbing ? ScanMode.AllowList : ScanMode.BlockList;
        var da = FindDevargs(context, deviceName);
        return mode == ScanMode.AllowList
            ? da is null || da.Policy != DevargsPolicy.Allow
            : da is not null && da.Policy == DevargsPolicy.Block;
    }

    // ---- match / probe -------------------------------------------------------------------

    /// <summary>Whether <paramref name="driver"/> can drive <paramref name="device"/> (id table, name prefix, ...).</summary>
    protected abstract bool Match(Driver driver, Device device);

    /// <summary>
    /// Bus-specific probe of one device by one driver: map resources if the driver asks, then call the
    /// driver. Throw <see cref="DeviceProbeException"/> (or any exception) on failure, after releasing
    /// whatever was acquired.
    /// </summary>
    protected abstract ProbeOutcome ProbeDevice(Driver driver, Device device);

    /// <summary>Bus-specific removal: call the driver's remove and release the mappings.</summary>
    protected abstract void RemoveDevice(Device device);

    /// <summary>Probes every device the policy allows (DPDK's generic probe).</summary>
    public ProbeReport Probe()
    {
        var context = Context ?? throw new InvalidOperationException($"bus '{Name}' must be scanned before it is probed");
        var report = new ProbeReport();
        lock (Gate)
        {
            foreach (var device in _devices.ToArray())
            {
                if (IsIgnored(context, device.Name)) continue;
                ProbeOne(device, report);
            }
        }
        return report;
    }

    /// <summary>Probes one device with the first matching driver that takes it.</summary>
    protected void ProbeOne(Device device, ProbeReport report)
    {
        foreach (var driver in Drivers)
        {
            if (!Match(driver, device)) continue;
            if (device.IsProbed && !AllowMultiProbe && (driver.Flags & DriverFlags.ProbeAgain) == 0)
                return; // DPDK's -EEXIST: already probed, silently skipped
            device.Devargs ??= Context is null ? null : FindDevargs(Context, device.Name);
            try
            {
                var outcome = ProbeDevice(driver, device);
                if (outcome == ProbeOutcome.Declined) continue;
                device.Driver = driver;
                report.Probed.Add(device);
                return;
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                report.Failures.Add(new ProbeFailure(device, driver, ex.Message));
                Logger.LogError("Requested device {Device} cannot be used by driver {Driver}: {Reason}", device.Name, driver.Name, ex.Message);
                return;
            }
        }
    }

    /// <summary>The IOVA mode this bus needs, combining its devices' drivers (DPDK's <c>get_iommu_class</c>).</summary>
    public virtual IovaMode GetIovaRequirement() => IovaMode.DontCare;

    // ---- find / iterate ------------------------------------------------------------------

    /// <summary>The first device after <paramref name="start"/> (or from the beginning) matching <paramref name="predicate"/>.</summary>
    public Device? FindDevice(Func<Device, bool> predicate, Device? start = null)
    {
        lock (Gate)
        {
            int i = start is null ? 0 : _devices.IndexOf(start) + 1;
            for (; i < _devices.Count; i++)
                if (predicate(_devices[i])) return _devices[i];
            return null;
        }
    }

    /// <summary>Looks a device up by name.</summary>
    public Device? FindDevice(string name)
    {
        lock (Gate) return FindByNameUnlocked(name);
    }

    /// <summary>
    /// Devices matching the bus layer of a devargs-style filter (DPDK's <c>dev_iterate</c>). The default
    /// understands the key <c>name</c>; any other key is an error.
    /// </summary>
    public virtual IEnumerable<Device> Iterate(KvArgs filter)
    {
        foreach (var p in filter.Pairs)
            if (p.Key != "name")
                throw new DevargsException($"bus '{Name}' cannot filter on key '{p.Key}'; the only key it knows is 'name'");
        string? name = filter.Get("name");
        return Devices.Where(d => name is null || DeviceNamesEqual(d.Name, name));
    }

    // ---- hotplug -------------------------------------------------------------------------

    /// <summary>
    /// Attaches the device named by <paramref name="devargs"/> at runtime: rescans, finds it, probes it
    /// (DPDK's <c>local_dev_probe</c>).
    /// </summary>
    /// <exception cref="DeviceProbeException">The device is absent, already probed, or no driver took it.</exception>
    public Device Plug(DeviceArguments devargs)
    {
        var context = Context ?? throw new InvalidOperationException($"bus '{Name}' must be scanned before hotplug");
        lock (Gate)
        {
            OnPlugging(devargs);
            ScanDevices(context);
            var device = FindByNameUnlocked(devargs.Name)
                ?? throw new DeviceProbeException($"{Name}:{devargs.Name}: no such device after rescanning the bus (ENODEV)");
            if (device.IsProbed && !AllowMultiProbe)
                throw new DeviceProbeException($"{Name}:{devargs.Name}: already probed by {device.Driver} (EEXIST)");
            device.Devargs = devargs;
            var report = new ProbeReport();
            ProbeOne(device, report);
            if (report.Failures.Count > 0)
                throw new DeviceProbeException($"{Name}:{devargs.Name}: {report.Failures[0].Reason}");
            if (!device.IsProbed)
                throw new DeviceProbeException($"{Name}:{devargs.Name}: no driver took the device; check the driver is registered and matches it");
            return device;
        }
    }

    /// <summary>Hook for buses that create devices from devargs (vdev) before the rescan of a plug.</summary>
    protected virtual void OnPlugging(DeviceArguments devargs) { }

    /// <summary>Detaches a probed device and releases everything it held.</summary>
    public void Unplug(Device device)
    {
        lock (Gate)
        {
            if (!device.IsProbed)
                throw new DeviceProbeException($"{device}: not probed, nothing to detach");
            RemoveDevice(device);
            device.Driver = null;
            OnUnplugged(device);
        }
    }

    /// <summary>Hook after a device was detached (vdev drops the device itself).</summary>
    protected virtual void OnUnplugged(Device device) { }

    // ---- DMA -----------------------------------------------------------------------------

    /// <summary>Maps memory for DMA by one device (DPDK's <c>bus-&gt;dma_map</c>).</summary>
    public virtual void DmaMap(Device device, nint virtualAddress, ulong iova, ulong length) =>
        throw new NotSupportedException($"bus '{Name}' cannot map DMA memory for {device.Name} (ENOTSUP)");

    /// <summary>Unmaps memory mapped by <see cref="DmaMap"/>.</summary>
    public virtual void DmaUnmap(Device device, nint virtualAddress, ulong iova, ulong length) =>
        throw new NotSupportedException($"bus '{Name}' cannot unmap DMA memory for {device.Name} (ENOTSUP)");

    // ---- cleanup -------------------------------------------------------------------------

    /// <summary>Removes every probed device, last first, and forgets all devices.</summary>
    public virtual void Cleanup()
    {
        lock (Gate)
        {
            for (int i = _devices.Count - 1; i >= 0; i--)
            {
                var d = _devices[i];
                if (!d.IsProbed) continue;
                try { RemoveDevice(d); }
                catch (Exception ex) when (ex is not OutOfMemoryException)
                {
                    Logger.LogError("Cannot remove {Device}: {Reason}", d.Name, ex.Message);
                }
                d.Driver = null;
            }
            _devices.Clear();
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (_disposed) return;
        Cleanup();
        _disposed = true;
        GC.SuppressFinalize(this);
    }

    /// <inheritdoc />
    public override string ToString() => Name;
}

/// <summary>A device could not be probed, attached or detached; the message names the device and the fix.</summary>
public sealed class DeviceProbeException : Exception
{
    /// <summary>Creates the exception.</summary>
    public DeviceProbeException(string message) : base(message) { }

    /// <summary>Creates the exception with a cause.</summary>
    public DeviceProbeException(string message, Exception inner) : base(message, inner) { }
}
