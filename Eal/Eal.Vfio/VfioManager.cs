using Eal.Memory;
using Eal.Memory.Memsegs;
using Eal.Platform;
using Eal.Vfio.Backends;
using Eal.Vfio.Native;
using Eal.Vfio.Uapi;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Eal.Vfio;

/// <summary>
/// The VFIO API of one EAL instance (DPDK's <c>rte_vfio_*</c>, in the shape of the cdev series): mode per device,
/// default and custom containers, device assignment, device setup/release, DMA map/unmap with the user-map table,
/// IOVA ranges, and automatic mapping of all DPDK memory into the default containers. Everything goes through
/// <see cref="IKernel"/> (the real <see cref="LinuxKernel"/> or the emulated kernel) and paths of <see cref="IPlatform"/>.
/// Dispose releases every device and container it opened. Thread-safe (one lock).
/// </summary>
public sealed class VfioManager : IDisposable
{
    private readonly IKernel _kernel;
    private readonly VfioSysfs _sysfs;
    private readonly ILogger _logger;
    private readonly object _lock = new();
    private readonly Dictionary<VfioMode, IVfioBackend> _backends;
    private readonly Dictionary<VfioMode, VfioContainer> _defaults = [];
    private readonly List<VfioContainer> _containers = [];
    private readonly Dictionary<string, VfioDevice> _devices = new(StringComparer.Ordinal);
    private readonly HashSet<string> _warnedNoIommu = new(StringComparer.Ordinal);
    private MemorySubsystem? _memory;
    private IDisposable? _memoryCallback;
    private VfioContainer[] _readyDefaults = [];
    private int _nextContainerId = 1;
    private bool _disposed;

    /// <summary>Creates the manager and decides the process mode from what the kernel offers and <paramref name="request"/>.</summary>
    /// <param name="kernel">The system-call seam.</param>
    /// <param name="platform">Where /sys and /dev are.</param>
    /// <param name="request"><c>--vfio-mode</c>.</param>
    /// <param name="logger">Logger (the no-IOMMU warning goes here).</param>
    /// <exception cref="VfioException">An explicit mode the kernel cannot provide.</exception>
    public VfioManager(IKernel kernel, IPlatform platform, VfioModeRequest request = VfioModeRequest.Auto, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(kernel);
        ArgumentNullException.ThrowIfNull(platform);
        _kernel = kernel;
        _sysfs = new VfioSysfs(platform);
        _logger = logger ?? NullLogger.Instance;
        Request = request;
        _backends = new()
        {
            [VfioMode.Group] = new GroupBackend(kernel, _sysfs),
            [VfioMode.NoIommu] = new NoIommuBackend(kernel, _sysfs),
            [VfioMode.Cdev] = new CdevBackend(kernel, _sysfs),
        };
        Mode = SelectProcessMode(request);
        if (Mode != VfioMode.None) VfioLog.Initialized(_logger, Mode.ToOptionValue());
    }

    /// <summary>What <c>--vfio-mode</c> asked for.</summary>
    public VfioModeRequest Request { get; }

    /// <summary>The process mode: the mode of <see cref="DefaultContainer"/>; <see cref="VfioMode.None"/> when the kernel has no VFIO.</summary>
    public VfioMode Mode { get; }

    /// <summary>The sysfs/dev reader this manager uses.</summary>
    public VfioSysfs Sysfs => _sysfs;

    /// <summary>The default container of <see cref="Mode"/> (opened on first use): DPDK memory is mapped into it automatically.</summary>
    /// <exception cref="VfioException">VFIO is not available, or opening it failed.</exception>
    public VfioContainer DefaultContainer => GetDefaultContainer(Mode);

    /// <summary>All open containers.</summary>
    public IReadOnlyList<VfioContainer> Containers
    {
        get
        {
            lock (_lock) return _containers.ToArray();
        }
    }

    /// <summary>All set-up devices.</summary>
    public IReadOnlyCollection<VfioDevice> Devices
    {
        get
        {
            lock (_lock) return _devices.Values.ToArray();
        }
    }

