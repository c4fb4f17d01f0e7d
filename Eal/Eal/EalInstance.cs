using Eal.Bus;
using Eal.Classes;
using Eal.Devargs;
using Eal.Events;
using Eal.Emulation.Kernel;
using Eal.Hotplug;
using Eal.Lcores;
using Eal.Memory;
using Eal.Memory.Iova;
using Eal.Memory.Os;
using Eal.MultiProcess;
using Eal.Options;
using Eal.Platform;
using Eal.Vfio;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Eal;

/// <summary>
/// One running EAL: the settings, the OS seam, the buses with their devices, the IOVA mode. Created by
/// <see cref="Init(IReadOnlyList{string}, Action{IServiceCollection}?)"/> (no host) or resolved from a
/// container set up with <c>AddEal</c> and started with <see cref="Start"/>. Disposing it releases everything
/// in reverse order. Several instances can live in one process.
/// </summary>
public sealed class EalInstance : IDisposable
{
    private readonly IServiceProvider _services;
    private readonly IOptions<EalOptions> _options;
    private readonly ILogger _log;
    private readonly Stack<Action> _teardown = new();
    private readonly EventHub<DeviceEvent> _events = new();
    private ServiceProvider? _ownedProvider;
    private bool _started;
    private bool _disposed;

    /// <summary>Created by the container; call <see cref="Start"/> to initialise.</summary>
    public EalInstance(IServiceProvider services, IOptions<EalOptions> options, ILoggerFactory loggerFactory, EalArgumentsHolder arguments, IKernel kernel)
    {
        _services = services;
        Kernel = kernel;
        _options = options;
        LoggerFactory = loggerFactory;
        _log = loggerFactory.CreateLogger("lib.eal");
        Arguments = arguments.Arguments;
    }

