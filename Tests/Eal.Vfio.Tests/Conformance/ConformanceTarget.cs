using System.Runtime.InteropServices;
using Eal.Emulation;
using Eal.Emulation.Kernel;
using Eal.Platform;
using Eal.Vfio.Native;

namespace Eal.Vfio.Tests.Conformance;

/// <summary>The VFIO flavour a conformance fixture exercises.</summary>
public enum VfioFlavour
{
    /// <summary>Container + /dev/vfio/N with type1v2.</summary>
    Group,
    /// <summary>Container + /dev/vfio/noiommu-N.</summary>
    NoIommu,
    /// <summary>/dev/iommu + /dev/vfio/devices/vfioN.</summary>
    Cdev,
}

/// <summary>
/// The PCI function a conformance fixture needs, as the VM has it (QEMU's device) and as the emulated platform
/// models it (the machine-spec key of its device model).
/// </summary>
/// <param name="Name">The name in messages.</param>
/// <param name="VendorId">PCI vendor id.</param>
/// <param name="DeviceId">PCI device id.</param>
/// <param name="SpecKey">The <c>--emulate</c> key that adds one such function with its model.</param>
public sealed record ConformanceDevice(string Name, ushort VendorId, ushort DeviceId, string SpecKey)
{
    /// <summary>QEMU's edu (1234:11e8): MSI only, no reset (the emulated twin uses the QEMU-profile edu model).</summary>
    public static ConformanceDevice Edu { get; } = new("edu", 0x1234, 0x11e8, "edu-qemu");

    /// <summary>QEMU's e1000e (8086:10d3): MSI-X, reset, an I/O BAR and a ROM.</summary>
    public static ConformanceDevice E1000e { get; } = new("e1000e", 0x8086, 0x10d3, "e1000e");

    /// <summary>Whether the sysfs directory <paramref name="device"/> is this function.</summary>
    public bool Matches(string device) => Id(device, "vendor") == VendorId && Id(device, "device") == DeviceId;