    private VfioMode SelectProcessMode(VfioModeRequest request)
    {
        bool container = _sysfs.ContainerNodeExists;
        bool iommufd = _sysfs.IommufdNodeExists;
        bool noiommu = _sysfs.NoIommuEnabled;
        switch (request)
        {
            case VfioModeRequest.Cdev:
                if (!iommufd)
                    throw VfioException.Create("--vfio-mode=cdev", Errno.ENOENT, detail: _sysfs.IommufdPath + " does not exist",
                        fix: "the kernel needs CONFIG_IOMMUFD and CONFIG_VFIO_DEVICE_CDEV (load iommufd), or use --vfio-mode=group");
                return VfioMode.Cdev;
            case VfioModeRequest.Group:
                if (!container)
                    throw VfioException.Create("--vfio-mode=group", Errno.ENOENT, detail: _sysfs.ContainerPath + " does not exist",
                        fix: "load the vfio-pci module (modprobe vfio-pci) or use --vfio-mode=auto");
                return VfioMode.Group;
            case VfioModeRequest.NoIommu:
                if (!container)
                    throw VfioException.Create("--vfio-mode=noiommu", Errno.ENOENT, detail: _sysfs.ContainerPath + " does not exist",
                        fix: "load the vfio-pci module first");
                if (!noiommu)
                    throw VfioException.Create("--vfio-mode=noiommu", Errno.EPERM, detail: "the kernel's unsafe no-IOMMU mode is off",
                        fix: "enable it with 'echo Y > /sys/module/vfio/parameters/enable_unsafe_noiommu_mode' (UNSAFE: devices can then DMA anywhere in memory)");
                return VfioMode.NoIommu;
            default:
                if (iommufd && !noiommu) return VfioMode.Cdev;
                if (container) return noiommu ? VfioMode.NoIommu : VfioMode.Group;
                return VfioMode.None;
        }
    }

    /// <summary>
    /// The mode device <paramref name="address"/> gets: with <c>auto</c>, cdev when it has a vfio-dev node and
    /// /dev/iommu exists, else group (<c>/dev/vfio/N</c>), else no-IOMMU (<c>/dev/vfio/noiommu-N</c>, only when the unsafe
    /// mode is enabled); an explicit mode the kernel cannot give this device is an error.
    /// </summary>
    /// <param name="sysfsBase">Directory of the bus's devices, e.g. <c>/sys/bus/pci/devices</c>.</param>
    /// <param name="address">Device name.</param>
    /// <exception cref="VfioException">The device is not usable with VFIO in the requested mode; the message says why and what to do.</exception>
    public VfioMode GetDeviceMode(string sysfsBase, string address)
    {
        ArgumentException.ThrowIfNullOrEmpty(sysfsBase);
        ArgumentException.ThrowIfNullOrEmpty(address);
        return Resolve(sysfsBase, address).Mode;
    }

