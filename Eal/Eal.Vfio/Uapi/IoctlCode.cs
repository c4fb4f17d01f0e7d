namespace Eal.Vfio.Uapi;

/// <summary>
/// The generic Linux ioctl request encoding (<c>asm-generic/ioctl.h</c>, used by x86_64 and arm64):
/// bits 0-7 command number, 8-15 type, 16-29 argument size, 30-31 direction.
/// VFIO and IOMMUFD use <see cref="Io"/> only (no size, no direction); the other encodings are here for
/// headers declared later (vendor char devices).
/// </summary>
public static class IoctlCode
{
    /// <summary>Bit position of the command number.</summary>
    public const int NrShift = 0;

    /// <summary>Bit position of the type (magic) byte.</summary>
    public const int TypeShift = 8;

    /// <summary>Bit position of the argument size.</summary>
    public const int SizeShift = 16;

    /// <summary>Bit position of the direction bits.</summary>
    public const int DirShift = 30;

    /// <summary>Largest argument size the 14-bit size field can hold.</summary>
    public const int MaxSize = (1 << 14) - 1;

    /// <summary>Direction: no data transfer (<c>_IOC_NONE</c>).</summary>
    public const uint DirNone = 0;

    /// <summary>Direction: userspace writes, kernel reads (<c>_IOC_WRITE</c>).</summary>
    public const uint DirWrite = 1;

    /// <summary>Direction: kernel writes, userspace reads (<c>_IOC_READ</c>).</summary>
    public const uint DirRead = 2;

    /// <summary>Encodes a request from its parts (<c>_IOC</c>).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="dir"/> is above 3 or <paramref name="size"/> above <see cref="MaxSize"/>.</exception>
    public static uint Encode(uint dir, byte type, byte nr, int size)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(dir, 3u);
        ArgumentOutOfRangeException.ThrowIfNegative(size);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(size, MaxSize);
        return (dir << DirShift) | ((uint)size << SizeShift) | ((uint)type << TypeShift) | ((uint)nr << NrShift);
    }

    /// <summary><c>_IO(type, nr)</c>: a request without an argument size.</summary>
    public static uint Io(byte type, byte nr) => Encode(DirNone, type, nr, 0);

    /// <summary><c>_IOR(type, nr, T)</c>: the kernel writes a <paramref name="size"/>-byte argument.</summary>
    public static uint Ior(byte type, byte nr, int size) => Encode(DirRead, type, nr, size);

    /// <summary><c>_IOW(type, nr, T)</c>: the kernel reads a <paramref name="size"/>-byte argument.</summary>
    public static uint Iow(byte type, byte nr, int size) => Encode(DirWrite, type, nr, size);

    /// <summary><c>_IOWR(type, nr, T)</c>: the argument is read and written back.</summary>
    public static uint Iowr(byte type, byte nr, int size) => Encode(DirRead | DirWrite, type, nr, size);

    /// <summary>Command number of a request (<c>_IOC_NR</c>).</summary>
    public static byte Nr(uint request) => (byte)(request >> NrShift);

    /// <summary>Type byte of a request (<c>_IOC_TYPE</c>).</summary>
    public static byte Type(uint request) => (byte)(request >> TypeShift);

    /// <summary>Argument size of a request (<c>_IOC_SIZE</c>).</summary>
    public static int Size(uint request) => (int)((request >> SizeShift) & MaxSize);

    /// <summary>Direction bits of a request (<c>_IOC_DIR</c>).</summary>
    public static uint Direction(uint request) => request >> DirShift;
}
