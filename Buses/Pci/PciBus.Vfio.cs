using System.Buffers.Binary;
using Eal.Bus.Pci.Vfio;
using Eal.Platform;
using Eal.Vfio;
using Eal.Vfio.Native;
using Eal.Vfio.Uapi;
using Microsoft.Extensions.Logging;

namespace Eal.Bus.Pci;

/// <summary>The PCI bus's VFIO mapping (DPDK's <c>drivers/bus/pci/linux/pci_vfio.c</c>).</summary>
public partial class PciBus : IVfioBus
{
    private const int ConfigCommand = 0x04;
    private const ushort CommandIo = 0x0001, CommandMemory = 0x0002, CommandMaster = 0x0004;

    private VfioManager? _vfio;
    private IKernel? _kernel;
    private VfioInterruptMode _interrupts;

    /// <summary>
    /// Makes <see cref="DriverFlags.NeedMapping"/> probes map devices through <paramref name="vfio"/>: set up (assign to
    /// the container), reset when possible, BARs mapped (sparse-mmap areas into a reserved range, the MSI-X table left
    /// out unless mappable), memory decoding (I/O decoding too for an I/O-port BAR) and bus mastering enabled, interrupts prepared per
    /// <paramref name="interrupts"/>. Call before probing.
    /// </summary>
    /// <param name="vfio">The instance's VFIO manager.</param>
    /// <param name="kernel">The system-call seam the manager uses (eventfds, polls).</param>
    /// <param name="interrupts"><c>--vfio-intr</c>: auto picks MSI-X, then MSI, then INTx; an explicit kind must exist.</param>
    public void UseVfio(VfioManager vfio, IKernel kernel, VfioInterruptMode interrupts)
    {
        ArgumentNullException.ThrowIfNull(vfio);
        ArgumentNullException.ThrowIfNull(kernel);
        lock (Gate)
        {
            _vfio = vfio;
            _kernel = kernel;
            _interrupts = interrupts;
        }
    }

    /// <summary>The VFIO mode <paramref name="device"/> was mapped with, or null when it is not mapped.</summary>
    public VfioMode? GetVfioMode(PciDevice device)
    {
        ArgumentNullException.ThrowIfNull(device);
        return device.Mapping?.Mode;
    }

    /// <summary>
    /// Maps [<paramref name="virtualAddress"/>, +<paramref name="length"/>) at <paramref name="iova"/> into the VFIO
    /// container of <paramref name="device"/> (DPDK's <c>pci_vfio_dma_map</c>); the device must be mapped.
    /// </summary>
    /// <exception cref="NotSupportedException">The device is not mapped through VFIO.</exception>
    /// <exception cref="VfioException">The kernel refused; the message names the errno and the fix.</exception>
    public override void DmaMap(Device device, nint virtualAddress, ulong iova, ulong length)
    {
        var (vfio, container) = ContainerOf(device);
        vfio.DmaMap(container, (ulong)virtualAddress, iova, length);
    }

    /// <summary>Unmaps what <see cref="DmaMap"/> mapped.</summary>
    /// <exception cref="NotSupportedException">The device is not mapped through VFIO.</exception>
    /// <exception cref="VfioException">The kernel refused.</exception>
    public override void DmaUnmap(Device device, nint virtualAddress, ulong iova, ulong length)
    {
        var (vfio, container) = ContainerOf(device);
        vfio.DmaUnmap(container, (ulong)virtualAddress, iova, length);
    }

    private (VfioManager, VfioContainer) ContainerOf(Device device)
    {
        ArgumentNullException.ThrowIfNull(device);
        if (device is not PciDevice { Mapping: { } m })
            throw new NotSupportedException($"{device.Name} is not mapped through VFIO, so the PCI bus cannot map DMA memory for it (ENOTSUP); probe it with a driver that needs mapping first");
        lock (Gate) return (_vfio!, m.Vfio.Container);
    }

    private bool VfioConfigured
    {
        get { lock (Gate) return _vfio is not null; }
    }

