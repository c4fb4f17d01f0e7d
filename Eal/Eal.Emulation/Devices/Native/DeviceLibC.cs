using System.Runtime.InteropServices;

namespace Eal.Emulation.Devices.Native;

/// <summary>
/// The few libc calls the device models need to back BAR memory with a shareable file (<c>memfd_create</c>,
/// <c>ftruncate</c>, <c>mmap</c>, <c>munmap</c>, <c>close</c>). The emulated kernel maps the same memfd into
/// userspace when a driver mmaps a BAR, so the driver and the model see the same bytes.
/// </summary>
internal static unsafe partial class DeviceLibC
{
    private const string Library = "libc";

    public const uint MfdCloexec = 0x1;
    public const int ProtRead = 0x1, ProtWrite = 0x2;
    public const int MapShared = 0x01;

    [LibraryImport(Library, EntryPoint = "memfd_create", SetLastError = true)]
    public static partial int MemfdCreate(byte* name, uint flags);

    [LibraryImport(Library, EntryPoint = "ftruncate", SetLastError = true)]
    public static partial int FTruncate(int fd, long length);

    [LibraryImport(Library, EntryPoint = "mmap", SetLastError = true)]
    public static partial nint Mmap(nint address, nuint length, int protection, int flags, int fd, long offset);

    [LibraryImport(Library, EntryPoint = "munmap", SetLastError = true)]
    public static partial int Munmap(nint address, nuint length);

    [LibraryImport(Library, EntryPoint = "close", SetLastError = true)]
    public static partial int Close(int fd);
}

/// <summary>
/// One memfd of a fixed size mapped shared into this process: the backing store of a memory BAR. Owns both the
/// descriptor and the mapping; <see cref="Dispose"/> releases them (idempotent).
/// </summary>
internal sealed unsafe class SharedMemoryFile : IDisposable
{
    private int _fd;
    private nint _address;

    private SharedMemoryFile(int fd, nint address, ulong size)
    {
        _fd = fd;
        _address = address;
        Size = size;
    }

    public int Fd => _fd;

    public nint Address => _address;

    public ulong Size { get; }

    /// <summary>Creates a zero-filled memfd named <paramref name="name"/> of <paramref name="size"/> bytes and maps it.</summary>
    /// <exception cref="IOException">A system call failed; the message names it, the errno and the size.</exception>
    public static SharedMemoryFile Create(string name, ulong size)
    {
        Span<byte> utf8 = stackalloc byte[128];
        int n = System.Text.Encoding.UTF8.GetBytes(name.AsSpan(0, Math.Min(name.Length, 100)), utf8);
        utf8[n] = 0;
        int fd;
        fixed (byte* p = utf8) fd = DeviceLibC.MemfdCreate(p, DeviceLibC.MfdCloexec);
        if (fd < 0)
            throw new IOException($"memfd_create(\"{name}\") failed: errno {Marshal.GetLastPInvokeError()}; the kernel needs memfd support (Linux 3.17+) and a free file descriptor");
        if (DeviceLibC.FTruncate(fd, (long)size) != 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            DeviceLibC.Close(fd);
            throw new IOException($"ftruncate of memfd \"{name}\" to {size} bytes failed: errno {errno}; check memory limits (RLIMIT_FSIZE, tmpfs size)");
        }
        nint address = DeviceLibC.Mmap(0, (nuint)size, DeviceLibC.ProtRead | DeviceLibC.ProtWrite, DeviceLibC.MapShared, fd, 0);
        if (address == -1)
        {
            int errno = Marshal.GetLastPInvokeError();
            DeviceLibC.Close(fd);
            throw new IOException($"mmap of memfd \"{name}\" ({size} bytes) failed: errno {errno}; check the address-space limit (ulimit -v)");
        }
        return new SharedMemoryFile(fd, address, size);
    }

    /// <summary>The mapped bytes at <paramref name="offset"/> (caller checked the range).</summary>
    public Span<byte> Slice(ulong offset, int length) => new((byte*)_address + offset, length);

    /// <summary>Zero-fills the whole file (device reset).</summary>
    public void Clear() => NativeMemory.Clear((void*)_address, (nuint)Size);

    public void Dispose()
    {
        nint address = Interlocked.Exchange(ref _address, 0);
        if (address != 0) DeviceLibC.Munmap(address, (nuint)Size);
        int fd = Interlocked.Exchange(ref _fd, -1);
        if (fd >= 0) DeviceLibC.Close(fd);
    }
}
