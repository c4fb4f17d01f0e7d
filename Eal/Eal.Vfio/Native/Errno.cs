using System.Runtime.InteropServices;

namespace Eal.Vfio.Native;

/// <summary>
/// Linux errno values and their symbolic names, for error messages that name the errno
/// ("VFIO_DEVICE_GET_INFO on 0000:01:00.0 failed: ENOTTY (25, Inappropriate ioctl for device)").
/// Constant names are the C names on purpose: they are what users search for.
/// </summary>
#pragma warning disable CA1707 // C errno names are the vocabulary of this type.
public static class Errno
{
    /// <summary>Operation not permitted.</summary>
    public const int EPERM = 1;
    /// <summary>No such file or directory.</summary>
    public const int ENOENT = 2;
    /// <summary>No such process.</summary>
    public const int ESRCH = 3;
    /// <summary>Interrupted system call.</summary>
    public const int EINTR = 4;
    /// <summary>I/O error.</summary>
    public const int EIO = 5;
    /// <summary>No such device or address.</summary>
    public const int ENXIO = 6;
    /// <summary>Argument list too long (IOMMUFD: unknown non-zero trailing bytes).</summary>
    public const int E2BIG = 7;
    /// <summary>Exec format error.</summary>
    public const int ENOEXEC = 8;
    /// <summary>Bad file descriptor.</summary>
    public const int EBADF = 9;
    /// <summary>No child processes.</summary>
    public const int ECHILD = 10;
    /// <summary>Try again (also EWOULDBLOCK).</summary>
    public const int EAGAIN = 11;
    /// <summary>Out of memory.</summary>
    public const int ENOMEM = 12;
    /// <summary>Permission denied.</summary>
    public const int EACCES = 13;
    /// <summary>Bad address.</summary>
    public const int EFAULT = 14;
    /// <summary>Device or resource busy.</summary>
    public const int EBUSY = 16;
    /// <summary>File exists (VFIO: IOVA range already mapped).</summary>
    public const int EEXIST = 17;
    /// <summary>Cross-device link.</summary>
    public const int EXDEV = 18;
    /// <summary>No such device.</summary>
    public const int ENODEV = 19;
    /// <summary>Not a directory.</summary>
    public const int ENOTDIR = 20;
    /// <summary>Is a directory.</summary>
    public const int EISDIR = 21;
    /// <summary>Invalid argument.</summary>
    public const int EINVAL = 22;
    /// <summary>File table overflow.</summary>
    public const int ENFILE = 23;
    /// <summary>Too many open files.</summary>
    public const int EMFILE = 24;
    /// <summary>Inappropriate ioctl for device (unknown request).</summary>
    public const int ENOTTY = 25;
    /// <summary>File too large.</summary>
    public const int EFBIG = 27;
    /// <summary>No space left on device (VFIO: DMA mapping limit reached).</summary>
    public const int ENOSPC = 28;
    /// <summary>Illegal seek.</summary>
    public const int ESPIPE = 29;
    /// <summary>Read-only file system.</summary>
    public const int EROFS = 30;
    /// <summary>Broken pipe.</summary>
    public const int EPIPE = 32;
    /// <summary>Result out of range.</summary>
    public const int ERANGE = 34;
    /// <summary>Resource deadlock would occur.</summary>
    public const int EDEADLK = 35;
    /// <summary>File name too long.</summary>
    public const int ENAMETOOLONG = 36;
    /// <summary>Function not implemented.</summary>
    public const int ENOSYS = 38;
    /// <summary>Too many symbolic links.</summary>
    public const int ELOOP = 40;
    /// <summary>No data available.</summary>
    public const int ENODATA = 61;
    /// <summary>Timer expired.</summary>
    public const int ETIME = 62;
    /// <summary>Value too large for defined data type.</summary>
    public const int EOVERFLOW = 75;
    /// <summary>File descriptor in bad state.</summary>
    public const int EBADFD = 77;
    /// <summary>Message too long (IOMMUFD: IOVA range array too small).</summary>
    public const int EMSGSIZE = 90;
    /// <summary>Operation not supported (also ENOTSUP).</summary>
    public const int EOPNOTSUPP = 95;
    /// <summary>Address already in use.</summary>
    public const int EADDRINUSE = 98;
    /// <summary>Connection timed out.</summary>
    public const int ETIMEDOUT = 110;
    /// <summary>Operation canceled.</summary>
    public const int ECANCELED = 125;
    /// <summary>Memory page has hardware error.</summary>
    public const int EHWPOISON = 133;

    /// <summary>The errno of the last P/Invoke of this thread that was declared with <c>SetLastError</c>.</summary>
    public static int Last => Marshal.GetLastPInvokeError();

    /// <summary>Symbolic name of <paramref name="errno"/> ("ENOTTY"), or "errno N" for a value not listed here.</summary>
    public static string Name(int errno) => errno switch
    {
        EPERM => nameof(EPERM),
        ENOENT => nameof(ENOENT),
        ESRCH => nameof(ESRCH),
        EINTR => nameof(EINTR),
        EIO => nameof(EIO),
        ENXIO => nameof(ENXIO),
        E2BIG => nameof(E2BIG),
        ENOEXEC => nameof(ENOEXEC),
        EBADF => nameof(EBADF),
        ECHILD => nameof(ECHILD),
        EAGAIN => nameof(EAGAIN),
        ENOMEM => nameof(ENOMEM),
        EACCES => nameof(EACCES),
        EFAULT => nameof(EFAULT),
        EBUSY => nameof(EBUSY),
        EEXIST => nameof(EEXIST),
        EXDEV => nameof(EXDEV),
        ENODEV => nameof(ENODEV),
        ENOTDIR => nameof(ENOTDIR),
        EISDIR => nameof(EISDIR),
        EINVAL => nameof(EINVAL),
        ENFILE => nameof(ENFILE),
        EMFILE => nameof(EMFILE),
        ENOTTY => nameof(ENOTTY),
        EFBIG => nameof(EFBIG),
        ENOSPC => nameof(ENOSPC),
        ESPIPE => nameof(ESPIPE),
        EROFS => nameof(EROFS),
        EPIPE => nameof(EPIPE),
        ERANGE => nameof(ERANGE),
        EDEADLK => nameof(EDEADLK),
        ENAMETOOLONG => nameof(ENAMETOOLONG),
        ENOSYS => nameof(ENOSYS),
        ELOOP => nameof(ELOOP),
        ENODATA => nameof(ENODATA),
        ETIME => nameof(ETIME),
        EOVERFLOW => nameof(EOVERFLOW),
        EBADFD => nameof(EBADFD),
        EMSGSIZE => nameof(EMSGSIZE),
        EOPNOTSUPP => nameof(EOPNOTSUPP),
        EADDRINUSE => nameof(EADDRINUSE),
        ETIMEDOUT => nameof(ETIMEDOUT),
        ECANCELED => nameof(ECANCELED),
        EHWPOISON => nameof(EHWPOISON),
        _ => "errno " + errno.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    /// <summary>Name, number and the C library's text: "ENOTTY (25, Inappropriate ioctl for device)".</summary>
    public static string Describe(int errno) =>
        $"{Name(errno)} ({errno.ToString(System.Globalization.CultureInfo.InvariantCulture)}, {Marshal.GetPInvokeErrorMessage(errno)})";
}
#pragma warning restore CA1707