    private (VfioMode Mode, DeviceTarget Target) Resolve(string sysfsBase, string address, Guid? vfToken = null)
    {
        if (!Directory.Exists(Path.Combine(sysfsBase, address)))
            throw VfioException.Create("VFIO setup", Errno.ENOENT, address, detail: $"{Path.Combine(sysfsBase, address)} does not exist", fix: "check the device address (lspci -D)");
        if (Mode == VfioMode.None)
            throw VfioException.Create("VFIO setup", Errno.ENXIO, address, detail: "the kernel offers no VFIO (/dev/vfio/vfio and /dev/iommu are missing)",
                fix: "load vfio-pci (modprobe vfio-pci)");
        int? group = VfioSysfs.IommuGroup(sysfsBase, address);
        int? cdev = VfioSysfs.CdevIndex(sysfsBase, address);
        // sysfs can list vfio-dev/vfioN with no /dev/vfio/devices/vfioN (Linux 6.12 in no-IOMMU mode): the node decides.
        bool cdevNode = cdev is { } ci && VfioSysfs.NodeExists(_sysfs.CdevPath(ci));
        var target = new DeviceTarget(address, group, cdev, vfToken);
        bool iommufd = _sysfs.IommufdNodeExists;
        bool noiommu = _sysfs.NoIommuEnabled;
        bool groupNode = group is { } g1 && VfioSysfs.NodeExists(_sysfs.GroupPath(g1)) && _sysfs.ContainerNodeExists;
        bool noiommuNode = group is { } g2 && VfioSysfs.NodeExists(_sysfs.NoIommuGroupPath(g2)) && _sysfs.ContainerNodeExists;
        string notBound = NotBoundFix(sysfsBase, address);
        switch (Request)
        {
            case VfioModeRequest.Cdev:
                // Linux creates no cdev node for a no-IOMMU device (6.12 lists vfio-dev/vfioN in sysfs all the same).
                if (!cdevNode && noiommuNode)
                    throw VfioException.Create("--vfio-mode=cdev", Errno.ENODEV, address, group,
                        detail: $"group {group} is a no-IOMMU group and Linux gives such devices no VFIO cdev",
                        fix: "use --vfio-mode=noiommu (unsafe) or enable the IOMMU");
                if (cdev is null || !cdevNode)
                    throw VfioException.Create("--vfio-mode=cdev", Errno.ENODEV, address,
                        detail: cdev is null ? $"{address} has no vfio-dev/vfioN node" : $"{_sysfs.CdevPath(cdev.Value)} does not exist",
                        fix: notBound + "; the kernel needs CONFIG_VFIO_DEVICE_CDEV, or use --vfio-mode=group");
                return (VfioMode.Cdev, target);
            case VfioModeRequest.Group:
                if (groupNode) return (VfioMode.Group, target);
                if (noiommuNode)
                    throw VfioException.Create("--vfio-mode=group", Errno.ENODEV, address, group, detail: $"group {group} is a no-IOMMU group",
                        fix: "use --vfio-mode=noiommu (unsafe) or enable the IOMMU");
                throw NotManaged(address, group, notBound);
            case VfioModeRequest.NoIommu:
                if (noiommuNode && noiommu) return (VfioMode.NoIommu, target);
                if (groupNode)
                    throw VfioException.Create("--vfio-mode=noiommu", Errno.ENODEV, address, group, detail: $"group {group} has an IOMMU, so it has no no-IOMMU node",
                        fix: "use --vfio-mode=group or auto");
                throw NotManaged(address, group, notBound);
            default:
                if (cdevNode && iommufd) return (VfioMode.Cdev, target);
                if (groupNode) return (VfioMode.Group, target);
                if (noiommuNode && noiommu) return (VfioMode.NoIommu, target);
                throw NotManaged(address, group, notBound);
        }
    }

    private static VfioException NotManaged(string address, int? group, string fix) =>
        VfioException.Create("VFIO setup", Errno.ENODEV, address, group,
            detail: group is null ? $"{address} is not in an IOMMU group (no iommu_group link)" : $"{address} is not managed by VFIO (no /dev/vfio node for group {group})",
            fix: fix);

    private static string NotBoundFix(string sysfsBase, string address)
    {
        string? driver = VfioSysfs.DriverOf(Path.Combine(sysfsBase, address));
        return driver is null or "vfio-pci"
            ? $"bind {address} to vfio-pci (dpdk-devbind.py -b vfio-pci {address})"
            : $"{address} is bound to {driver}; bind it to vfio-pci (dpdk-devbind.py -b vfio-pci {address})";
    }

    /// <summary>The default container of <paramref name="mode"/>, opened on first use (auto mode can use one per mode).</summary>
    /// <exception cref="VfioException">The mode is <see cref="VfioMode.None"/> or opening failed.</exception>
    public VfioContainer GetDefaultContainer(VfioMode mode)
    {
        lock (_lock)
        {
            ThrowIfDisposed();
            if (_defaults.TryGetValue(mode, out var existing)) return existing;
            var c = Open(mode, isDefault: true, id: mode == Mode ? 0 : _nextContainerId++);
            _defaults[mode] = c;
            if (_backends[mode].IsDmaReady(c.State))
            {
                try
                {
                    MakeReady(c);
                }
                catch
                {
                    _defaults.Remove(mode);
                    Close(c);
                    throw;
                }
            }

            return c;
        }
    }

