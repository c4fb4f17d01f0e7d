using System.Runtime.InteropServices;

namespace Eal.Emulation.Kernel;

/// <summary>The few real system calls the emulated kernel needs (real eventfds, BAR memory, mmap of it).</summary>
internal static unsafe partial class KernelNative
{
    internal const int ProtRead = 1;
    internal const int ProtWrite = 2;
    internal const int MapShared = 1;
    internal const int MapPrivate = 2;
    internal const int MapFixed = 0x10;
    internal const int MfdCloexec = 1;

    [LibraryImport("libc", EntryPoint = "mmap", SetLastError = true)]
    internal static partial nint Mmap(nint address, nuint length, int prot, int flags, int fd, long offset);

    [LibraryImport("libc", EntryPoint = "munmap", SetLastError = true)]
    internal static partial int Munmap(nint address, nuint length);

    [LibraryImport("libc", EntryPoint = "dup", SetLastError = true)]
    internal static partial int Dup(int fd);

    [LibraryImport("libc", EntryPoint = "ftruncate", SetLastError = true)]
    internal static partial int FTruncate(int fd, long length);

    [LibraryImport("libc", EntryPoint = "memfd_create", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int MemfdCreate(string name, uint flags);

    [LibraryImport("libc", EntryPoint = "msync", SetLastError = true)]
    internal static partial int Msync(nint address, nuint length, int flags);

    /// <summary>The negative errno of the last failed libc call.</summary>
    internal static int LastError => -Marshal.GetLastPInvokeError();

    /// <summary>
    /// Whether [address, address+length) is mapped in this process (the kernel would fail to pin it otherwise:
    /// EFAULT). <c>msync(MS_ASYNC)</c> answers ENOMEM for unmapped pages without touching them.
    /// </summary>
    internal static bool IsMapped(ulong address, ulong length)
    {
        const int MsAsync = 1;
        return Msync((nint)address, (nuint)length, MsAsync) == 0;
    }

    /// <summary>0 when <paramref name="fd"/> is an open eventfd, -EBADF when it is not open, -EINVAL for another kind of file.</summary>
    internal static int CheckEventFd(int fd)
    {
        if (fd < 0) return -Eal.Vfio.Native.Errno.EBADF;
        string? target;
        try
        {
            target = new FileInfo("/proc/self/fd/" + fd.ToString(System.Globalization.CultureInfo.InvariantCulture)).LinkTarget;
        }
        catch (IOException)
        {
            target = null;
        }
        if (target is null) return -Eal.Vfio.Native.Errno.EBADF;
        return target == "anon_inode:[eventfd]" ? 0 : -Eal.Vfio.Native.Errno.EINVAL;
    }
}