    /// <summary>
    /// Initialises EAL from DPDK-style arguments (without the program name), the equivalent of
    /// <c>rte_eal_init</c>. <paramref name="configure"/> adds buses and drivers (<c>AddPciBus</c>, ...).
    /// </summary>
    /// <exception cref="EalArgumentException">An argument is invalid.</exception>
    /// <exception cref="EalInitException">Initialisation failed; nothing is left open.</exception>
    public static EalInstance Init(IReadOnlyList<string> args, Action<IServiceCollection>? configure = null)
    {
        var services = new ServiceCollection();
        services.AddEal(args);
        configure?.Invoke(services);
        var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true });
        try
        {
            var eal = provider.GetRequiredService<EalInstance>();
            eal._ownedProvider = provider;
            eal.Start();
            return eal;
        }
        catch
        {
            provider.Dispose();
            throw;
        }
    }

    /// <summary>The parsed command line, when EAL was configured from one.</summary>
    public ParsedEalArguments? Arguments { get; }

    /// <summary>What <c>rte_eal_init</c> returns: arguments consumed, not counting the program name, counting <c>--</c>.</summary>
    public int Consumed => Arguments?.Consumed ?? 0;

    /// <summary>The arguments after <c>--</c> (or after the last EAL argument), for the application.</summary>
    public IReadOnlyList<string> ApplicationArguments => Arguments?.ApplicationArguments ?? [];

    /// <summary>The validated settings.</summary>
    public EalSettings Settings { get; private set; } = null!;

    /// <summary>The system-call seam (real or emulated kernel).</summary>
    public IKernel Kernel { get; }

    /// <summary>The VFIO manager: containers, devices, DMA mappings.</summary>
    public VfioManager Vfio { get; private set; } = null!;

    /// <summary>The OS seam in use.</summary>
    public IPlatform Platform { get; private set; } = null!;

    /// <summary>The CPUs of the machine.</summary>
    public CpuTopology Cpus { get; private set; } = null!;

    /// <summary>Logger factory; categories are DPDK log types.</summary>
    public ILoggerFactory LoggerFactory { get; }

    /// <summary>Every registered bus, in probe order.</summary>
    public IReadOnlyList<Bus.Bus> Buses { get; private set; } = [];

    /// <summary>The devargs from <c>-a</c>, <c>-b</c> and <c>--vdev</c>, parsed.</summary>
    public IReadOnlyList<DeviceArguments> Devargs { get; private set; } = [];

    /// <summary>Parses devargs strings with the registered buses and classes.</summary>
    public DevargsParser DevargsParser { get; private set; } = null!;

    /// <summary>The process IOVA mode and why it was chosen.</summary>
    public IovaModeDecision IovaDecision { get; private set; } = null!;

    /// <summary>The process IOVA mode.</summary>
    public IovaMode IovaMode => IovaDecision.Mode;

    /// <summary>The VFIO backend: <c>cdev</c>, <c>group</c>, <c>noiommu</c> or <c>none</c>.</summary>
    public string VfioMode { get; private set; } = "none";

    /// <summary>Primary or secondary.</summary>
    public EalProcessType ProcessType { get; private set; }

    /// <summary>Whether memory is backed by hugepages (false with <c>--no-huge</c>).</summary>
    public bool UsesHugepages => !Settings.NoHuge;

    /// <summary>The memory subsystem: memseg lists, heap, memzones, memory events.</summary>
    public MemorySubsystem Memory { get; private set; } = null!;

    /// <summary>Devices that a driver failed to probe at init; init went on without them.</summary>
    public IReadOnlyList<ProbeFailure> ProbeFailures { get; private set; } = [];

    /// <summary>The bus context shared by all buses.</summary>
    public BusContext BusContext { get; private set; } = null!;

    /// <summary>The lcores: one pinned worker thread per non-main lcore, and the launch API.</summary>
    public LcoreManager Lcores { get; private set; } = null!;

    /// <summary>Runs the init sequence of <c>rte_eal_init</c>. On failure everything opened so far is released.</summary>
    /// <exception cref="EalArgumentException">An argument is invalid.</exception>
    /// <exception cref="EalInitException">Initialisation failed.</exception>
    public void Start()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_started) throw new InvalidOperationException("EAL is already started");
        _started = true;
        try
        {
            StartCore();
        }
        catch
        {
            Teardown();
            throw;
        }
    }

    private void StartCore()
    {
        var options = _options.Value;
        Platform = _services.GetRequiredService<IPlatform>();
        Cpus = ReadCpus(Platform);
        Settings = EalSettings.Resolve(options, Cpus);
        foreach (var warning in Settings.Warnings) _log.LogWarning("{Warning}", warning);
        if (Settings.Version) _log.LogCritical("RTE Version: '{Version}'", typeof(EalInstance).Assembly.GetName().Version);

        // An emulated machine keeps its runtime directory inside its own tree, so instances never share locks.
        var runtimeBase = Platform.IsEmulated
            ? Path.Combine(Path.GetDirectoryName(Platform.SysfsRoot)!, "run")
            : RuntimeDirectory.DefaultBase();
        var runtime = RuntimeDirectory.Open(runtimeBase, Settings.FilePrefix, Settings.ProcessType, sharedConfig: !Settings.NoSharedConfig);
        _teardown.Push(runtime.Dispose);
        ProcessType = runtime.ProcessType;

        Buses = _services.GetServices<Bus.Bus>().Select((b, i) => (b, i))
            .OrderBy(x => x.b.ProbeOrder).ThenBy(x => x.i).Select(x => x.b).ToArray();
        var classes = _services.GetServices<IDeviceClass>().Select(c => c.Name);
        DevargsParser = new DevargsParser(Buses, classes);
        Devargs = ParseDeviceOptions(Settings.Devices);

        BusContext = new BusContext(Platform, Devargs, LoggerFactory)
        {
            NoPci = Settings.NoPci,
            NoAutoProbing = Settings.NoAutoProbing,
        };

        // VFIO is enabled before the scan: buses need to know about no-IOMMU mode (DPDK's cdev series order).
        try
        {
            Vfio = new VfioManager(Kernel, Platform, VfioRequestFrom(Settings.VfioMode), LoggerFactory.CreateLogger("lib.eal.vfio"));
        }
        catch (VfioException ex)
        {
            throw new EalInitException(ex.Message, ex);
        }
        _teardown.Push(Vfio.Dispose);
        VfioMode = Vfio.Mode switch
        {
            Eal.Vfio.VfioMode.Group => "group",
            Eal.Vfio.VfioMode.NoIommu => "noiommu",
            Eal.Vfio.VfioMode.Cdev => "cdev",
            _ => "none",
        };
        if (VfioMode == "none") _log.LogInformation("VFIO modules not loaded, skipping VFIO support");

        foreach (var bus in Buses)
        {
            try
            {
                bus.Scan(BusContext);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // As in DPDK, a failing bus scan is reported and init goes on without that bus's devices.
                _log.LogError("Bus {Bus} scan failed: {Reason}", bus.Name, ex.Message);
            }
        }

        var memoryOs = _services.GetRequiredService<IMemoryOs>();
        try
        {
            IovaDecision = IovaModeSelector.Select(new IovaModeInputs(
                Requested: Settings.IovaMode == IovaMode.DontCare ? null : Settings.IovaMode,
                BusRequirements: Buses.Select(b => (b.Name, b.GetIovaRequirement())).ToArray(),
                PhysicalAddressesAvailable: PhysicalAddressesAvailable(memoryOs),
                IommuPresent: PhysicalAddressProbe.IommuPresent(memoryOs)));
        }
        catch (IovaModeException ex)
        {
            throw new EalInitException(ex.Message, ex);
        }
        foreach (var w in IovaDecision.Warnings) _log.LogWarning("{Warning}", w);
        _log.LogInformation("Selected IOVA mode '{Mode}': {Reason}", IovaMode.ToString(), IovaDecision.Reason);
        BusContext.IovaMode = IovaMode;

        try
        {
            Memory = MemorySubsystem.Create(MemoryOptionsFrom(Settings, IovaMode), memoryOs);
        }
        catch (MemoryException ex)
        {
            throw new EalInitException(ex.Message, ex);
        }
        _teardown.Push(Memory.Dispose);

        if (Vfio.Mode != Eal.Vfio.VfioMode.None)
        {
            if (Kernel is EmulatedKernel emulated) emulated.PhysicalMemory ??= new MemsegPhysicalMemoryMap(Memory);
            IDisposable memoryMapping;
            try
            {
                memoryMapping = Vfio.AttachMemory(Memory);
            }
            catch (VfioException ex)
            {
                throw new EalInitException(ex.Message, ex);
            }
            // DMA mappings go before the memory they map, and VFIO closes before memory is released.
            _teardown.Push(() => { memoryMapping.Dispose(); Vfio.Dispose(); });
        }
        foreach (var bus in Buses.OfType<IVfioBus>())
            bus.UseVfio(Vfio, Kernel, Settings.VfioInterrupt);
        // Devices hold mappings, interrupts and DMA memory: they are released first.
        _teardown.Push(() => { for (int i = Buses.Count - 1; i >= 0; i--) Buses[i].Cleanup(); });

        var failures = new List<ProbeFailure>();
        foreach (var bus in Buses)
            failures.AddRange(bus.Probe().Failures);
        ProbeFailures = failures;

        // Last step of init, so the threads are joined first at cleanup.
        Lcores = LcoreManager.Start(Settings, Platform, LoggerFactory);
        _teardown.Push(Lcores.Dispose);
    }

    private static CpuTopology ReadCpus(IPlatform platform)
    {
        try
        {
            return CpuTopology.Read(platform.SysfsRoot);
        }
        catch (Exception ex) when (ex is IOException or FormatException or UnauthorizedAccessException or InvalidDataException)
        {
            throw new EalInitException($"Cannot read the CPU topology under {platform.SysfsRoot}: {ex.Message}", ex);
        }
    }

    private List<DeviceArguments> ParseDeviceOptions(IReadOnlyList<DeviceOption> devices)
    {
        var list = new List<DeviceArguments>(devices.Count);
        foreach (var d in devices)
        {
            var (type, option) = d.Kind switch
            {
                DeviceOptionKind.Blocked => (DevargsType.Blocked, "-b"),
                DeviceOptionKind.Virtual => (DevargsType.Virtual, "--vdev"),
                _ => (DevargsType.Allowed, "-a"),
            };
            try
            {
                list.Add(DevargsParser.ParseOption(d.Devargs, type));
            }
            catch (DevargsException ex)
            {
                throw new EalInitException($"{option} {d.Devargs}: Unable to parse device: {ex.Message}", ex);
            }
        }
        return list;
    }

    /// <summary>
    /// DPDK's <c>rte_eal_using_phys_addrs</c>: hugepages in use and pagemap answering with a real frame number
    /// for a probe page (on Linux only CAP_SYS_ADMIN gets frame numbers).
    /// </summary>
    private unsafe bool PhysicalAddressesAvailable(IMemoryOs os)
    {
        long probe = 0;
        return PhysicalAddressProbe.PhysicalAddressesAvailable(os, usingHugepages: !Settings.NoHuge, (nint)(&probe));
    }

    private static VfioModeRequest VfioRequestFrom(VfioBackendMode mode) => mode switch
    {
        VfioBackendMode.Group => VfioModeRequest.Group,
        VfioBackendMode.NoIommu => VfioModeRequest.NoIommu,
        VfioBackendMode.Cdev => VfioModeRequest.Cdev,
        _ => VfioModeRequest.Auto,
    };

    private static MemoryOptions MemoryOptionsFrom(EalSettings s, IovaMode iova) => new()
    {
        NoHuge = s.NoHuge,
        HugeDir = s.HugeDirectory,
        HugeUnlink = s.HugeUnlink,
        InMemory = s.InMemory,
        SingleFileSegments = s.SingleFileSegments,
        LegacyMem = s.LegacyMemory,
        MatchAllocations = s.MatchAllocations,
        MemoryMb = s.MemorySize is { } m ? m >> 20 : null,
        SocketMemMb = s.NumaMemory?.Select(b => b >> 20).ToArray(),
        SocketLimitMb = s.NumaLimit?.Select(b => b >> 20).ToArray(),
        BaseVirtAddr = s.BaseVirtualAddress ?? 0,
        FilePrefix = s.FilePrefix,
        IovaMode = iova,
    };

    // ---- iteration ---------------------------------------------------------------------------

    /// <summary>
    /// The devices matching a layered devargs filter such as <c>bus=pci,addr=0000:01:00.0</c> or
    /// <c>bus=vdev/class=eth,mac=...</c> (DPDK's <c>RTE_DEV_FOREACH</c>). A filter needs a bus or a class layer.
    /// </summary>
    /// <exception cref="DevargsException">The filter does not parse or uses keys its bus/class cannot filter on.</exception>
    public IReadOnlyList<Device> FindDevices(string filter)
    {
        EnsureStarted();
        var da = DevargsParser.Parse(filter);
        if (!da.IsLayered)
            throw new DevargsException($"filter '{filter}' needs a bus or class layer, e.g. 'bus=pci,addr=0000:01:00.0' or 'class=eth,mac=...'");
        IEnumerable<Device> devices = da.BusLayer is null
            ? Buses.SelectMany(b => b.Devices)
            : Buses.Single(b => b.Name == da.Bus).Iterate(WithoutKey(KvArgs.Parse(da.BusLayer), "bus"));
        if (da.ClassLayer is not null)
        {
            var cls = _services.GetServices<IDeviceClass>().Single(c => c.Name == da.Class);
            var classFilter = WithoutKey(KvArgs.Parse(da.ClassLayer), "class");
            devices = devices.Where(d => cls.Matches(d, classFilter));
        }
        return devices.ToList();
    }

    private static KvArgs WithoutKey(KvArgs kv, string key) =>
        KvArgs.Parse(string.Join(",", kv.Pairs.Where(p => p.Key != key).Select(p => p.Value is null ? p.Key : $"{p.Key}={p.Value}")));

    // ---- hotplug -----------------------------------------------------------------------------

    /// <summary>Subscribes to device attach/detach events.</summary>
    public EventSubscription<DeviceEvent> SubscribeDeviceEvents() => _events.Subscribe();

    /// <summary>Attaches a device at run time from a devargs string (DPDK's <c>rte_dev_probe</c>).</summary>
    /// <exception cref="DevargsException">The string does not parse.</exception>
    /// <exception cref="DeviceProbeException">No such device, already probed, or no driver took it.</exception>
    public Device Attach(string devargs)
    {
        EnsureStarted();
        var da = DevargsParser.Parse(devargs);
        var bus = Buses.FirstOrDefault(b => b.Name == da.Bus)
            ?? throw new DeviceProbeException($"{devargs}: no bus claims this device; name a bus (pci:, vdev:) or check the driver is registered");
        var device = bus.Plug(da);
        _events.Publish(new DeviceEvent(DeviceEventKind.Attached, bus.Name, device.Name, device.Driver?.Name));
        return device;
    }

    /// <summary>Detaches a device (DPDK's <c>rte_dev_remove</c>) and releases everything it held.</summary>
    public void Detach(Device device)
    {
        EnsureStarted();
        string? driver = device.Driver?.Name;
        device.Bus.Unplug(device);
        _events.Publish(new DeviceEvent(DeviceEventKind.Detached, device.Bus.Name, device.Name, driver));
    }

    private void EnsureStarted()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (!_started) throw new InvalidOperationException("EAL is not started; call Start() first");
    }

    // ---- teardown ----------------------------------------------------------------------------

    private void Teardown()
    {
        while (_teardown.Count > 0)
        {
            var step = _teardown.Pop();
            try { step(); }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                _log.LogError("Cleanup step failed: {Reason}", ex.Message);
            }
        }
    }

    /// <summary>Releases everything in reverse order of acquisition (DPDK's <c>rte_eal_cleanup</c>).</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        Teardown();
        _events.Dispose();
        _ownedProvider?.Dispose();
    }
}

/// <summary>The command line EAL was configured from (null when it came from configuration only).</summary>
/// <param name="Arguments">The parsed arguments.</param>
public sealed record EalArgumentsHolder(ParsedEalArguments? Arguments);