    /// <summary>
    /// Creates a custom container (DPDK's <c>rte_vfio_container_create</c>): a new <c>/dev/vfio/vfio</c> or a new
    /// <c>/dev/iommu</c> + IOAS. No DPDK memory is mapped into it: its owner maps what its devices need.
    /// </summary>
    /// <param name="mode">Its backend; null = the process mode.</param>
    /// <exception cref="VfioException">Opening failed (nothing stays open).</exception>
    public VfioContainer CreateContainer(VfioMode? mode = null)
    {
        lock (_lock)
        {
            ThrowIfDisposed();
            return Open(mode ?? Mode, isDefault: false, id: _nextContainerId++);
        }
    }

    private VfioContainer Open(VfioMode mode, bool isDefault, int id)
    {
        if (mode == VfioMode.None)
            throw VfioException.Create("open VFIO container", Errno.ENXIO, detail: "the kernel offers no VFIO", fix: "load vfio-pci (modprobe vfio-pci)");
        var state = _backends[mode].OpenContainer();
        var c = new VfioContainer(id, mode, isDefault, state);
        _containers.Add(c);
        return c;
    }

    /// <summary>Destroys a custom container: releases its devices and closes it (DPDK's <c>rte_vfio_container_destroy</c>).</summary>
    /// <exception cref="VfioException">It is a default container (those live as long as the manager).</exception>
    public void DestroyContainer(VfioContainer container)
    {
        ArgumentNullException.ThrowIfNull(container);
        lock (_lock)
        {
            ThrowIfDisposed();
            if (container.IsDestroyed) return;
            if (container.IsDefault)
                throw VfioException.Create("DestroyContainer", Errno.EINVAL, detail: $"{container} is a default container", fix: "default containers are destroyed with the VfioManager (Dispose)");
            Close(container);
        }
    }

    private void Close(VfioContainer c)
    {
        foreach (var d in c.DeviceList.ToArray()) ReleaseLocked(d);
        _backends[c.Mode].CloseContainer(c.State);
        c.UserMapTable.Clear();
        c.IsDestroyed = true;
        _containers.Remove(c);
        _readyDefaults = _readyDefaults.Where(x => x != c).ToArray();
    }

    /// <summary>
    /// Assigns device <paramref name="address"/> to <paramref name="container"/> and opens it (DPDK's
    /// <c>rte_vfio_container_assign_device</c>): group mode joins its group to the container (setting the IOMMU type
    /// and mapping memory when it is the first group), cdev mode binds it to the container's iommufd and attaches it to
    /// the IOAS. A later <see cref="SetupDevice"/> returns this device.
    /// </summary>
    /// <param name="container">The container (its mode must be the device's mode).</param>
    /// <param name="sysfsBase">Directory of the bus's devices, e.g. <c>/sys/bus/pci/devices</c>.</param>
    /// <param name="address">Device name.</param>
    /// <param name="vfToken">VF token for a VF of a vfio-pci PF, or null.</param>
    /// <exception cref="VfioException">Any failure; nothing stays open.</exception>
    public VfioDevice AssignDevice(VfioContainer container, string sysfsBase, string address, Guid? vfToken = null)
    {
        ArgumentNullException.ThrowIfNull(container);
        ArgumentException.ThrowIfNullOrEmpty(sysfsBase);
        ArgumentException.ThrowIfNullOrEmpty(address);
        lock (_lock)
        {
            ThrowIfDisposed();
            if (container.IsDestroyed)
                throw VfioException.Create("AssignDevice", Errno.EINVAL, address, detail: $"{container} was destroyed", fix: "create a new container");
            if (_devices.TryGetValue(address, out var existing))
                throw VfioException.Create("AssignDevice", Errno.EEXIST, address, detail: $"{address} is already assigned to {existing.Container}", fix: "release it first (ReleaseDevice)");
            var (mode, target) = Resolve(sysfsBase, address, vfToken);
            if (mode != container.Mode)
                throw VfioException.Create("AssignDevice", Errno.EINVAL, address, target.Group,
                    detail: $"{address} uses {mode.ToOptionValue()} mode but {container} is {container.Mode.ToOptionValue()}", fix: $"assign it to a {mode.ToOptionValue()} container");
            if (target.Group is { } g && mode != VfioMode.Cdev)
            {
                var other = _containers.FirstOrDefault(c => c != container && c.State is GroupContainer gc && gc.GroupList.Exists(x => x.Number == g));
                if (other is not null)
                    throw VfioException.Create("AssignDevice", Errno.EBUSY, address, g, detail: $"group {g} is already in {other}",
                        fix: $"all devices of a group share one container: assign {address} to {other}");
            }

            return AttachLocked(container, mode, target);
        }
    }

