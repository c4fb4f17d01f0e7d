namespace Eal.Platform;

/// <summary>
/// The system-call half of the OS seam used by VFIO and device drivers: the calls a userspace driver makes on
/// <c>/dev/vfio/*</c>, <c>/dev/iommu</c> and device fds. Implemented by the real kernel (libc P/Invoke) and by
/// the emulated kernel, which enforces Linux's rules on the same uAPI structs.
/// </summary>
/// <remarks>
/// Every call returns what the system call returns, with errors as a negative errno (<c>-ENOTTY</c>, ...)
/// instead of <c>-1</c> + <c>errno</c>: the emulated kernel can then answer exactly, and callers never read a
/// thread-global. Paths are absolute and already resolved against <see cref="IPlatform.DevRoot"/>.
/// </remarks>
public unsafe interface IKernel
{
    /// <summary><c>open(path, flags)</c>: a new fd, or <c>-errno</c>.</summary>
    int Open(string path, int flags);

    /// <summary><c>close(fd)</c>: 0 or <c>-errno</c>.</summary>
    int Close(int fd);

    /// <summary><c>ioctl(fd, request, arg)</c> with a pointer argument: the ioctl's return value or <c>-errno</c>.</summary>
    int Ioctl(int fd, ulong request, void* arg);

    /// <summary><c>ioctl(fd, request, value)</c> with an integer argument passed by value.</summary>
    int IoctlValue(int fd, ulong request, nint value);

    /// <summary><c>pread(fd, buffer, count, offset)</c>: bytes read or <c>-errno</c>.</summary>
    nint PRead(int fd, void* buffer, nuint count, long offset);

    /// <summary><c>pwrite(fd, buffer, count, offset)</c>: bytes written or <c>-errno</c>.</summary>
    nint PWrite(int fd, void* buffer, nuint count, long offset);

    /// <summary><c>read(fd, buffer, count)</c> (eventfd counters): bytes read or <c>-errno</c>.</summary>
    nint Read(int fd, void* buffer, nuint count);

    /// <summary><c>write(fd, buffer, count)</c>: bytes written or <c>-errno</c>.</summary>
    nint Write(int fd, void* buffer, nuint count);

    /// <summary>
    /// <c>mmap(address, length, prot, flags, fd, offset)</c>: the mapped address, or <c>-errno</c> as a value in
    /// [-4095, -1] (never a valid mapping address).
    /// </summary>
    nint Mmap(nint address, nuint length, int protection, int flags, int fd, long offset);

    /// <summary><c>munmap(address, length)</c>: 0 or <c>-errno</c>.</summary>
    int Munmap(nint address, nuint length);

    /// <summary><c>eventfd(initial, flags)</c>: a new fd or <c>-errno</c>.</summary>
    int EventFd(uint initialValue, int flags);

    /// <summary><c>poll</c> on one fd for <paramref name="events"/>: the revents, 0 on timeout, or <c>-errno</c>.</summary>
    int Poll(int fd, short events, int timeoutMilliseconds);
}

/// <summary>Helpers for <see cref="IKernel"/> results.</summary>
public static class KernelResult
{
    /// <summary>Whether an <see cref="IKernel.Mmap"/> result is an error.</summary>
    public static bool IsMmapError(nint result) => result is >= -4095 and < 0;
}
