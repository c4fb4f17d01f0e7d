using Eal.Platform;
using Eal.Vfio.Native;

namespace Eal.Vfio;

/// <summary>
/// The real Linux kernel behind <see cref="IKernel"/>: each call is the libc system call (<see cref="LibC"/>), with
/// <c>-1</c> + <c>errno</c> turned into <c>-errno</c> right after the call (the P/Invoke error is per thread, so
/// nothing in between can overwrite it). Stateless: one instance can serve any number of EAL instances.
/// </summary>
public sealed unsafe class LinuxKernel : IKernel
{
    /// <inheritdoc/>
    public int Open(string path, int flags)
    {
        int fd = LibC.Open(path, flags | LibC.OpenCloseOnExec);
        return fd < 0 ? -Errno.Last : fd;
    }

    /// <inheritdoc/>
    public int Close(int fd) => LibC.Close(fd) < 0 ? -Errno.Last : 0;

    /// <inheritdoc/>
    public int Ioctl(int fd, ulong request, void* arg)
    {
        int r = LibC.Ioctl(fd, (nuint)request, arg);
        return r < 0 ? -Errno.Last : r;
    }

    /// <inheritdoc/>
    public int IoctlValue(int fd, ulong request, nint value)
    {
        int r = LibC.Ioctl(fd, (nuint)request, value);
        return r < 0 ? -Errno.Last : r;
    }

    /// <inheritdoc/>
    public nint PRead(int fd, void* buffer, nuint count, long offset)
    {
        nint r = LibC.PRead(fd, buffer, count, offset);
        return r < 0 ? -Errno.Last : r;
    }

    /// <inheritdoc/>
    public nint PWrite(int fd, void* buffer, nuint count, long offset)
    {
        nint r = LibC.PWrite(fd, buffer, count, offset);
        return r < 0 ? -Errno.Last : r;
    }

    /// <inheritdoc/>
    public nint Read(int fd, void* buffer, nuint count)
    {
        nint r = LibC.Read(fd, buffer, count);
        return r < 0 ? -Errno.Last : r;
    }

    /// <inheritdoc/>
    public nint Write(int fd, void* buffer, nuint count)
    {
        nint r = LibC.Write(fd, buffer, count);
        return r < 0 ? -Errno.Last : r;
    }

    /// <inheritdoc/>
    public nint Mmap(nint address, nuint length, int protection, int flags, int fd, long offset)
    {
        nint r = LibC.Mmap(address, length, protection, flags, fd, offset);
        return r == -1 ? -Errno.Last : r;
    }

    /// <inheritdoc/>
    public int Munmap(nint address, nuint length) => LibC.Munmap(address, length) < 0 ? -Errno.Last : 0;

    /// <inheritdoc/>
    public int EventFd(uint initialValue, int flags)
    {
        int fd = LibC.EventFd(initialValue, flags | LibC.EventFdCloseOnExec);
        return fd < 0 ? -Errno.Last : fd;
    }

    /// <inheritdoc/>
    public int Poll(int fd, short events, int timeoutMilliseconds)
    {
        var p = new PollFd { Fd = fd, Events = events };
        int r = LibC.Poll(&p, 1, timeoutMilliseconds);
        if (r < 0) return -Errno.Last;
        return r == 0 ? 0 : p.Revents;
    }
}