    private void MapWithVfio(PciDevice device)
    {
        VfioManager vfio;
        IKernel kernel;
        VfioInterruptMode interrupts;
        lock (Gate) (vfio, kernel, interrupts) = (_vfio!, _kernel!, _interrupts);
        string sysfsBase = Path.Combine(Context!.Platform.SysfsRoot, "bus", "pci", "devices");
        VfioDevice vd;
        try
        {
            vd = vfio.SetupDevice(sysfsBase, device.Name);
        }
        catch (VfioException e)
        {
            throw new DeviceProbeException($"{device.Name}: cannot set up VFIO: {e.Message}", e);
        }

        var bars = new PciMappedBar?[6];
        PciMappedDevice? mapped = null;
        try
        {
            var info = vd.GetInfo();
            // Reset first (DPDK does it at setup): the device starts from a known state before we program it.
            bool wasReset = (info.Flags & VfioConstants.DeviceFlagsReset) != 0 && vd.TryReset();
            Span<byte> config = stackalloc byte[256];
            vd.ReadConfig(0, config);
            var msix = MsixTableOf(config);
            for (int i = 0; i < 6; i++) bars[i] = MapBar(vd, i, config, msix);
            mapped = new PciMappedDevice(kernel, vd, bars, wasReset);

            ushort command = BinaryPrimitives.ReadUInt16LittleEndian(config[ConfigCommand..]);
            // I/O decoding too when the device has an I/O-port BAR (reached by pread/pwrite, which needs it decoded).
            ushort wanted = (ushort)(CommandMemory | CommandMaster | (HasIoBar(bars, config) ? CommandIo : 0));
            ushort set = (ushort)(wanted & ~command);
            if (set != 0)
            {
                Span<byte> v = stackalloc byte[2];
                BinaryPrimitives.WriteUInt16LittleEndian(v, (ushort)(command | set));
                vd.WriteConfig(ConfigCommand, v);
                mapped.CommandBitsSet = set;
            }
            PrepareInterrupts(device, vd, mapped, kernel, interrupts);
            device.Mapping = mapped;
            VfioBusLog.Mapped(Logger, device.Name, vd.Mode.ToOptionValue(), mapped.InterruptIndex switch { 0 => "intx", 1 => "msi", 2 => "msix", _ => "none" });
        }
        catch (Exception e) when (e is VfioException or IOException or DeviceProbeException)
        {
            Teardown(vfio, kernel, vd, bars, mapped);
            throw e is DeviceProbeException ? e : new DeviceProbeException($"{device.Name}: VFIO mapping failed: {e.Message}", e);
        }
    }

    private void UnmapWithVfio(PciDevice device)
    {
        if (device.Mapping is not { } mapped) return;
        VfioManager vfio;
        IKernel kernel;
        lock (Gate) (vfio, kernel) = (_vfio!, _kernel!);
        device.Mapping = null;
        var bars = new PciMappedBar?[6];
        for (int i = 0; i < 6; i++) bars[i] = mapped.Bars[i];
        Teardown(vfio, kernel, mapped.Vfio, bars, mapped);
    }

    // Reverses MapWithVfio in exact reverse order from wherever it got to; keeps going past failures so nothing leaks.
    private void Teardown(VfioManager vfio, IKernel kernel, VfioDevice vd, PciMappedBar?[] bars, PciMappedDevice? mapped)
    {
        var errors = new List<Exception>();
        void Try(Action a)
        {
            try { a(); }
            catch (Exception e) when (e is VfioException or IOException) { errors.Add(e); }
        }
        if (mapped is not null)
        {
            Try(mapped.DisableInterrupts);
            if (mapped.InterruptEventFd >= 0)
            {
                kernel.Close(mapped.InterruptEventFd);
                mapped.InterruptEventFd = -1;
            }
            if (mapped.CommandBitsSet != 0)
            {
                Try(() =>
                {
                    Span<byte> v = stackalloc byte[2];
                    vd.ReadConfig(ConfigCommand, v);
                    BinaryPrimitives.WriteUInt16LittleEndian(v, (ushort)(BinaryPrimitives.ReadUInt16LittleEndian(v) & ~mapped.CommandBitsSet));
                    vd.WriteConfig(ConfigCommand, v);
                });
                mapped.CommandBitsSet = 0;
            }
        }
        for (int i = bars.Length - 1; i >= 0; i--)
        {
            if (bars[i] is not { Address: not 0 } b) continue;
            Try(() => ReleaseBar(vd, b.Address, b.Size));
            bars[i] = null;
        }
        Try(() => vfio.ReleaseDevice(vd));
        foreach (var e in errors) VfioBusLog.TeardownError(Logger, vd.Address, e.Message);
    }

    private static bool HasIoBar(PciMappedBar?[] bars, ReadOnlySpan<byte> config)
    {
        foreach (var b in bars)
            if (b is not null && IsIoBar(config, b.Index)) return true;
        return false;
    }

    private static bool IsIoBar(ReadOnlySpan<byte> config, int index) =>
        (BinaryPrimitives.ReadUInt32LittleEndian(config[(0x10 + 4 * index)..]) & 1) != 0;

    private static (int Bar, ulong Start, ulong End)? MsixTableOf(ReadOnlySpan<byte> config)
    {
        int cap = PciMappedDevice.FindCapability(config, 0x11);
        if (cap == 0) return null;
        int vectors = (BinaryPrimitives.ReadUInt16LittleEndian(config[(cap + 2)..]) & 0x7FF) + 1;
        uint table = BinaryPrimitives.ReadUInt32LittleEndian(config[(cap + 4)..]);
        ulong start = table & ~7u;
        return ((int)(table & 7), start, start + (ulong)(16 * vectors));
    }

