using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;

namespace Eal.Benchmarks.Rings;

/// <summary>
/// Reads the time-stamp counter, the clock DPDK's perf tests count in, so "cycles" mean the same thing on both
/// sides. On x86-64 Linux a 10-byte RDTSC stub is placed in an executable page; elsewhere the Stopwatch is
/// converted with the TSC frequency from /proc/cpuinfo (<c>cpu MHz</c>), and <see cref="Source"/> says so.
/// </summary>
internal sealed unsafe class CycleClock : IDisposable
{
    private const int ProtRead = 1, ProtWrite = 2, ProtExec = 4, MapPrivate = 2, MapAnonymous = 0x20;
    private readonly delegate* unmanaged<ulong> _rdtsc;
    private readonly void* _page;

    public CycleClock()
    {
        if (RuntimeInformation.ProcessArchitecture == Architecture.X64 && OperatingSystem.IsLinux())
        {
            void* page = Mmap(null, 4096, ProtRead | ProtWrite, MapPrivate | MapAnonymous, -1, 0);
            if (page != (void*)-1)
            {
                // rdtsc; shl rdx, 32; or rax, rdx; ret
                byte[] code = [0x0F, 0x31, 0x48, 0xC1, 0xE2, 0x20, 0x48, 0x09, 0xD0, 0xC3];
                code.CopyTo(new Span<byte>(page, code.Length));
                if (Mprotect(page, 4096, ProtRead | ProtExec) == 0)
                {
                    _page = page;
                    _rdtsc = (delegate* unmanaged<ulong>)page;
                }
            }
        }

        if (_rdtsc != null)
        {
            // Calibrate TSC Hz against the Stopwatch (for reporting and for ns conversions).
            long t0 = Stopwatch.GetTimestamp();
            ulong c0 = _rdtsc();
            Thread.Sleep(200);
            ulong c1 = _rdtsc();
            long t1 = Stopwatch.GetTimestamp();
            Hz = (c1 - c0) / ((double)(t1 - t0) / Stopwatch.Frequency);
            Source = "rdtsc";
        }
        else
        {
            Hz = CpuInfoMhz() * 1e6;
            Source = "stopwatch x /proc/cpuinfo cpu MHz";
        }
    }

    public double Hz { get; }

    public string Source { get; }

    public ulong Now() => _rdtsc != null ? _rdtsc() : (ulong)(Stopwatch.GetTimestamp() * (Hz / Stopwatch.Frequency));

    public void Dispose()
    {
        if (_page != null)
        {
            _ = Munmap(_page, 4096);
        }
    }

    private static double CpuInfoMhz()
    {
        foreach (string line in File.ReadLines("/proc/cpuinfo"))
        {
            if (line.StartsWith("cpu MHz", StringComparison.Ordinal))
            {
                return double.Parse(line[(line.IndexOf(':') + 1)..].Trim(), CultureInfo.InvariantCulture);
            }
        }

        throw new InvalidOperationException("No 'cpu MHz' line in /proc/cpuinfo; cannot convert time to cycles.");
    }

    [DllImport("libc", EntryPoint = "mmap")]
    private static extern void* Mmap(void* addr, nuint length, int prot, int flags, int fd, nint offset);

    [DllImport("libc", EntryPoint = "mprotect")]
    private static extern int Mprotect(void* addr, nuint length, int prot);

    [DllImport("libc", EntryPoint = "munmap")]
    private static extern int Munmap(void* addr, nuint length);
}
