using System.Globalization;
using System.Runtime.CompilerServices;
using Eal.Emulation.Devices;
using Eal.Platform;
using Eal.Vfio.Native;
using Eal.Vfio.Uapi;

namespace Eal.Emulation.Kernel;

/// <summary>Counts of what the emulated kernel holds on behalf of userspace; all zero after a clean teardown.</summary>
/// <param name="OpenFiles">Emulated fds not yet closed (containers, groups, iommufd, devices).</param>
/// <param name="LiveObjects">Kernel objects still alive (closed files kept alive by references, IOAS/HWPT objects).</param>
/// <param name="DmaMappings">IOMMU mappings in all domains.</param>
/// <param name="PinnedPages">4 KiB pages pinned by those mappings.</param>
/// <param name="DeviceMappings">BAR areas mmapped into userspace and not unmapped.</param>
/// <param name="EventFds">Eventfds created through <see cref="IKernel.EventFd"/> and not closed.</param>
/// <param name="HeldEventFds">Eventfd references the kernel holds for IRQ triggers (VFIO_DEVICE_SET_IRQS).</param>
public readonly record struct KernelResources(int OpenFiles, int LiveObjects, long DmaMappings, long PinnedPages, int DeviceMappings, int EventFds, int HeldEventFds)
{
    /// <summary>True when nothing is held.</summary>
    public bool IsEmpty => this == default;
}

/// <summary>
/// A second implementation of Linux's VFIO and IOMMUFD at the ioctl level, on the same uAPI structs, for the PCI
/// functions an <see cref="EmulatedPlatform"/> describes: containers and groups (type1v2 and no-IOMMU), IOMMUFD
/// (IOAS, HWPT, device bind/attach), device fds (info, regions with capability chains, config space and BAR
/// access, mmap of BAR memory, IRQs to real eventfds, reset), IOMMU domains that device models DMA through (I/O
/// page faults recorded in <see cref="Faults"/>), failure injection (<see cref="FailNth"/>) and resource
/// accounting (<see cref="Resources"/>). The errno of every rule matches Linux 6.12 (checked against a real
/// kernel; see docs/emulated-kernel.md).
/// </summary>
/// <remarks>
/// Emulated fds start at <see cref="FirstFd"/> so they never collide with real ones; eventfds, BAR memory and
/// every other fd are real (operations on real fds are passed to libc). Thread-safe: one lock guards the state,
/// and device models are never called with it held except through their <see cref="IPciDeviceModel.Dma"/> and
/// <see cref="IPciDeviceModel.Interrupts"/> properties.
/// </remarks>
public sealed unsafe partial class EmulatedKernel : IKernel, IDisposable
{
    /// <summary>The first emulated fd number (far above any real fd: the default nr_open is 1,048,576).</summary>
    public const int FirstFd = 1 << 24;

    /// <summary>The IOMMU page size (the smallest of <see cref="IommuPageSizes"/>).</summary>
    public const ulong PageSize = 4096;

    /// <summary>Page sizes the emulated IOMMU reports (4 KiB, 2 MiB, 1 GiB as Intel VT-d).</summary>
    public const ulong IommuPageSizes = 0x40201000;

    /// <summary>First address of the x86 MSI window, reserved in every IOMMU domain.</summary>
    public const ulong MsiWindowStart = 0xfee00000;

    /// <summary>Last address of the x86 MSI window.</summary>
    public const ulong MsiWindowLast = 0xfeefffff;

    private readonly Lock _lock = new();
    private readonly EmulatedPlatform _platform;
    private readonly Func<PciFunctionDescription, IPciDeviceModel?>? _modelProvider;
    private readonly Dictionary<int, KernelFile> _files = [];
    private readonly Dictionary<int, GroupObject> _groups = [];
    private readonly Dictionary<string, FunctionState> _functions = new(StringComparer.OrdinalIgnoreCase);
    private readonly HashSet<int> _eventFds = [];
    private readonly Dictionary<nint, nuint> _deviceMappings = [];
    private readonly List<IoPageFault> _faults = [];
    private readonly HashSet<KernelFile> _liveObjects = [];
    private int _nextFd = FirstFd;
    private int _seed = 1;
    private long _operations;
    private long _failAt;
    private int _failErrno;
    private long _dmaMappings;
    private long _pinnedPages;
    private int _heldEventFds;
    private bool _disposed;