    /// <summary>
    /// Sets up device <paramref name="address"/> (DPDK's <c>rte_vfio_setup_device</c>): returns it when already
    /// assigned, else assigns it to the default container of its mode.
    /// </summary>
    /// <exception cref="VfioException">Any failure; nothing stays open.</exception>
    public VfioDevice SetupDevice(string sysfsBase, string address, Guid? vfToken = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(sysfsBase);
        ArgumentException.ThrowIfNullOrEmpty(address);
        lock (_lock)
        {
            ThrowIfDisposed();
            if (_devices.TryGetValue(address, out var existing)) return existing;
            var (mode, target) = Resolve(sysfsBase, address, vfToken);
            // A group already in a custom container takes its new devices there (DPDK's rule).
            VfioContainer? container = target.Group is { } g && mode != VfioMode.Cdev
                ? _containers.FirstOrDefault(c => c.Mode == mode && c.State is GroupContainer gc && gc.GroupList.Exists(x => x.Number == g))
                : null;
            container ??= GetDefaultContainer(mode);
            return AttachLocked(container, mode, target);
        }
    }

    private VfioDevice AttachLocked(VfioContainer container, VfioMode mode, DeviceTarget target)
    {
        var backend = _backends[mode];
        int fd = backend.AttachDevice(container.State, target, out bool becameReady);
        var device = new VfioDevice(_kernel, target.Address, mode, fd, container, target.Group, target.CdevIndex);
        container.DeviceList.Add(device);
        _devices[target.Address] = device;
        if (becameReady)
        {
            try
            {
                MakeReady(container);
            }
            catch
            {
                ReleaseLocked(device);
                throw;
            }
        }

        if (mode == VfioMode.NoIommu && _warnedNoIommu.Add(target.Address)) VfioLog.NoIommuUnsafe(_logger, target.Address);
        VfioLog.Assigned(_logger, target.Address, container.ToString(), mode.ToOptionValue());
        return device;
    }

    // The container can take DMA now: map all DPDK memory (default containers) and replay the user maps.
    private void MakeReady(VfioContainer c)
    {
        var backend = _backends[c.Mode];
        var done = new List<(ulong Iova, ulong Length)>();
        try
        {
            if (c.IsDefault && _memory is not null)
            {
                VfioException? failure = null;
                _memory.ForEachBackedRange((in MemoryEvent e) =>
                {
                    if (failure is null) failure = MapMemory(c, e, done);
                });
                if (failure is not null) throw failure;
                _readyDefaults = [.. _readyDefaults.Where(x => x != c), c];
            }

            foreach (var m in c.UserMapTable.Chunks())
            {
                int r = backend.Map(c.State, m.Va, m.Iova, m.Length);
                if (r < 0) throw DmaError(backend.CallNames.Map + " (replay)", -r, c, m.Va, m.Iova, m.Length);
                done.Add((m.Iova, m.Length));
            }
        }
        catch
        {
            foreach (var (iova, length) in done) backend.Unmap(c.State, iova, length, out _);
            _readyDefaults = _readyDefaults.Where(x => x != c).ToArray();
            throw;
        }
    }

