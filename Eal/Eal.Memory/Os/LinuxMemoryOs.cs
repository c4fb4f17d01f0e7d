using System.Runtime.InteropServices;
using Eal.Memory.Native;

namespace Eal.Memory.Os;

/// <summary>The real Linux implementation of <see cref="IMemoryOs"/> (libc P/Invoke).</summary>
public sealed class LinuxMemoryOs : IMemoryOs
{
    private const int FallocPunchHole = 0x02;
    private const int FallocKeepSize = 0x01;

    /// <summary>Creates the seam over the given sysfs and procfs roots.</summary>
    public LinuxMemoryOs(string sysfsRoot = "/sys", string procRoot = "/proc")
    {
        SysfsRoot = sysfsRoot;
        ProcRoot = procRoot;
        SystemPageSize = (nuint)Environment.SystemPageSize;
    }

    /// <inheritdoc />
    public string SysfsRoot { get; }

    /// <inheritdoc />
    public string ProcRoot { get; }

    /// <inheritdoc />
    public nuint SystemPageSize { get; }

    /// <inheritdoc />
    public string? ReadText(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (FileNotFoundException)
        {
            return null;
        }
        catch (DirectoryNotFoundException)
        {
            return null;
        }
    }

    /// <inheritdoc />
    public IReadOnlyList<string> ListDirectory(string path) =>
        Directory.Exists(path) ? Directory.GetFileSystemEntries(path).Select(Path.GetFileName).OfType<string>().ToArray() : [];

    /// <inheritdoc />
    public nint ReserveAddressSpace(nint hint, nuint length, nuint alignment)
    {
        if (alignment < SystemPageSize)
        {
            alignment = SystemPageSize;
        }

        const int flags = LibC.MAP_PRIVATE | LibC.MAP_ANONYMOUS | LibC.MAP_NORESERVE;
        if (hint != 0 && (hint & (nint)(alignment - 1)) == 0)
        {
            // Exact placement wanted (--base-virtaddr); never clobber an existing mapping.
            nint at = LibC.Mmap(hint, length, LibC.PROT_NONE, flags | LibC.MAP_FIXED_NOREPLACE, -1, 0);
            if (at == hint)
            {
                return at;
            }

            if (at != LibC.MapFailed)
            {
                LibC.Munmap(at, length); // old kernels ignore NOREPLACE and treat it as a hint
            }
        }

        // Over-reserve, then trim the unaligned head and the tail.
        nuint total = length + alignment;
        nint raw = LibC.Mmap(hint, total, LibC.PROT_NONE, flags, -1, 0);
        if (raw == LibC.MapFailed)
        {
            throw new MemoryOsException("mmap", $"reserve 0x{length:x} bytes", Marshal.GetLastPInvokeError());
        }

        nint aligned = (nint)(((nuint)raw + alignment - 1) & ~(alignment - 1));
        nuint head = (nuint)(aligned - raw);
        if (head > 0)
        {
            LibC.Munmap(raw, head);
        }

        nuint tail = total - head - length;
        if (tail > 0)
        {
            LibC.Munmap(aligned + (nint)length, tail);
        }

        return aligned;
    }

    /// <inheritdoc />
    public void Unmap(nint address, nuint length)
    {
        if (LibC.Munmap(address, length) != 0)
        {
            throw new MemoryOsException("munmap", Range(address, length), Marshal.GetLastPInvokeError());
        }
    }

    /// <inheritdoc />
    public void Unback(nint address, nuint length)
    {
        const int flags = LibC.MAP_PRIVATE | LibC.MAP_ANONYMOUS | LibC.MAP_NORESERVE | LibC.MAP_FIXED;
        if (LibC.Mmap(address, length, LibC.PROT_NONE, flags, -1, 0) != address)
        {
            throw new MemoryOsException("mmap", "unback " + Range(address, length), Marshal.GetLastPInvokeError());
        }
    }

    /// <inheritdoc />
    public void MapAnonymous(nint address, nuint length, nuint hugePageSize, NumaPlacement placement)
    {
        int flags = LibC.MAP_PRIVATE | LibC.MAP_ANONYMOUS | LibC.MAP_FIXED;
        if (hugePageSize != 0)
        {
            flags |= LibC.MAP_HUGETLB | (System.Numerics.BitOperations.Log2(hugePageSize) << LibC.MAP_HUGE_SHIFT);
        }

        MapFixed(address, length, flags, -1, 0, (hugePageSize != 0 ? "MAP_HUGETLB " : "anonymous ") + Range(address, length), placement);
    }

    /// <inheritdoc />
    public int OpenHugepageFile(string path)
    {
        int fd = LibC.Open(path, LibC.O_RDWR | LibC.O_CREAT | LibC.O_CLOEXEC, 0x180 /* 0600 */);
        if (fd < 0)
        {
            throw new MemoryOsException("open", path, Marshal.GetLastPInvokeError());
        }

        return fd;
    }

    /// <inheritdoc />
    public void Allocate(int fd, string path, long offset, long length, NumaPlacement placement)
    {
        string target = $"{path} @0x{offset:x}+0x{length:x}";
        WithThreadPolicy(placement, target, () =>
        {
            if (LibC.Fallocate(fd, 0, offset, length) != 0)
            {
                throw new MemoryOsException("fallocate", target, Marshal.GetLastPInvokeError());
            }
        });
    }

