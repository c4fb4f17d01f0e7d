using System.Runtime.InteropServices;
using System.Text;
using Eal.Vfio.Uapi;

namespace Eal.Vfio.Native;

/// <summary>
/// Blittable P/Invoke to the C library for the VFIO/IOMMUFD paths: <c>open</c>, <c>close</c>, <c>ioctl</c>,
/// <c>eventfd</c>, <c>read</c>/<c>write</c>, <c>pread</c>/<c>pwrite</c>, <c>poll</c>. Every call sets the last
/// P/Invoke error; read it with <see cref="Errno.Last"/> right after a call that returned -1.
/// Memory mapping lives in Eal.Memory. <c>open</c> and <c>ioctl</c> are variadic in C; they are bound with a fixed
/// prototype, which is call-compatible on the Linux x86_64 and arm64 ABIs (integer and pointer arguments only).
/// </summary>
public static unsafe partial class LibC
{
    private const string Library = "libc";

    /// <summary>Open read-only (<c>O_RDONLY</c>).</summary>
    [UapiName("O_RDONLY")] public const int OpenReadOnly = 0;
    /// <summary>Open write-only (<c>O_WRONLY</c>).</summary>
    [UapiName("O_WRONLY")] public const int OpenWriteOnly = 1;
    /// <summary>Open read-write (<c>O_RDWR</c>).</summary>
    [UapiName("O_RDWR")] public const int OpenReadWrite = 2;
    /// <summary>Non-blocking I/O (<c>O_NONBLOCK</c>).</summary>
    [UapiName("O_NONBLOCK")] public const int OpenNonBlock = 0x800;
    /// <summary>Close on exec (<c>O_CLOEXEC</c>).</summary>
    [UapiName("O_CLOEXEC")] public const int OpenCloseOnExec = 0x80000;
    /// <summary>Semaphore-like eventfd reads (<c>EFD_SEMAPHORE</c>).</summary>
    [UapiName("EFD_SEMAPHORE")] public const int EventFdSemaphore = 1;
    /// <summary>Non-blocking eventfd (<c>EFD_NONBLOCK</c>).</summary>
    [UapiName("EFD_NONBLOCK")] public const int EventFdNonBlock = 0x800;
    /// <summary>Close-on-exec eventfd (<c>EFD_CLOEXEC</c>).</summary>
    [UapiName("EFD_CLOEXEC")] public const int EventFdCloseOnExec = 0x80000;
    /// <summary>Data to read (<c>POLLIN</c>).</summary>
    [UapiName("POLLIN")] public const short PollIn = 0x1;
    /// <summary>Urgent data to read (<c>POLLPRI</c>).</summary>
    [UapiName("POLLPRI")] public const short PollPri = 0x2;
    /// <summary>Writing possible (<c>POLLOUT</c>).</summary>
    [UapiName("POLLOUT")] public const short PollOut = 0x4;
    /// <summary>Error condition (<c>POLLERR</c>).</summary>
    [UapiName("POLLERR")] public const short PollErr = 0x8;
    /// <summary>Hung up (<c>POLLHUP</c>).</summary>
    [UapiName("POLLHUP")] public const short PollHup = 0x10;
    /// <summary>Invalid fd (<c>POLLNVAL</c>).</summary>
    [UapiName("POLLNVAL")] public const short PollNval = 0x20;

    /// <summary><c>open(2)</c>. <paramref name="path"/> is a NUL-terminated UTF-8 string.</summary>
    /// <returns>A file descriptor, or -1 with errno set.</returns>
    [LibraryImport(Library, EntryPoint = "open", SetLastError = true)]
    public static partial int Open(byte* path, int flags, uint mode);