    // Maps a memory range page by page (so that freeing any page later unmaps exactly one mapping) in runs of
    // contiguous IOVA. EEXIST is accepted, as DPDK does, for memory mapped twice by overlapping events.
    private VfioException? MapMemory(VfioContainer c, in MemoryEvent e, List<(ulong, ulong)>? done)
    {
        var backend = _backends[c.Mode];
        ulong page = e.List.PageSize;
        for (ulong off = 0; off < e.Length; off += page)
        {
            nint va = e.Address + (nint)off;
            ulong iova = e.List.IovaOf(va);
            if (iova == MemorySubsystem.BadIova) continue;
            int r = backend.Map(c.State, (ulong)va, iova, page);
            if (r == -Errno.EEXIST) continue;
            if (r < 0) return DmaError(backend.CallNames.Map + " (DPDK memory)", -r, c, (ulong)va, iova, page);
            done?.Add((iova, page));
        }

        return null;
    }

    private void UnmapMemory(VfioContainer c, in MemoryEvent e)
    {
        var backend = _backends[c.Mode];
        ulong page = e.List.PageSize;
        for (ulong off = 0; off < e.Length; off += page)
        {
            nint va = e.Address + (nint)off;
            ulong iova = e.List.IovaOf(va);
            if (iova == MemorySubsystem.BadIova) continue;
            int r = backend.Unmap(c.State, iova, page, out _);
            if (r < 0) VfioLog.MemoryUnmapFailed(_logger, (ulong)va, iova, page, c.ToString(), Errno.Describe(-r));
        }
    }

    /// <summary>
    /// Maps all DPDK memory of <paramref name="memory"/> into the default containers now and on every allocation
    /// later (unmaps on free) — DPDK's <c>vfio_mem_event_clb</c>. Dispose the result to stop following events.
    /// </summary>
    /// <exception cref="VfioException">Mapping the existing memory failed (what was mapped is unmapped again).</exception>
    public IDisposable AttachMemory(MemorySubsystem memory)
    {
        ArgumentNullException.ThrowIfNull(memory);
        lock (_lock)
        {
            ThrowIfDisposed();
            if (_memory is not null)
                throw VfioException.Create("AttachMemory", Errno.EBUSY, detail: "a memory subsystem is already attached", fix: "dispose the previous registration first");
            _memory = memory;
            try
            {
                foreach (var c in _defaults.Values.Where(c => _backends[c.Mode].IsDmaReady(c.State)).ToArray())
                {
                    var done = new List<(ulong, ulong)>();
                    VfioException? failure = null;
                    memory.ForEachBackedRange((in MemoryEvent e) =>
                    {
                        if (failure is null) failure = MapMemory(c, e, done);
                    });
                    if (failure is not null)
                    {
                        foreach (var (iova, len) in done) _backends[c.Mode].Unmap(c.State, iova, len, out _);
                        throw failure;
                    }

                    _readyDefaults = [.. _readyDefaults.Where(x => x != c), c];
                }

                _memoryCallback = memory.RegisterEventCallback("vfio_mem_event_clb:" + GetHashCode().ToString(System.Globalization.CultureInfo.InvariantCulture), OnMemoryEvent);
            }
            catch
            {
                _memory = null;
                _readyDefaults = [];
                throw;
            }

            return new MemoryRegistration(this);
        }
    }

    // Stops following events and unmaps the DPDK memory from the default containers: a mapping left behind would
    // outlive the memory it points to once that is freed (no event would unmap it any more).
    private void DetachMemory()
    {
        lock (_lock)
        {
            if (_disposed || _memory is not { } memory) return;
            _memoryCallback?.Dispose();
            _memoryCallback = null;
            foreach (var c in _readyDefaults) memory.ForEachBackedRange((in MemoryEvent e) => UnmapMemory(c, e));
            _memory = null;
            _readyDefaults = [];
        }
    }

    // Called with the memory lock held: no manager lock here (lock order), only the snapshot of ready containers.
    private void OnMemoryEvent(in MemoryEvent e)
    {
        var targets = _readyDefaults;
        if (e.Type == MemoryEventType.Alloc)
        {
            for (int i = 0; i < targets.Length; i++)
            {
                var failure = MapMemory(targets[i], e, null);
                if (failure is not null)
                {
                    for (int j = 0; j <= i; j++) UnmapMemory(targets[j], e);
                    throw failure; // refuses the allocation
                }
            }
        }
        else
        {
            foreach (var c in targets) UnmapMemory(c, e);
        }
    }

