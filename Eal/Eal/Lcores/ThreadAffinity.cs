using System.Runtime.InteropServices;
using Eal.Memory.Os;

namespace Eal.Lcores;

/// <summary>The kernel calls lcores need: set/get a thread's CPU set and the calling thread's id.</summary>
internal interface IThreadAffinity
{
    /// <summary>The kernel thread id (<c>gettid</c>) of the calling thread.</summary>
    int CurrentThreadId();

    /// <summary>Pins the calling thread to <paramref name="cpus"/>; returns 0 or the errno.</summary>
    int SetCurrentThread(IReadOnlyList<int> cpus);

    /// <summary>The CPU set of thread <paramref name="tid"/> (0 = calling thread); throws on failure.</summary>
    IReadOnlyList<int> Get(int tid);
}

/// <summary>Linux <c>sched_setaffinity</c>/<c>sched_getaffinity</c>/<c>gettid</c> through libc.</summary>
internal sealed partial class LinuxThreadAffinity : IThreadAffinity
{
    /// <summary>glibc's <c>CPU_SETSIZE</c>: 1024 CPUs, 16 64-bit words.</summary>
    internal const int CpuSetSize = 1024;
    private const int Words = CpuSetSize / 64;

    public int CurrentThreadId() => gettid();

    public unsafe int SetCurrentThread(IReadOnlyList<int> cpus)
    {
        ulong* mask = stackalloc ulong[Words];
        new Span<ulong>(mask, Words).Clear();
        foreach (int cpu in cpus)
        {
            if ((uint)cpu >= CpuSetSize) return Errno.EINVAL;
            mask[cpu >> 6] |= 1UL << (cpu & 63);
        }
        return sched_setaffinity(0, Words * sizeof(ulong), mask) == 0 ? 0 : Marshal.GetLastPInvokeError();
    }

    public unsafe IReadOnlyList<int> Get(int tid)
    {
        ulong* mask = stackalloc ulong[Words];
        new Span<ulong>(mask, Words).Clear();
        if (sched_getaffinity(tid, Words * sizeof(ulong), mask) != 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            throw new IOException($"sched_getaffinity({tid}) failed: {Errno.Name(errno)}");
        }
        var list = new List<int>();
        for (int cpu = 0; cpu < CpuSetSize; cpu++)
            if ((mask[cpu >> 6] & (1UL << (cpu & 63))) != 0) list.Add(cpu);
        return list;
    }

    [LibraryImport("libc", SetLastError = true)]
    private static unsafe partial int sched_setaffinity(int pid, nuint cpusetsize, ulong* mask);

    [LibraryImport("libc", SetLastError = true)]
    private static unsafe partial int sched_getaffinity(int pid, nuint cpusetsize, ulong* mask);

    [LibraryImport("libc")]
    private static partial int gettid();
}