    /// <summary><c>open(2)</c> with a managed path (encoded to NUL-terminated UTF-8 on the stack when short).</summary>
    /// <returns>A file descriptor, or -1 with errno set.</returns>
    public static int Open(string path, int flags, uint mode = 0)
    {
        ArgumentNullException.ThrowIfNull(path);
        int max = Encoding.UTF8.GetMaxByteCount(path.Length) + 1;
        Span<byte> buffer = max <= 512 ? stackalloc byte[max] : new byte[max];
        int n = Encoding.UTF8.GetBytes(path, buffer);
        buffer[n] = 0;
        fixed (byte* p = buffer)
        {
            return Open(p, flags, mode);
        }
    }

    /// <summary><c>close(2)</c>.</summary>
    /// <returns>0, or -1 with errno set.</returns>
    [LibraryImport(Library, EntryPoint = "close", SetLastError = true)]
    public static partial int Close(int fd);

    /// <summary><c>ioctl(2)</c> with a pointer argument (a uAPI struct, an <c>int*</c> or a string).</summary>
    /// <returns>The request's result (often 0, or a new fd), or -1 with errno set.</returns>
    [LibraryImport(Library, EntryPoint = "ioctl", SetLastError = true)]
    public static partial int Ioctl(int fd, nuint request, void* arg);

    /// <summary><c>ioctl(2)</c> with an integer passed by value (e.g. <c>VFIO_CHECK_EXTENSION</c>, <c>VFIO_SET_IOMMU</c>) or 0 for none.</summary>
    /// <returns>The request's result, or -1 with errno set.</returns>
    [LibraryImport(Library, EntryPoint = "ioctl", SetLastError = true)]
    public static partial int Ioctl(int fd, nuint request, nint value);

    /// <summary><c>eventfd(2)</c>.</summary>
    /// <returns>A file descriptor, or -1 with errno set.</returns>
    [LibraryImport(Library, EntryPoint = "eventfd", SetLastError = true)]
    public static partial int EventFd(uint initialValue, int flags);

    /// <summary><c>read(2)</c> (an eventfd is read with 8 bytes).</summary>
    /// <returns>Bytes read, or -1 with errno set.</returns>
    [LibraryImport(Library, EntryPoint = "read", SetLastError = true)]
    public static partial nint Read(int fd, void* buffer, nuint count);

    /// <summary><c>write(2)</c> (an eventfd is signalled with 8 bytes).</summary>
    /// <returns>Bytes written, or -1 with errno set.</returns>
    [LibraryImport(Library, EntryPoint = "write", SetLastError = true)]
    public static partial nint Write(int fd, void* buffer, nuint count);

    /// <summary><c>pread(2)</c>: read at a file offset (VFIO region access).</summary>
    /// <returns>Bytes read, or -1 with errno set.</returns>
    [LibraryImport(Library, EntryPoint = "pread", SetLastError = true)]
    public static partial nint PRead(int fd, void* buffer, nuint count, long offset);

    /// <summary><c>pwrite(2)</c>: write at a file offset (VFIO region access).</summary>
    /// <returns>Bytes written, or -1 with errno set.</returns>
    [LibraryImport(Library, EntryPoint = "pwrite", SetLastError = true)]
    public static partial nint PWrite(int fd, void* buffer, nuint count, long offset);

    /// <summary><c>poll(2)</c>.</summary>
    /// <returns>Number of ready fds, 0 on timeout, or -1 with errno set.</returns>
    [LibraryImport(Library, EntryPoint = "poll", SetLastError = true)]
    public static partial int Poll(PollFd* fds, nuint count, int timeoutMilliseconds);
}

/// <summary>One entry of a <see cref="LibC.Poll"/> set (<c>struct pollfd</c>).</summary>
[UapiHeader("libc", CName = "pollfd"), StructLayout(LayoutKind.Sequential)]
public struct PollFd
{
    /// <summary>File descriptor.</summary>
    public int Fd;
    /// <summary>Requested events (<c>LibC.Poll*</c>).</summary>
    public short Events;
    /// <summary>Returned events.</summary>
    public short Revents;
}