    /// <summary>
    /// Releases a device (DPDK's <c>rte_vfio_release_device</c>): closes its fd; in group mode the group leaves its
    /// container when this was its last device.
    /// </summary>
    public void ReleaseDevice(VfioDevice device)
    {
        ArgumentNullException.ThrowIfNull(device);
        lock (_lock)
        {
            if (device.IsReleased) return;
            ReleaseLocked(device);
        }
    }

    private void ReleaseLocked(VfioDevice device)
    {
        var c = device.Container;
        var backend = _backends[device.Mode];
        backend.DetachDevice(c.State, new DeviceTarget(device.Address, device.Group, device.CdevIndex, null), device.Fd);
        c.DeviceList.Remove(device);
        _devices.Remove(device.Address);
        device.IsReleased = true;
        if (!backend.IsDmaReady(c.State)) _readyDefaults = _readyDefaults.Where(x => x != c).ToArray();
    }

    /// <summary>The set-up device named <paramref name="address"/>, or null.</summary>
    public VfioDevice? FindDevice(string address)
    {
        lock (_lock) return _devices.GetValueOrDefault(address);
    }

    /// <summary>
    /// Maps [<paramref name="iova"/>, +<paramref name="length"/>) to <paramref name="va"/> in <paramref name="container"/>
    /// and remembers it in the user-map table (replayed when the container gets its IOMMU again). A group container
    /// without groups only remembers it. In no-IOMMU mode the IOVA must be the physical address.
    /// </summary>
    /// <exception cref="VfioException">Bad arguments, an overlap with a remembered mapping (EEXIST), or the kernel refused (nothing is remembered then).</exception>
    public void DmaMap(VfioContainer container, ulong va, ulong iova, ulong length)
    {
        ArgumentNullException.ThrowIfNull(container);
        lock (_lock)
        {
            ThrowIfDisposed();
            CheckRange("DmaMap", container, va, iova, length);
            var backend = _backends[container.Mode];
            if (container.UserMapTable.FindOverlap(iova, length) is { } overlap)
                throw VfioException.Create("DmaMap", Errno.EEXIST, detail: $"IOVA 0x{iova:x}+0x{length:x} overlaps the mapping at 0x{overlap.Iova:x}+0x{overlap.Length:x} in {container}",
                    fix: "unmap it first or use another IOVA");
            if (backend.IsDmaReady(container.State))
            {
                int r = backend.Map(container.State, va, iova, length);
                if (r < 0) throw DmaError(backend.CallNames.Map, -r, container, va, iova, length);
            }

            container.UserMapTable.Add(va, iova, length);
        }
    }

    /// <summary>
    /// Unmaps a user mapping. Group (type1) and cdev containers can only unmap whole original map chunks; no-IOMMU can
    /// unmap any part.
    /// </summary>
    /// <exception cref="VfioException">The range was not mapped with <see cref="DmaMap"/>, cuts a chunk, or the kernel refused.</exception>
    public void DmaUnmap(VfioContainer container, ulong va, ulong iova, ulong length)
    {
        ArgumentNullException.ThrowIfNull(container);
        lock (_lock)
        {
            ThrowIfDisposed();
            CheckRange("DmaUnmap", container, va, iova, length);
            var backend = _backends[container.Mode];
            string? why = container.UserMapTable.CheckRemove(va, iova, length, backend.PartialUnmap);
            if (why is not null)
                throw VfioException.Create("DmaUnmap", Errno.EINVAL, detail: $"IOVA 0x{iova:x}+0x{length:x} in {container}: {why}",
                    fix: "unmap exactly what DmaMap mapped (whole map calls)");
            if (backend.IsDmaReady(container.State))
            {
                int r = backend.Unmap(container.State, iova, length, out ulong unmapped);
                if (r < 0) throw DmaError(backend.CallNames.Unmap, -r, container, va, iova, length);
                if (unmapped != length)
                    throw VfioException.Create(backend.CallNames.Unmap, Errno.EIO, detail: $"the kernel unmapped 0x{unmapped:x} of 0x{length:x} bytes at IOVA 0x{iova:x} in {container}",
                        fix: "the IOMMU mappings differ from the user-map table; recreate the container");
            }

            container.UserMapTable.Remove(iova, length);
        }
    }

