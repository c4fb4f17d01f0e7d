using System.Runtime.InteropServices;
using BenchmarkDotNet.Attributes;
using Eal.Emulation;
using Eal.Emulation.Devices;
using Eal.Emulation.Kernel;
using Eal.Vfio.Native;
using Eal.Vfio.Uapi;

namespace Eal.Benchmarks.Vfio;

/// <summary>
/// DMA map/unmap and device translation in the emulated IOMMU with 1 to 1,000,000 mappings already in the
/// domain (type1v2 container, one 4 KiB page per mapping, every other IOVA page used). One operation is one
/// VFIO_IOMMU_MAP_DMA + VFIO_IOMMU_UNMAP_DMA pair through the IKernel ioctl path, or one 8-byte device read
/// through the domain; the cost must grow at most logarithmically with the table size.
/// </summary>
[MemoryDiagnoser]
public unsafe class DmaMapBenchmarks
{
    private const int Probes = 1024;
    private EmulatedPlatform _platform = null!;
    private EmulatedKernel _kernel = null!;
    private int _container;
    private int _group;
    private void* _page;
    private ulong[] _free = null!;
    private ulong[] _mapped = null!;
    private IDmaPort _dma = null!;
    private int _next;

    /// <summary>Mappings in the domain while measuring.</summary>
    [Params(1, 1_000, 100_000, 1_000_000)]
    public int Mappings { get; set; }

    /// <summary>Builds the container and fills its domain.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _platform = new EmulatedPlatform(MachineSpec.Resolve("vfio=1,kernel=0"));
        // The table is what is measured: no per-call msync, no 65535-entry module limit.
        _kernel = new EmulatedKernel(_platform) { CheckUserMemory = false, DmaEntryLimit = int.MaxValue };
        var f = _platform.Machine.PciFunctions[0];
        _container = _kernel.Open(Path.Combine(_platform.DevRoot, "vfio/vfio"), LibC.OpenReadWrite);
        _group = _kernel.Open(Path.Combine(_platform.DevRoot, $"vfio/{f.IommuGroup}"), LibC.OpenReadWrite);
        int c = _container;
        Check(_kernel.Ioctl(_group, VfioIoctl.GroupSetContainer, &c), "SET_CONTAINER");
        Check(_kernel.IoctlValue(_container, VfioIoctl.SetIommu, (nint)VfioConstants.Type1v2Iommu), "SET_IOMMU");
        _page = NativeMemory.AlignedAlloc(4096, 4096);
        var random = new Random(42);
        _mapped = new ulong[Probes];
        _free = new ulong[Probes];
        for (int i = 0; i < Mappings; i++) Check(Map(Slot(2 * (ulong)i)), "MAP_DMA");
        for (int i = 0; i < Probes; i++)
        {
            ulong k = (ulong)random.NextInt64(Mappings);
            _mapped[i] = Slot(2 * k);
            _free[i] = Slot(2 * k + 1);
        }
        _dma = _kernel.GetDeviceModel(f.Address).Dma ?? throw new InvalidOperationException("device not attached");
    }

    // IOVAs below the MSI window and then above it, page by page.
    private static ulong Slot(ulong page) => page < 0xfee00 ? page << 12 : (page + 0x100) << 12;

    private int Map(ulong iova)
    {
        var m = new VfioIommuType1DmaMap { Argsz = 32, Flags = 3, Vaddr = (ulong)_page, Iova = iova, Size = 4096 };
        return _kernel.Ioctl(_container, VfioIoctl.IommuMapDma, &m);
    }

    private static void Check(int r, string what)
    {
        if (r < 0) throw new InvalidOperationException($"{what} failed: {Errno.Name(-r)}");
    }

    /// <summary>Map one page into a hole of the table, then unmap it.</summary>
    [Benchmark]
    public int MapUnmap()
    {
        ulong iova = _free[_next++ & (Probes - 1)];
        int r = Map(iova);
        var u = new VfioIommuType1DmaUnmap { Argsz = 24, Iova = iova, Size = 4096 };
        return r | _kernel.Ioctl(_container, VfioIoctl.IommuUnmapDma, &u);
    }

    /// <summary>One 8-byte device DMA read translated through the domain.</summary>
    [Benchmark]
    public bool DeviceRead()
    {
        Span<byte> b = stackalloc byte[8];
        return _dma.TryRead(_mapped[_next++ & (Probes - 1)], b);
    }

    /// <summary>Releases everything.</summary>
    [GlobalCleanup]
    public void Cleanup()
    {
        _kernel.Close(_group);
        _kernel.Close(_container);
        _kernel.Dispose();
        _platform.Dispose();
        NativeMemory.AlignedFree(_page);
    }
}
