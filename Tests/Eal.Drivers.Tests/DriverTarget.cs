using System.Globalization;
using Eal.Bus.Pci;
using Eal.Emulation;
using Eal.Vfio;
using Microsoft.Extensions.DependencyInjection;
using NUnit.Framework;

namespace Eal.Drivers.Tests;

/// <summary>Which kernel a driver case runs against.</summary>
public enum KernelKind
{
    /// <summary>The emulated kernel and device models (always available).</summary>
    Emulated,

    /// <summary>This machine's Linux kernel (inside the VM of <c>eng/vm</c>): real VFIO, QEMU's devices.</summary>
    Real,
}

/// <summary>
/// One PCI function driven through the whole stack — <see cref="EalInstance"/>, the PCI bus, VFIO in one mode — on
/// the emulated platform or on the real kernel. Driver cases are written once against this and run twice, by an
/// <c>Emulated…</c> and a <c>Real…</c> fixture twin; the real twin is ignored, with the reason, where the machine has
/// no such device bound to vfio-pci in that mode.
/// </summary>
public sealed class DriverTarget : IDisposable
{
    private DriverTarget(KernelKind kind, VfioMode mode, EalInstance eal, PciBus pci, PciDevice device)
    {
        Kind = kind;
        Mode = mode;
        Eal = eal;
        Pci = pci;
        Device = device;
    }

    /// <summary>The kernel in use.</summary>
    public KernelKind Kind { get; }

    /// <summary>The VFIO mode the device was opened in.</summary>
    public VfioMode Mode { get; }

    /// <summary>The running EAL.</summary>
    public EalInstance Eal { get; }

    /// <summary>The PCI bus.</summary>
    public PciBus Pci { get; }

    /// <summary>The function under test.</summary>
    public PciDevice Device { get; }

    /// <summary>
    /// Starts EAL with <paramref name="configure"/> (which registers the driver) on a function
    /// <paramref name="vendorId"/>:<paramref name="deviceId"/> bound to vfio-pci, in <paramref name="mode"/>.
    /// Emulated: a machine with one such function, added by the machine-spec key <paramref name="emulatedSpecKey"/>
    /// (e.g. <c>edu-qemu</c>, <c>e1000e</c>). Real: the first such function of this machine; the test is ignored when
    /// there is none or the kernel does not offer <paramref name="mode"/> for it.
    /// </summary>
    public static DriverTarget Start(KernelKind kind, VfioMode mode, ushort vendorId, ushort deviceId, string emulatedSpecKey,
        Action<IServiceCollection> configure)
    {
        string[] args = kind == KernelKind.Emulated
            ? ["-l", "0", $"--emulate={MachineSpec.OneFunction(mode, emulatedSpecKey)}", $"--vfio-mode={mode.ToOptionValue()}"]
            : RealArgs(mode, vendorId, deviceId);
        var eal = EalInstance.Init(args, configure);
        try
        {
            var pci = eal.Buses.OfType<PciBus>().Single();
            var device = pci.PciDevices.FirstOrDefault(d => d.Id.VendorId == vendorId && d.Id.DeviceId == deviceId && d.KernelDriver == "vfio-pci")
                ?? throw new AssertionException($"EAL scanned no {vendorId:x4}:{deviceId:x4} function bound to vfio-pci");
            var used = pci.GetVfioMode(device);
            if (used != mode)
                throw new AssertionException($"{device.Name} was opened in VFIO mode {used?.ToString() ?? "none"}, not {mode}");
            return new DriverTarget(kind, mode, eal, pci, device);
        }
        catch
        {
            eal.Dispose();
            throw;
        }
    }

    /// <summary>EAL arguments for the real function, or <see cref="Assert.Ignore(string)"/> with the reason it is absent.</summary>
    private static string[] RealArgs(VfioMode mode, ushort vendorId, ushort deviceId)
    {
        const string bound = "/sys/bus/pci/drivers/vfio-pci";
        string want = string.Create(CultureInfo.InvariantCulture, $"{vendorId:x4}:{deviceId:x4}");
        if (!Directory.Exists(bound))
            Assert.Ignore($"no real {want}: this kernel has no vfio-pci driver (run inside eng/vm/run-vm.sh)");
        string? bdf = Directory.GetDirectories(bound).Select(Path.GetFileName).Where(n => n!.Contains(':', StringComparison.Ordinal)).Order(StringComparer.Ordinal)
            .FirstOrDefault(n => SysfsId(n!, "vendor") == vendorId && SysfsId(n!, "device") == deviceId);
        if (bdf is null) Assert.Ignore($"no real {want} function is bound to vfio-pci here");
        string? groupLink = new FileInfo($"/sys/bus/pci/devices/{bdf}/iommu_group").LinkTarget;
        string group = groupLink is null ? "?" : Path.GetFileName(groupLink);
        bool noIommu = File.Exists($"/dev/vfio/noiommu-{group}");
        string? why = mode switch
        {
            VfioMode.Group when noIommu || !File.Exists($"/dev/vfio/{group}") => $"{bdf}: no IOMMU group node /dev/vfio/{group} (this kernel runs in no-IOMMU mode or has no IOMMU)",
            VfioMode.NoIommu when !noIommu => $"{bdf}: /dev/vfio/noiommu-{group} is absent (boot with vfio.enable_unsafe_noiommu_mode=1 and no IOMMU)",
            // Linux 6.12 lists vfio-dev/vfioN in sysfs for a no-IOMMU device too, but creates no /dev node for it.
            VfioMode.Cdev when !File.Exists("/dev/iommu") || CdevNode(bdf!) is not { } node || !File.Exists(node) => $"{bdf}: no VFIO cdev node (needs /dev/iommu, CONFIG_VFIO_DEVICE_CDEV and an IOMMU)",
            _ => null,
        };
        if (why != null) Assert.Ignore(why);

        // IOVA as VA works on anonymous memory; no-IOMMU needs physical addresses, which only hugepages keep stable.
        var memory = HugepagesAvailable() ? new[] { "-m", "64" } : mode == VfioMode.NoIommu
            ? throw new AssertionException("no-IOMMU mode needs IOVA as PA, hence hugepages: reserve them first (eng/setup-hugepages.sh)")
            : ["--no-huge", "-m", "64"];
        return ["-l", "0", "-a", bdf!, $"--vfio-mode={mode.ToOptionValue()}", .. memory];
    }

    private static string? CdevNode(string bdf)
    {
        string dir = $"/sys/bus/pci/devices/{bdf}/vfio-dev";
        return Directory.Exists(dir) && Directory.GetDirectories(dir).Select(Path.GetFileName).FirstOrDefault() is { } name ? $"/dev/vfio/devices/{name}" : null;
    }

    private static int SysfsId(string bdf, string file)
    {
        string text = File.ReadAllText($"/sys/bus/pci/devices/{bdf}/{file}").Trim();
        return int.Parse(text.AsSpan(2), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
    }

    private static bool HugepagesAvailable()
    {
        bool mounted = File.ReadLines("/proc/mounts").Any(l => l.Split(' ') is [_, _, "hugetlbfs", ..]);
        string? free = File.ReadLines("/proc/meminfo").FirstOrDefault(l => l.StartsWith("HugePages_Free:", StringComparison.Ordinal));
        return mounted && free != null && int.Parse(free["HugePages_Free:".Length..].Trim(), CultureInfo.InvariantCulture) >= 32;
    }

    /// <inheritdoc />
    public void Dispose() => Eal.Dispose();
}
