// Real-kernel smoke check of the VFIO API, run inside /work/shared/vm/run-vm.sh (both boots):
// for each mode the kernel offers, open the edu device, read region/IRQ info, map a buffer, unmap, release.
// Prints one line per check and "N passed, N failed"; exits non-zero on failure.
using System.Runtime.InteropServices;
using Eal.Platform;
using Eal.Vfio;
using Eal.Vfio.Native;
using Eal.Vfio.Uapi;

int passed = 0, failed = 0;
var platform = new RealPlatform();
var kernel = new LinuxKernel();
string[] bdfs = (Environment.GetEnvironmentVariable("VFIO_VM_BDFS") ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries);
if (bdfs.Length == 0) { Console.WriteLine("VFIO_VM_BDFS is empty: run inside run-vm.sh"); return 2; }
string bdf = bdfs[0];
string sysfsBase = "/sys/bus/pci/devices";

var requests = new List<VfioModeRequest>();
if (File.Exists("/sys/module/vfio/parameters/enable_unsafe_noiommu_mode") && File.ReadAllText("/sys/module/vfio/parameters/enable_unsafe_noiommu_mode").Trim() == "Y")
    requests.Add(VfioModeRequest.NoIommu);
else
{
    requests.Add(VfioModeRequest.Group);
    if (File.Exists("/dev/iommu")) requests.Add(VfioModeRequest.Cdev);
}
requests.Add(VfioModeRequest.Auto);

void Check(string name, Action body)
{
    try { body(); passed++; Console.WriteLine("PASS " + name); }
    catch (Exception e) { failed++; Console.WriteLine("FAIL " + name + ": " + e.GetType().Name + ": " + e.Message); }
}

foreach (var request in requests)
{
    Check($"{request}: setup, info, map, unmap, release {bdf}", () =>
    {
        using var vfio = new VfioManager(kernel, platform, request);
        var mode = vfio.GetDeviceMode(sysfsBase, bdf);
        var dev = vfio.SetupDevice(sysfsBase, bdf);
        var info = dev.GetInfo();
        var bar0 = dev.GetRegionInfo(VfioConstants.PciBar0RegionIndex);
        var cfg = dev.GetRegionInfo(VfioConstants.PciConfigRegionIndex);
        var msi = dev.GetIrqInfo(VfioConstants.PciMsiIrqIndex);
        Span<byte> ids = stackalloc byte[4];
        dev.ReadConfig(0, ids);
        Console.WriteLine($"  mode={mode.ToOptionValue()} processMode={vfio.Mode.ToOptionValue()} fd={dev.Fd} flags=0x{info.Flags:x} regions={info.NumRegions} irqs={info.NumIrqs} " +
            $"bar0 size=0x{bar0.Size:x} flags=0x{bar0.Flags:x} sparse={bar0.SparseMmapAreas?.Count.ToString() ?? "-"} cfg size=0x{cfg.Size:x} msi count={msi.Count} ids={BitConverter.ToUInt16(ids[..2]):x4}:{BitConverter.ToUInt16(ids[2..]):x4}");
        // edu: liveness register at 0x04 returns ~value.
        nint bar = dev.MapRegion(bar0, 0, 4096);
        Marshal.WriteInt32(bar, 4, 0x12345678);
        int live = Marshal.ReadInt32(bar, 4);
        dev.UnmapRegion(bar, 4096);
        Console.WriteLine($"  edu liveness ~0x12345678 = 0x{live:x8}");
        if (live != ~0x12345678) throw new InvalidOperationException("edu liveness register did not invert the value");
        var ranges = vfio.GetIovaRanges(dev.Container);
        Console.WriteLine("  iova ranges: " + string.Join(", ", ranges.Select(r => $"0x{r.Start:x}-0x{r.End:x}")));
        nint buffer = kernel.Mmap(0, 2 * 4096, MmapConstants.ProtRead | MmapConstants.ProtWrite, MmapConstants.MapPrivate | MmapConstants.MapAnonymous | MmapConstants.MapPopulate, -1, 0);
        if (KernelResult.IsMmapError(buffer)) throw new InvalidOperationException("mmap buffer: " + Errno.Name((int)-buffer));
        try
        {
            ulong iova = mode == VfioMode.NoIommu ? PhysicalAddress(buffer) : 0x10000000;
            vfio.DmaMap(dev.Container, (ulong)buffer, iova, 4096);
            vfio.DmaMap(dev.Container, (ulong)buffer + 4096, iova + 4096, 4096);
            Console.WriteLine($"  mapped 2 pages at IOVA 0x{iova:x}; user maps merged into {dev.Container.UserMaps.Count} entry");
            try { vfio.DmaMap(dev.Container, (ulong)buffer, iova, 4096); throw new InvalidOperationException("double map accepted"); }
            catch (VfioException e) { Console.WriteLine("  double map: " + e.Message); }
            vfio.DmaUnmap(dev.Container, (ulong)buffer, iova, 8192);
            Console.WriteLine("  unmapped");
        }
        finally { kernel.Munmap(buffer, 2 * 4096); }
        vfio.ReleaseDevice(dev);
    });
}

Check("group mode error when device is missing", () =>
{
    using var vfio = new VfioManager(kernel, platform);
    try { vfio.SetupDevice(sysfsBase, "0000:7f:1f.7"); throw new InvalidOperationException("no error"); }
    catch (VfioException e) { Console.WriteLine("  " + e.Message); }
});

Console.WriteLine($"{passed} passed, {failed} failed");
return failed == 0 ? 0 : 1;

static ulong PhysicalAddress(nint va)
{
    using var f = new FileStream("/proc/self/pagemap", FileMode.Open, FileAccess.Read);
    f.Seek((long)((ulong)va / 4096 * 8), SeekOrigin.Begin);
    Span<byte> b = stackalloc byte[8];
    f.ReadExactly(b);
    ulong e = BitConverter.ToUInt64(b);
    return (e & ((1UL << 55) - 1)) * 4096 + (ulong)va % 4096;
}

sealed class RealPlatform : IPlatform
{
    public string Name => "linux";
    public bool IsEmulated => false;
    public string SysfsRoot => "/sys";
    public string DevRoot => "/dev";
    public string ProcRoot => "/proc";
}