    /// <inheritdoc />
    public void Deallocate(int fd, string path, long offset, long length)
    {
        if (LibC.Fallocate(fd, FallocPunchHole | FallocKeepSize, offset, length) != 0)
        {
            throw new MemoryOsException("fallocate", $"punch hole {path} @0x{offset:x}+0x{length:x}", Marshal.GetLastPInvokeError());
        }
    }

    /// <inheritdoc />
    public void MapFile(nint address, nuint length, int fd, string path, long offset, NumaPlacement placement) =>
        MapFixed(address, length, LibC.MAP_SHARED | LibC.MAP_FIXED, fd, offset, $"{path} @0x{offset:x} at {Range(address, length)}", placement);

    /// <inheritdoc />
    public void Close(int fd)
    {
        if (LibC.Close(fd) != 0)
        {
            throw new MemoryOsException("close", $"fd {fd}", Marshal.GetLastPInvokeError());
        }
    }

    /// <inheritdoc />
    public bool FileExists(string path) => File.Exists(path);

    /// <inheritdoc />
    public void Unlink(string path)
    {
        if (LibC.Unlink(path) != 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            if (errno != Errno.ENOENT)
            {
                throw new MemoryOsException("unlink", path, errno);
            }
        }
    }

    /// <inheritdoc />
    public unsafe ulong? VirtualToPhysical(nint virtualAddress)
    {
        string path = Path.Combine(ProcRoot, "self", "pagemap");
        int fd = LibC.Open(path, 0 /* O_RDONLY */ | LibC.O_CLOEXEC, 0);
        if (fd < 0)
        {
            return null;
        }

        try
        {
            ulong entry;
            long offset = (long)((nuint)virtualAddress / SystemPageSize) * 8;
            if (LibC.Pread(fd, &entry, 8, offset) != 8)
            {
                return null;
            }

            // Bit 63: present; bits 0-54: page frame number (zero when the caller lacks CAP_SYS_ADMIN).
            ulong pfn = entry & ((1UL << 55) - 1);
            if ((entry & (1UL << 63)) == 0 || pfn == 0)
            {
                return null;
            }

            return (pfn * SystemPageSize) + ((ulong)virtualAddress % SystemPageSize);
        }
        finally
        {
            LibC.Close(fd);
        }
    }

    /// <inheritdoc />
    public int? NodeOf(nint address)
    {
        int node = NumaCalls.NodeOf(address);
        return node >= 0 ? node : null;
    }

    /// <summary>
    /// mmap at a reserved address and populate; with a bound placement the policy goes on the new mapping (mbind)
    /// before anything is faulted in, and MADV_POPULATE_WRITE faults it in reporting a shortage as an error (MAP_POPULATE
    /// ignores it and the first touch gets SIGBUS). Any failure leaves the range reserved and unbacked.
    /// </summary>
    private void MapFixed(nint address, nuint length, int flags, int fd, long offset, string target, NumaPlacement placement)
    {
        const int prot = LibC.PROT_READ | LibC.PROT_WRITE;
        if (LibC.Mmap(address, length, prot, flags | (placement.IsBound ? 0 : LibC.MAP_POPULATE), fd, offset) != address)
        {
            int errno = Marshal.GetLastPInvokeError();
            Unback(address, length); // a failed MAP_FIXED may have dropped the reservation
            throw new MemoryOsException("mmap", target, errno);
        }

        if (!placement.IsBound)
        {
            return;
        }

        try
        {
            int err = NumaCalls.Mbind(address, length, placement);
            if (err != 0 && !(err == LibC.ENOSYS && placement.Node == 0))
            {
                throw new MemoryOsException("mbind", $"{target} to {placement}", err);
            }

            if (LibC.Madvise(address, length, LibC.MADV_POPULATE_WRITE) != 0)
            {
                err = Marshal.GetLastPInvokeError();
                if (err != Errno.EINVAL)
                {
                    // EFAULT/ENOMEM: the node has no page left for this range.
                    throw new MemoryOsException("madvise", $"MADV_POPULATE_WRITE {target} ({placement})", err);
                }

                // Before Linux 5.14: map again populated under the thread policy (the mbind above went with the old mapping).
                WithThreadPolicy(placement, target, () =>
                {
                    if (LibC.Mmap(address, length, prot, flags | LibC.MAP_POPULATE, fd, offset) != address)
                    {
                        throw new MemoryOsException("mmap", target, Marshal.GetLastPInvokeError());
                    }
                });
            }
        }
        catch
        {
            Unback(address, length);
            throw;
        }
    }

    /// <summary>Runs <paramref name="allocate"/> with the calling thread's memory policy set to <paramref name="placement"/> (DPDK's prepare/restore_numa).</summary>
    private static void WithThreadPolicy(NumaPlacement placement, string target, Action allocate)
    {
        if (!placement.IsBound)
        {
            allocate();
            return;
        }

        ulong[] oldMask = NumaCalls.NewMask();
        int err = NumaCalls.SetThreadPolicy(placement, out int oldMode, oldMask);
        if (err == LibC.ENOSYS && placement.Node == 0)
        {
            allocate(); // a kernel without NUMA: everything is on node 0
            return;
        }

        if (err != 0)
        {
            throw new MemoryOsException("set_mempolicy", $"{target} to {placement}", err);
        }

        try
        {
            allocate();
        }
        finally
        {
            // Cannot fail for a policy the kernel gave us; if it does, the thread keeps the binding, which is harmless for correctness.
            NumaCalls.RestoreThreadPolicy(oldMode, oldMask);
        }
    }

    private static string Range(nint address, nuint length) => $"0x{(nuint)address:x}-0x{(nuint)address + length:x}";
}
