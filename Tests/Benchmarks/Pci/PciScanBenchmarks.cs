using BenchmarkDotNet.Attributes;
using Eal.Bus;
using Eal.Bus.Pci;
using Eal.Emulation;
using Microsoft.Extensions.Logging.Abstractions;

namespace Eal.Benchmarks.Pci;

/// <summary>
/// Scan + match + probe of an emulated machine with <see cref="Functions"/> PCI functions bound to vfio-pci
/// (tree written once in <see cref="Setup"/>, on /dev/shm). One operation = a fresh bus scanning sysfs, matching
/// every function against the driver's id table and probing it, then cleanup. Target: 10,000 in under 1 s.
/// </summary>
[MemoryDiagnoser]
public class PciScanBenchmarks : IDisposable
{
    private EmulatedPlatform _platform = null!;
    private readonly PciDriver[] _drivers = [new BenchDriver()];

    [Params(1, 1000, 10000)]
    public int Functions { get; set; }

    [GlobalSetup]
    public void Setup() => _platform = EmulatedPlatform.FromSpec($"vfio={Functions},kernel=0");

    [Benchmark]
    public int ScanAndProbe()
    {
        using var bus = new PciBus(_drivers);
        bus.Scan(new BusContext(_platform, [], NullLoggerFactory.Instance));
        var report = bus.Probe();
        if (report.Probed.Count != Functions)
            throw new InvalidOperationException($"probed {report.Probed.Count} of {Functions} functions: {bus.ScanDiagnostics.FirstOrDefault()}");
        return report.Probed.Count;
    }

    [GlobalCleanup]
    public void Dispose()
    {
        _platform?.Dispose();
        GC.SuppressFinalize(this);
    }

    private sealed class BenchDriver : PciDriver
    {
        public override string Name => "net_bench";

        public override IReadOnlyList<PciId> IdTable { get; } = [PciId.Device(0x8086, 0x10fb), PciId.Device(0x8086, 0x1572)];

        public override ProbeOutcome Probe(PciDevice device) => ProbeOutcome.Probed;
    }
}