    /// <summary>Creates the kernel of <paramref name="platform"/>'s machine.</summary>
    /// <param name="platform">The emulated machine: its PCI functions, bindings, groups and <c>/dev</c> nodes.</param>
    /// <param name="modelProvider">
    /// The device model of a function (a DMA test device, a NIC model...), or null for functions it does not
    /// model: those get <see cref="PciFunctionModel.CreateGeneric"/>, built from the description.
    /// </param>
    public EmulatedKernel(EmulatedPlatform platform, Func<PciFunctionDescription, IPciDeviceModel?>? modelProvider = null)
    {
        ArgumentNullException.ThrowIfNull(platform);
        _platform = platform;
        _modelProvider = modelProvider;
    }

    /// <summary>The platform whose machine this kernel serves.</summary>
    public EmulatedPlatform Platform => _platform;

    /// <summary>
    /// Physical memory for no-IOMMU mode (the device's DMA addresses are physical addresses). The EAL sets it to
    /// the memory subsystem's pagemap so IOVAs in PA mode reach the right memory; without it every no-IOMMU DMA
    /// faults.
    /// </summary>
    public IPhysicalMemoryMap? PhysicalMemory { get; set; }

    /// <summary>Most type1 mappings per container (the <c>dma_entry_limit</c> module parameter, 65535 by default).</summary>
    public int DmaEntryLimit { get; set; } = 65535;

    /// <summary>IOVA bits the IOMMU translates (the aperture is [0, 2^bits - 1]); 48 as on Intel VT-d servers.</summary>
    public int IommuAddressWidth { get; set; } = 48;

    /// <summary>Whether map calls check that the user memory exists (EFAULT otherwise, as pinning would).</summary>
    public bool CheckUserMemory { get; set; } = true;

    /// <summary>Kernel operations performed so far (every call but close/munmap; see <see cref="FailNth"/>).</summary>
    public long OperationCount => Interlocked.Read(ref _operations);

    /// <summary>
    /// Makes the <paramref name="n"/>-th kernel operation from now (1 = the next one) fail with
    /// <c>-<paramref name="errno"/></c> and nothing done. Every call counts except <see cref="Close"/> and
    /// <see cref="Munmap"/>, which cannot fail in Linux in a way userspace can act on (the fd or mapping is gone
    /// either way), so a teardown always completes.
    /// </summary>
    public void FailNth(long n, int errno)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(n, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(errno, 1);
        lock (_lock)
        {
            _failErrno = errno;
            Interlocked.Exchange(ref _failAt, OperationCount + n);
        }
    }

    /// <summary>Cancels a pending <see cref="FailNth"/>.</summary>
    public void ClearFailure() => Interlocked.Exchange(ref _failAt, 0);

    /// <summary>What the kernel holds now.</summary>
    public KernelResources Resources
    {
        get
        {
            lock (_lock)
            {
                int objects = _liveObjects.Count(o => !o.FdOpen);
                foreach (var f in _liveObjects)
                    if (f is IommufdFile ctx) objects += ctx.Objects.Values.Count(o => o is IoasObject or HwptObject);
                return new KernelResources(_files.Count, objects, _dmaMappings, _pinnedPages, _deviceMappings.Count, _eventFds.Count, _heldEventFds);
            }
        }
    }

    /// <summary>The I/O page faults recorded so far, oldest first.</summary>
    public IReadOnlyList<IoPageFault> Faults
    {
        get
        {
            lock (_lock) return _faults.ToArray();
        }
    }

    /// <summary>Forgets the recorded faults.</summary>
    public void ClearFaults()
    {
        lock (_lock) _faults.Clear();
    }

    /// <summary>
    /// The device model serving <paramref name="address"/> (created on first use, as vfio-pci does on first open),
    /// so tests can watch the hardware side.
    /// </summary>
    /// <exception cref="ArgumentException">The machine has no such function.</exception>
    public IPciDeviceModel GetDeviceModel(string address)
    {
        lock (_lock)
        {
            var desc = _platform.Machine.FindPciFunction(address)
                ?? throw new ArgumentException($"the emulated machine has no PCI function '{address}'", nameof(address));
            return GetFunction(desc).Model;
        }
    }

    private FunctionState GetFunction(PciFunctionDescription desc)
    {
        if (_functions.TryGetValue(desc.Address, out var f)) return f;
        var model = _modelProvider?.Invoke(desc) ?? PciFunctionModel.CreateGeneric(desc, _platform.Machine);
        f = new FunctionState(desc, model);
        f.Port = new DevicePort(this, f);
        f.Sink = new InterruptSink(this, f);
        _functions.Add(desc.Address, f);
        return f;
    }

