using Eal;
using Eal.Bus.Pci;
using Eal.Dma.Edu;
using Eal.Emulation;
using Eal.Options;
using Eal.Vfio;
using Microsoft.Extensions.DependencyInjection;

namespace DmaCopy;

/// <summary>
/// Copies a buffer with the edu DMA device in each VFIO mode on the emulated platform (or, with <c>--real</c>, on
/// this machine's kernel with the EAL arguments given), then shows an I/O page fault on an IOVA that is not mapped.
/// </summary>
public static class DmaCopyApp
{
    /// <summary>The three emulated machines: one edu function bound to vfio-pci, VFIO in group, no-IOMMU and cdev mode.</summary>
    public static IReadOnlyList<(string Mode, string Spec)> Machines { get; } =
    [
        .. new[] { VfioMode.Group, VfioMode.NoIommu, VfioMode.Cdev }.Select(m => (m.ToOptionValue(), MachineSpec.OneFunction(m, "edu"))),
    ];

    /// <summary>Runs the example; returns the process exit code (0 when every mode copied and faulted as expected).</summary>
    public static int Run(IReadOnlyList<string> args, TextWriter stdout, TextWriter stderr)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(stdout);
        ArgumentNullException.ThrowIfNull(stderr);
        if (args.Count > 0 && args[0] is "-h" or "--help")
        {
            stdout.WriteLine("usage: dma-copy                 copy 64 KiB with the edu device in group, noiommu and cdev mode (emulated)");
            stdout.WriteLine("       dma-copy --real [EAL args] the same on this machine's kernel, e.g. --real -a 0000:00:10.0");
            return 0;
        }
        var runs = args.Count > 0 && args[0] == "--real"
            ? [("real", args.Skip(1).ToArray())]
            : Machines.Select(m => (m.Mode, new[] { "-l", "0", $"--emulate={m.Spec}", $"--vfio-mode={m.Mode}" })).ToList();
        int failures = 0;
        foreach (var (label, ealArgs) in runs)
        {
            try
            {
                RunOne(label, ealArgs, stdout);
            }
            catch (Exception ex) when (ex is EalArgumentException or EalInitException or EduDmaException or InvalidOperationException or IOException)
            {
                stderr.WriteLine($"dma-copy [{label}]: {ex.Message}");
                failures++;
            }
        }
        stdout.WriteLine(failures == 0 ? "all modes passed" : $"{failures} mode(s) failed");
        return failures == 0 ? 0 : 1;
    }

    private static unsafe void RunOne(string label, string[] ealArgs, TextWriter stdout)
    {
        using var eal = EalInstance.Init(ealArgs, s => s.AddPciDriver<EduDriver>());
        var pci = eal.Buses.OfType<PciBus>().Single();
        var driver = pci.Drivers.OfType<EduDriver>().Single();
        var edu = driver.Devices.FirstOrDefault()
            ?? throw new InvalidOperationException(eal.ProbeFailures.Count > 0
                ? "no edu device was probed: " + string.Join("; ", eal.ProbeFailures.Select(f => $"{f.Device.Name} ({f.Driver.Name}): {f.Reason}"))
                : "no edu device was probed; give an edu function bound to vfio-pci (-a <address>)");
        var device = pci.FindDevice(PciAddress.Parse(edu.Name))!;
        string irq = edu.InterruptIndex switch { 0 => "INTx", 1 => "MSI", 2 => "MSI-X", _ => "polling" };
        stdout.WriteLine($"[{label}] {edu.Name} edu id 0x{edu.Identification:x8}, VFIO mode {pci.GetVfioMode(device)?.ToString() ?? "?"}, IOVA as {eal.IovaMode}, interrupt {irq}");

        // DMA memory from the EAL heap: every allocation is in the default container already (memory events).
        const int Length = 64 * 1024;
        nint src = eal.Memory.Heap.Malloc(Length, 4096), dst = eal.Memory.Heap.Malloc(Length, 4096);
        try
        {
            var s = new Span<byte>((void*)src, Length);
            var d = new Span<byte>((void*)dst, Length);
            for (int i = 0; i < Length; i++) s[i] = (byte)(i * 31 + 7);
            d.Clear();
            ulong srcIova = eal.Memory.VirtualToIova(src), dstIova = eal.Memory.VirtualToIova(dst);
            var watch = System.Diagnostics.Stopwatch.StartNew();
            edu.Copy(srcIova, dstIova, Length);
            watch.Stop();
            if (!s.SequenceEqual(d)) throw new InvalidOperationException($"{edu.Name}: the copy completed but the destination differs from the source");
            stdout.WriteLine($"[{label}] copied {Length} bytes IOVA 0x{srcIova:x} -> 0x{dstIova:x} in {Length / EduDevice.ChunkSize * 2} DMAs, {watch.Elapsed.TotalMilliseconds:0.0} ms: data matches");

            // An IOVA nothing maps: the IOMMU (or, in no-IOMMU mode, the pagemap) has nothing there.
            ulong unmapped = 0xdead_0000_0000;
            if (label == "real" && pci.GetVfioMode(device) == VfioMode.NoIommu)
            {
                // Without an IOMMU nothing stands between the device and physical memory: never aim it at a bogus address.
                stdout.WriteLine($"[{label}] no IOMMU (unsafe no-IOMMU mode): skipped the DMA to an unmapped IOVA, it would reach physical address 0x{unmapped:x}");
                return;
            }
            try
            {
                edu.ToDevice(unmapped, 0, 256);
                if (label == "real")
                {
                    // QEMU's edu has no error bit: the vIOMMU blocks the access and logs a DMAR fault in the kernel log.
                    stdout.WriteLine($"[{label}] DMA from unmapped IOVA 0x{unmapped:x} was blocked by the IOMMU without the device noticing; see the DMAR fault in dmesg");
                    return;
                }
                throw new InvalidOperationException($"{edu.Name}: DMA from unmapped IOVA 0x{unmapped:x} succeeded; the IOMMU let it through");
            }
            catch (EduDmaException ex)
            {
                stdout.WriteLine($"[{label}] I/O page fault as expected: {ex.Message}");
            }
        }
        finally
        {
            eal.Memory.Heap.Free(dst);
            eal.Memory.Heap.Free(src);
        }
    }
}