    /// <summary>
    /// The IOVA ranges the container's IOMMU accepts, ends inclusive (type1 IOVA-range capability, or
    /// <c>IOMMU_IOAS_IOVA_RANGES</c>; no-IOMMU: all 64 bits).
    /// </summary>
    /// <exception cref="VfioException">A group container without groups (no IOMMU yet), or the kernel refused.</exception>
    public IReadOnlyList<VfioIovaRange> GetIovaRanges(VfioContainer container)
    {
        ArgumentNullException.ThrowIfNull(container);
        lock (_lock)
        {
            ThrowIfDisposed();
            if (container.IsDestroyed)
                throw VfioException.Create("GetIovaRanges", Errno.EINVAL, detail: $"{container} was destroyed");
            return _backends[container.Mode].GetIovaRanges(container.State);
        }
    }

    private static void CheckRange(string op, VfioContainer c, ulong va, ulong iova, ulong length)
    {
        if (c.IsDestroyed) throw VfioException.Create(op, Errno.EINVAL, detail: $"{c} was destroyed", fix: "use a live container");
        if (length == 0) throw VfioException.Create(op, Errno.EINVAL, detail: "length is 0", fix: "map at least one page");
        if (iova + length < iova || va + length < va)
            throw VfioException.Create(op, Errno.EOVERFLOW, detail: $"VA 0x{va:x} / IOVA 0x{iova:x} + 0x{length:x} wraps past 2^64", fix: "pass a range inside the address space");
    }

    private static VfioException DmaError(string call, int errno, VfioContainer c, ulong va, ulong iova, ulong length) =>
        VfioException.Create(call, errno, ContainerDevices(c), (c.State as GroupContainer)?.GroupList is [var g] ? g.Number : null,
            detail: $"mapping VA 0x{va:x} at IOVA 0x{iova:x} (0x{length:x} bytes) in {c}", fix: errno switch
        {
            Errno.EEXIST => "the IOVA range is already mapped; unmap it first",
            Errno.EINVAL => "VA, IOVA and length must be aligned to the IOMMU page size and the IOVA inside GetIovaRanges",
            Errno.ENOSPC => "the IOMMU's DMA mapping limit is reached (vfio_iommu_type1 dma_entry_limit); map larger chunks",
            Errno.ENOMEM => "pinning failed: raise RLIMIT_MEMLOCK (ulimit -l) or free memory",
            Errno.ENOENT => "unmap exactly what was mapped",
            Errno.EFAULT => "the VA range is not mapped in this process; map memory that exists",
            _ => null, // VfioException's usual remedy for the errno
        });

    // The devices a container serves, for error messages ("0000:01:00.0, 0000:01:00.1"), or null for none.
    private static string? ContainerDevices(VfioContainer c) =>
        c.DeviceList.Count == 0 ? null : string.Join(", ", c.DeviceList.Select(d => d.Address));

    /// <summary>Releases every device, closes every container, stops following memory events.</summary>
    public void Dispose()
    {
        lock (_lock)
        {
            if (_disposed) return;
            _disposed = true;
            _memoryCallback?.Dispose();
            _memoryCallback = null;
            _memory = null;
            _readyDefaults = [];
            // Reverse order of creation: custom containers first, default containers last.
            foreach (var c in _containers.ToArray().Reverse()) Close(c);
            _defaults.Clear();
        }
    }

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_disposed, this);

    private sealed class MemoryRegistration(VfioManager owner) : IDisposable
    {
        private VfioManager? _owner = owner;

        public void Dispose() => Interlocked.Exchange(ref _owner, null)?.DetachMemory();
    }
}