    private static int Id(string device, string file) =>
        int.Parse(File.ReadAllText(Path.Combine(device, file)).Trim().AsSpan(2), System.Globalization.NumberStyles.HexNumber, System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>A kernel to run the conformance cases against, and one vfio-pci device on it.</summary>
public abstract class ConformanceTarget : IDisposable
{
    /// <summary>The kernel under test.</summary>
    public abstract IKernel Kernel { get; }

    /// <summary>The /dev root (/dev on a real machine).</summary>
    public abstract string DevRoot { get; }

    /// <summary>A function bound to vfio-pci.</summary>
    public abstract string Device { get; }

    /// <summary>Its IOMMU group.</summary>
    public abstract int Group { get; }

    /// <summary>Its VFIO cdev index, or null.</summary>
    public abstract int? Cdev { get; }

    /// <summary>The emulated kernel, or null on a real one.</summary>
    public virtual EmulatedKernel? Emulated => null;

    /// <summary>Releases the target.</summary>
    public virtual void Dispose() => GC.SuppressFinalize(this);
}

/// <summary>The emulated kernel on an emulated machine set up for one flavour.</summary>
public sealed class EmulatedTarget : ConformanceTarget
{
    private readonly EmulatedPlatform _platform;
    private readonly EmulatedKernel _kernel;

    /// <summary>
    /// Builds the machine: default (IOMMU, IOMMUFD, cdev) or iommu=off,noiommu=on; with two generic NICs bound to
    /// vfio-pci, or with one <paramref name="device"/> and its model.
    /// </summary>
    public EmulatedTarget(VfioFlavour flavour, ConformanceDevice? device = null)
    {
        string functions = device is null ? "vfio=2" : $"vfio=0,kernel=0,{device.SpecKey}=1";
        _platform = new EmulatedPlatform(MachineSpec.Resolve(flavour == VfioFlavour.NoIommu ? $"iommu=off,noiommu=on,{functions}" : functions));
        // the models EAL uses (edu, e1000e, generic fallback), so a device-specific case meets its device's behaviour
        _kernel = new EmulatedKernel(_platform, Eal.Emulation.Devices.PciDeviceModelRegistry.CreateDefault().AsProvider());
        var f = _platform.Machine.PciFunctions.First(p => p.Driver == "vfio-pci");
        Device = f.Address;
        Group = f.IommuGroup!.Value;
        Cdev = f.VfioCdev;
    }

    /// <inheritdoc />
    public override IKernel Kernel => _kernel;
    /// <inheritdoc />
    public override string DevRoot => _platform.DevRoot;
    /// <inheritdoc />
    public override string Device { get; }
    /// <inheritdoc />
    public override int Group { get; }
    /// <inheritdoc />
    public override int? Cdev { get; }
    /// <inheritdoc />
    public override EmulatedKernel? Emulated => _kernel;

    /// <summary>The platform (for binding changes).</summary>
    public EmulatedPlatform Platform => _platform;

    /// <inheritdoc />
    public override void Dispose()
    {
        _kernel.Dispose();
        _platform.Dispose();
        base.Dispose();
    }
}

/// <summary>The machine's own kernel, when it has VFIO and a device bound to vfio-pci.</summary>
public sealed class RealTarget : ConformanceTarget
{
    private RealTarget(string device, int group, int? cdev)
    {
        Device = device;
        Group = group;
        Cdev = cdev;
    }

    /// <summary>
    /// The real target for <paramref name="flavour"/> (the first vfio-pci function, or the first
    /// <paramref name="device"/>), or null with the reason it is not available.
    /// </summary>
    public static RealTarget? TryCreate(VfioFlavour flavour, out string reason, ConformanceDevice? device = null)
    {
        reason = string.Empty;
        if (!File.Exists("/dev/vfio/vfio") && !File.Exists("/dev/iommu"))
        {
            reason = "no real VFIO here (/dev/vfio/vfio and /dev/iommu are absent); run inside eng/vm/run-vm.sh to test a real kernel";
            return null;
        }
        const string drivers = "/sys/bus/pci/drivers/vfio-pci";
        var devices = Directory.Exists(drivers) ? Directory.GetDirectories(drivers).Select(Path.GetFileName).Where(n => n!.Contains(':')).Order().ToList() : [];
        if (device is not null) devices = devices.Where(bdf => device.Matches($"/sys/bus/pci/devices/{bdf}")).ToList();
        foreach (var bdf in devices)
        {
            var link = new FileInfo($"/sys/bus/pci/devices/{bdf}/iommu_group").LinkTarget;
            if (link is null) continue;
            int group = int.Parse(Path.GetFileName(link), System.Globalization.CultureInfo.InvariantCulture);
            bool noIommu = File.Exists($"/dev/vfio/noiommu-{group}");
            string vfioDev = $"/sys/bus/pci/devices/{bdf}/vfio-dev";
            int? cdev = Directory.Exists(vfioDev)
                ? Directory.GetDirectories(vfioDev).Select(Path.GetFileName).Where(n => n!.StartsWith("vfio", StringComparison.Ordinal))
                    .Select(n => (int?)int.Parse(n!["vfio".Length..], System.Globalization.CultureInfo.InvariantCulture)).FirstOrDefault()
                : null;
            bool fits = flavour switch
            {
                VfioFlavour.Group => !noIommu && File.Exists($"/dev/vfio/{group}"),
                VfioFlavour.NoIommu => noIommu,
                // a no-IOMMU boot lists vfio-dev/vfioN in sysfs and has /dev/iommu, but 6.12 creates no cdev node for it
                _ => cdev is not null && File.Exists("/dev/iommu") && File.Exists($"/dev/vfio/devices/vfio{cdev}"),
            };
            if (fits) return new RealTarget(bdf!, group, cdev);
        }
        reason = $"the real kernel has no vfio-pci {device?.Name ?? "device"} usable in {flavour} mode";
        return null;
    }

    /// <inheritdoc />
    public override IKernel Kernel { get; } = new LibCKernel();
    /// <inheritdoc />
    public override string DevRoot => "/dev";
    /// <inheritdoc />
    public override string Device { get; }
    /// <inheritdoc />
    public override int Group { get; }
    /// <inheritdoc />
    public override int? Cdev { get; }
}

/// <summary>IKernel straight over libc (for the real-kernel fixtures).</summary>
internal sealed unsafe partial class LibCKernel : IKernel
{
    [LibraryImport("libc", EntryPoint = "mmap", SetLastError = true)]
    private static partial nint MmapNative(nint address, nuint length, int prot, int flags, int fd, long offset);

    [LibraryImport("libc", EntryPoint = "munmap", SetLastError = true)]
    private static partial int MunmapNative(nint address, nuint length);

    private static int R(int r) => r >= 0 ? r : -Errno.Last;
    private static nint R(nint r) => r >= 0 ? r : -Errno.Last;

    public int Open(string path, int flags) => R(LibC.Open(path, flags));
    public int Close(int fd) => R(LibC.Close(fd));
    public int Ioctl(int fd, ulong request, void* arg) => R(LibC.Ioctl(fd, (nuint)request, arg));
    public int IoctlValue(int fd, ulong request, nint value) => R(LibC.Ioctl(fd, (nuint)request, value));
    public nint PRead(int fd, void* buffer, nuint count, long offset) => R(LibC.PRead(fd, buffer, count, offset));
    public nint PWrite(int fd, void* buffer, nuint count, long offset) => R(LibC.PWrite(fd, buffer, count, offset));
    public nint Read(int fd, void* buffer, nuint count) => R(LibC.Read(fd, buffer, count));
    public nint Write(int fd, void* buffer, nuint count) => R(LibC.Write(fd, buffer, count));
    public nint Mmap(nint address, nuint length, int protection, int flags, int fd, long offset)
    {
        nint r = MmapNative(address, length, protection, flags, fd, offset);
        return r == -1 ? -Errno.Last : r;
    }
    public int Munmap(nint address, nuint length) => R(MunmapNative(address, length));
    public int EventFd(uint initialValue, int flags) => R(LibC.EventFd(initialValue, flags));
    public int Poll(int fd, short events, int timeoutMilliseconds)
    {
        var p = new PollFd { Fd = fd, Events = events };
        int r = LibC.Poll(&p, 1, timeoutMilliseconds);
        return r < 0 ? -Errno.Last : r == 0 ? 0 : p.Revents;
    }
}