    // ---- failure injection -------------------------------------------------------------------------------

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool Injected(out int error)
    {
        long n = Interlocked.Increment(ref _operations);
        long at = Interlocked.Read(ref _failAt);
        if (at != 0 && n == at)
        {
            Interlocked.Exchange(ref _failAt, 0);
            error = -_failErrno;
            return true;
        }
        error = 0;
        return false;
    }

    private int AddFile(KernelFile file)
    {
        while (_files.ContainsKey(_nextFd)) _nextFd++;
        int fd = _nextFd++;
        _files.Add(fd, file);
        _liveObjects.Add(file);
        return fd;
    }

    private static bool IsEmulatedFd(int fd) => fd >= FirstFd;

    // ---- IKernel: open/close -----------------------------------------------------------------------------

    /// <inheritdoc />
    public int Open(string path, int flags)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (Injected(out int injected)) return injected;
        string dev = _platform.DevRoot;
        string full = Path.GetFullPath(path);
        string? rel = full.StartsWith(dev + "/", StringComparison.Ordinal) ? full[(dev.Length + 1)..] : null;
        if (rel is null || !IsVfioNode(rel))
        {
            int fd = LibC.Open(full, flags);
            return fd >= 0 ? fd : -Errno.Last;
        }
        // The node must exist in the emulated /dev (the tree writer follows the kernel's rules for which exist).
        if (!File.Exists(full)) return -Errno.ENOENT;
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (rel == "vfio/vfio") return AddFile(new ContainerFile());
            if (rel == "iommu") return AddFile(new IommufdFile());
            if (rel.StartsWith("vfio/devices/vfio", StringComparison.Ordinal)) return OpenCdev(rel["vfio/devices/vfio".Length..]);
            bool noIommu = rel.StartsWith("vfio/noiommu-", StringComparison.Ordinal);
            string number = noIommu ? rel["vfio/noiommu-".Length..] : rel["vfio/".Length..];
            return OpenGroup(number, noIommu);
        }
    }

    private static bool IsVfioNode(string rel) =>
        rel is "vfio/vfio" or "iommu"
        || (rel.StartsWith("vfio/", StringComparison.Ordinal) && rel.IndexOf('/', 5) < 0 && (rel.StartsWith("vfio/noiommu-", StringComparison.Ordinal) || IsNumber(rel[5..])))
        || (rel.StartsWith("vfio/devices/vfio", StringComparison.Ordinal) && IsNumber(rel["vfio/devices/vfio".Length..]));

    private static bool IsNumber(string s) => s.Length > 0 && s.All(char.IsAsciiDigit);

    private int OpenGroup(string numberText, bool noIommu)
    {
        if (!int.TryParse(numberText, NumberStyles.None, CultureInfo.InvariantCulture, out int number)) return -Errno.ENOENT;
        if (!_groups.TryGetValue(number, out var group))
        {
            group = new GroupObject(number, noIommu);
            _groups.Add(number, group);
        }
        if (group.NoIommu != noIommu) return -Errno.ENOENT;
        // One open file per group (vfio_group_fops_open), and not while a device of it is bound through its cdev.
        if (group.File is not null || group.CdevBound > 0) return -Errno.EBUSY;
        var file = new GroupFile(group);
        group.File = file;
        return AddFile(file);
    }

    private int OpenCdev(string indexText)
    {
        int index = int.Parse(indexText, NumberStyles.None, CultureInfo.InvariantCulture);
        PciFunctionDescription? desc = null;
        foreach (var f in _platform.Machine.PciFunctions)
            if (f.VfioCdev == index && f.Driver == "vfio-pci") desc = f;
        if (desc is null) return -Errno.ENODEV;
        var function = GetFunction(desc);
        return AddFile(new DeviceFile(function, null));
    }

    /// <inheritdoc />
    public int Close(int fd)
    {
        Action? after = null;
        lock (_lock)
        {
            if (!_files.Remove(fd, out var file))
            {
                if (IsEmulatedFd(fd)) return -Errno.EBADF;
                _eventFds.Remove(fd);
                return LibC.Close(fd) == 0 ? 0 : -Errno.Last;
            }
            file.FdOpen = false;
            switch (file)
            {
                case ContainerFile c:
                    if (c.Groups.Count == 0) ReleaseContainer(c);
                    break;
                case GroupFile g:
                    if (g.DeviceFiles == 0) ReleaseGroupFile(g);
                    break;
                case IommufdFile ctx:
                    if (ctx.BoundDevices == 0) ReleaseIommufd(ctx);
                    break;
                case DeviceFile d:
                    after = ReleaseDevice(d);
                    break;
            }
        }
        after?.Invoke();
        return 0;
    }

    private void ReleaseContainer(ContainerFile c)
    {
        if (c.Domain is { } domain) DropDomain(domain);
        c.Domain = null;
        c.Driver = ContainerDriver.None;
        _liveObjects.Remove(c);
    }

    private void ReleaseGroupFile(GroupFile g)
    {
        if (g.Group.Container is not null) DetachGroup(g.Group);
        g.Group.File = null;
        _liveObjects.Remove(g);
    }

    private void ReleaseIommufd(IommufdFile ctx)
    {
        foreach (var o in ctx.Objects.Values)
            if (o is IoasObject ioas) DropDomain(ioas.Domain);
        ctx.Objects.Clear();
        _liveObjects.Remove(ctx);
    }

    private Action? ReleaseDevice(DeviceFile d)
    {
        var f = d.Function;
        _liveObjects.Remove(d);
        if (d.Group is { } gf)
        {
            f.GroupOpens--;
            gf.DeviceFiles--;
            if (!gf.FdOpen && gf.DeviceFiles == 0) ReleaseGroupFile(gf);
        }
        else if (d.AccessGranted)
        {
            Unbind(d);
        }
        if (f.GroupOpens > 0 || f.CdevOwner is not null) return null;
        // Last user gone: vfio-pci disables interrupts and resets the function (vfio_pci_core_disable); the next open
        // builds its virtual config anew.
        int irqType = f.IrqType;
        DisableAllIrqs(f);
        f.MsiEnableSeen = false;
        f.Model.Interrupts = null;
        var model = f.Model;
        var disable = MessageEnable(f, irqType, 0);
        if (disable is null) return model.CanReset ? model.Reset : null;
        return model.CanReset ? disable + model.Reset : disable;
    }

    private void Unbind(DeviceFile d)
    {
        var f = d.Function;
        DetachHwpt(d);
        var ctx = d.Context!;
        ctx.Objects.Remove(d.DeviceId!.Id);
        ctx.BoundDevices--;
        if (!ctx.FdOpen && ctx.BoundDevices == 0) ReleaseIommufd(ctx);
        d.Context = null;
        d.DeviceId = null;
        d.AccessGranted = false;
        f.CdevOwner = null;
        if (_groups.TryGetValue(f.Description.IommuGroup ?? -1, out var group)) group.CdevBound--;
        UpdateDma(f);
    }

    private void DropDomain(IommuDomain domain)
    {
        foreach (var m in domain.Tree.ToList()) AccountUnmap(m);
        domain.Tree.Clear();
    }

    private void AccountMap(IovaMapping m)
    {
        _dmaMappings++;
        _pinnedPages += (long)(m.Length / PageSize);
    }

    private void AccountUnmap(IovaMapping m)
    {
        _dmaMappings--;
        _pinnedPages -= (long)(m.Length / PageSize);
    }

    private IommuDomain NewDomain() => new(_seed++);

    // ---- IKernel: ioctl ----------------------------------------------------------------------------------

    /// <inheritdoc />
    public int Ioctl(int fd, ulong request, void* arg) => DoIoctl(fd, request, (nint)arg);

    /// <inheritdoc />
    public int IoctlValue(int fd, ulong request, nint value) => DoIoctl(fd, request, value);

    private int DoIoctl(int fd, ulong request, nint arg)
    {
        if (Injected(out int injected)) return injected;
        if (!IsEmulatedFd(fd))
        {
            int r = LibC.Ioctl(fd, (nuint)request, arg);
            return r >= 0 ? r : -Errno.Last;
        }
        Action? after = null;
        int result;
        lock (_lock)
        {
            if (!_files.TryGetValue(fd, out var file)) return -Errno.EBADF;
            result = file switch
            {
                ContainerFile c => ContainerIoctl(c, request, arg),
                GroupFile g => GroupIoctl(g, request, arg, out after),
                IommufdFile ctx => IommufdIoctl(ctx, request, arg),
                DeviceFile d => DeviceIoctl(d, request, arg, out after),
                _ => -Errno.ENOTTY,
            };
        }
        // Model calls (reset) run without the kernel lock: a model may be doing DMA through us on another thread.
        after?.Invoke();
        return result;
    }

    // ---- IKernel: data path ------------------------------------------------------------------------------

    /// <inheritdoc />
    public nint PRead(int fd, void* buffer, nuint count, long offset)
    {
        if (Injected(out int injected)) return injected;
        if (!IsEmulatedFd(fd))
        {
            nint r = LibC.PRead(fd, buffer, count, offset);
            return r >= 0 ? r : -Errno.Last;
        }
        return RegionAccess(fd, (byte*)buffer, count, offset, write: false);
    }

    /// <inheritdoc />
    public nint PWrite(int fd, void* buffer, nuint count, long offset)
    {
        if (Injected(out int injected)) return injected;
        if (!IsEmulatedFd(fd))
        {
            nint r = LibC.PWrite(fd, buffer, count, offset);
            return r >= 0 ? r : -Errno.Last;
        }
        return RegionAccess(fd, (byte*)buffer, count, offset, write: true);
    }

    /// <inheritdoc />
    public nint Read(int fd, void* buffer, nuint count)
    {
        if (Injected(out int injected)) return injected;
        if (IsEmulatedFd(fd)) return -Errno.EINVAL;
        nint r = LibC.Read(fd, buffer, count);
        return r >= 0 ? r : -Errno.Last;
    }

    /// <inheritdoc />
    public nint Write(int fd, void* buffer, nuint count)
    {
        if (Injected(out int injected)) return injected;
        if (IsEmulatedFd(fd)) return -Errno.EINVAL;
        nint r = LibC.Write(fd, buffer, count);
        return r >= 0 ? r : -Errno.Last;
    }

    /// <inheritdoc />
    public int EventFd(uint initialValue, int flags)
    {
        if (Injected(out int injected)) return injected;
        int fd = LibC.EventFd(initialValue, flags);
        if (fd < 0) return -Errno.Last;
        lock (_lock) _eventFds.Add(fd);
        return fd;
    }

    /// <inheritdoc />
    public int Poll(int fd, short events, int timeoutMilliseconds)
    {
        if (Injected(out int injected)) return injected;
        if (IsEmulatedFd(fd)) return -Errno.EINVAL;
        var pfd = new PollFd { Fd = fd, Events = events };
        int r = LibC.Poll(&pfd, 1, timeoutMilliseconds);
        return r < 0 ? -Errno.Last : r == 0 ? 0 : pfd.Revents;
    }

    /// <inheritdoc />
    public nint Mmap(nint address, nuint length, int protection, int flags, int fd, long offset)
    {
        if (Injected(out int injected)) return injected;
        if (!IsEmulatedFd(fd))
        {
            nint r = KernelNative.Mmap(address, length, protection, flags, fd, offset);
            return r == -1 ? KernelNative.LastError : r;
        }
        return MmapDevice(address, length, protection, flags, fd, offset);
    }

    /// <inheritdoc />
    public int Munmap(nint address, nuint length)
    {
        lock (_lock)
        {
            foreach (var start in _deviceMappings.Keys.Where(a => (nuint)(a - address) < length).ToArray())
                _deviceMappings.Remove(start);
        }
        return KernelNative.Munmap(address, length) == 0 ? 0 : KernelNative.LastError;
    }

    /// <summary>Disposes the device models and closes what userspace left open (eventfds it created stay its own).</summary>
    public void Dispose()
    {
        List<IPciDeviceModel> models;
        lock (_lock)
        {
            if (_disposed) return;
            _disposed = true;
            foreach (var f in _functions.Values) DisableAllIrqs(f);
            models = _functions.Values.Select(f => f.Model).ToList();
            _functions.Clear();
            _files.Clear();
        }
        foreach (var m in models) m.Dispose();
    }

    // ---- helpers for uAPI argument copies ----------------------------------------------------------------

    /// <summary>copy_from_user of the first min(userSize, sizeof(T)) bytes into a zeroed T.</summary>
    private static T CopyIn<T>(nint arg, uint userSize) where T : unmanaged
    {
        T value = default;
        uint n = Math.Min(userSize, (uint)sizeof(T));
        Buffer.MemoryCopy((void*)arg, &value, sizeof(T), n);
        return value;
    }

    /// <summary>copy_to_user of the first <paramref name="bytes"/> bytes of <paramref name="value"/>.</summary>
    private static void CopyOut<T>(nint arg, in T value, uint bytes) where T : unmanaged
    {
        fixed (T* p = &value) Buffer.MemoryCopy(p, (void*)arg, bytes, Math.Min(bytes, (uint)sizeof(T)));
    }

    private void RecordFault(FunctionState f, ulong iova, ulong length, bool write, string reason)
    {
        // Bounded so a runaway device cannot exhaust memory; the newest faults are the interesting ones.
        if (_faults.Count >= 4096) _faults.RemoveAt(0);
        _faults.Add(new IoPageFault(f.Address, iova, length, write, reason));
    }
}