    private static unsafe PciMappedBar? MapBar(VfioDevice vd, int index, ReadOnlySpan<byte> config, (int Bar, ulong Start, ulong End)? msix)
    {
        var region = vd.GetRegionInfo((uint)index);
        if (region.Size == 0) return null;
        if (IsIoBar(config, index) || !region.CanMmap) return new PciMappedBar(index, region, 0, []);

        ulong page = (ulong)Environment.SystemPageSize;
        List<(ulong Offset, ulong Size)> areas;
        if (region.SparseMmapAreas is { } sparse)
        {
            areas = sparse.Where(a => a.Size != 0).Select(a => (a.Offset, a.Size)).ToList();
        }
        else if (msix is { } t && t.Bar == index && !region.MsixMappable)
        {
            // No sparse capability: map around the pages of the MSI-X table (older kernels trap it).
            ulong holeStart = t.Start & ~(page - 1), holeEnd = Math.Min(region.Size, (t.End + page - 1) & ~(page - 1));
            areas = [];
            if (holeStart > 0) areas.Add((0, holeStart));
            if (holeEnd < region.Size) areas.Add((holeEnd, region.Size - holeEnd));
        }
        else
        {
            areas = [(0, region.Size)];
        }
        if (areas.Count == 0) return new PciMappedBar(index, region, 0, []);

        // Reserve the whole BAR so its areas keep their relative offsets (DPDK maps into a reserved range too).
        nint reserved = LibC.Mmap(0, (nuint)region.Size, MmapConstants.ProtNone, MmapConstants.MapPrivate | MmapConstants.MapAnonymous | MmapConstants.MapNoReserve, -1, 0);
        if (reserved == -1)
            throw new IOException($"{vd.Address}: cannot reserve 0x{region.Size:x} bytes of address space for BAR{index}: {Errno.Name(Errno.Last)}; raise the address-space limit (ulimit -v)");
        var mapped = new List<(ulong, ulong)>(areas.Count);
        try
        {
            foreach (var (offset, size) in areas)
            {
                vd.MapRegion(region, offset, size, reserved + (nint)offset);
                mapped.Add((offset, size));
            }
        }
        catch
        {
            try { ReleaseBar(vd, reserved, region.Size); }
            catch (VfioException) { }
            throw;
        }
        return new PciMappedBar(index, region, reserved, mapped);
    }

    // One munmap over the whole reservation, areas included. Unmapping the areas first would leave holes that another
    // thread's mmap (the runtime maps code pages at any time) could take before the reservation goes, and releasing the
    // reservation would then unmap that thread's memory.
    private static void ReleaseBar(VfioDevice vd, nint reserved, ulong size) => vd.UnmapRegion(reserved, size);

    private static void PrepareInterrupts(PciDevice device, VfioDevice vd, PciMappedDevice mapped, IKernel kernel, VfioInterruptMode mode)
    {
        int chosen = -1;
        // DPDK's order: MSI-X, then MSI, then INTx; an explicit --vfio-intr takes only that one.
        foreach (int index in new[] { 2, 1, 0 })
        {
            bool wanted = mode switch
            {
                VfioInterruptMode.Msix => index == 2,
                VfioInterruptMode.Msi => index == 1,
                VfioInterruptMode.Legacy => index == 0,
                _ => true,
            };
            if (!wanted) continue;
            var irq = vd.GetIrqInfo((uint)index);
            if (irq.Count == 0 || (irq.Flags & VfioConstants.IrqInfoEventfd) == 0) continue;
            chosen = index;
            break;
        }
        if (chosen < 0)
        {
            if (mode == VfioInterruptMode.Auto) return;
            string name = mode switch { VfioInterruptMode.Msix => "msix", VfioInterruptMode.Msi => "msi", _ => "legacy" };
            throw new DeviceProbeException($"{device.Name}: --vfio-intr={name}: the device has no {name} interrupt with eventfd support; use another --vfio-intr value (or leave it out to pick the first supported)");
        }
        int fd = kernel.EventFd(0, LibC.EventFdNonBlock | LibC.EventFdCloseOnExec);
        if (fd < 0) throw new IOException($"{device.Name}: eventfd for interrupts failed: {Errno.Name(-fd)}; check the open-files limit (ulimit -n)");
        mapped.InterruptEventFd = fd;
        mapped.InterruptIndex = chosen;
    }
}

internal static partial class VfioBusLog
{
    [LoggerMessage(EventId = 40, Level = LogLevel.Information, Message = "{Device}: mapped through VFIO in {Mode} mode, interrupt {Interrupt}")]
    public static partial void Mapped(ILogger logger, string device, string mode, string interrupt);

    [LoggerMessage(EventId = 41, Level = LogLevel.Warning, Message = "{Device}: VFIO teardown step failed: {Message}")]
    public static partial void TeardownError(ILogger logger, string device, string message);
}
