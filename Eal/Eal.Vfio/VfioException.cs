using System.Globalization;
using Eal.Vfio.Native;

namespace Eal.Vfio;

/// <summary>
/// A VFIO operation failed. The message says what failed (the system call or ioctl), on which device or group,
/// the errno name, and how to fix it; the same facts are properties for programs.
/// </summary>
public sealed class VfioException : Exception
{
    /// <summary>Creates an exception with a complete message.</summary>
    public VfioException(string message) : base(message) { }

    /// <summary>Creates an exception with a complete message and an inner exception.</summary>
    public VfioException(string message, Exception innerException) : base(message, innerException) { }

    /// <summary>Creates an exception without a message (serialization convention).</summary>
    public VfioException() { }

    /// <summary>The failing call ("VFIO_GROUP_GET_STATUS", "open /dev/vfio/12"), or the rule that was broken.</summary>
    public string? Operation { get; private init; }

    /// <summary>The positive errno the kernel returned, or 0 when the error was found before any call.</summary>
    public int Errno { get; private init; }

    /// <summary>The errno's symbolic name ("EBUSY"), or null when <see cref="Errno"/> is 0.</summary>
    public string? ErrnoName => Errno == 0 ? null : Native.Errno.Name(Errno);

    /// <summary>The device ("0000:01:00.0"), when one is concerned.</summary>
    public string? Device { get; private init; }

    /// <summary>The IOMMU group number, when one is concerned.</summary>
    public int? Group { get; private init; }

    /// <summary>What to do about it, as written in the message.</summary>
    public string? Fix { get; private init; }

    /// <summary>Builds the exception and its message: "{operation} on {device} (group N) failed: EBUSY (16, ...); {fix}".</summary>
    /// <param name="operation">The failing call.</param>
    /// <param name="errno">Positive errno, or 0 for a rule checked before any call.</param>
    /// <param name="device">The device, if any.</param>
    /// <param name="group">The group, if any.</param>
    /// <param name="detail">Text that replaces the errno description (e.g. "group 12 is not viable").</param>
    /// <param name="fix">How to fix it; null = the usual remedy for <paramref name="errno"/> (see <see cref="DefaultFix"/>).</param>
    public static VfioException Create(string operation, int errno, string? device = null, int? group = null, string? detail = null, string? fix = null)
    {
        fix ??= DefaultFix(errno);
        var text = new System.Text.StringBuilder();
        text.Append(operation);
        if (device is not null) text.Append(" on ").Append(device);
        if (group is not null) text.Append(device is null ? " on group " : " (group ").Append(group.Value.ToString(CultureInfo.InvariantCulture)).Append(device is null ? "" : ")");
        text.Append(" failed: ");
        if (detail is not null)
        {
            text.Append(detail);
            if (errno != 0) text.Append(" (").Append(Native.Errno.Name(errno)).Append(')');
        }
        else if (errno != 0)
        {
            text.Append(Native.Errno.Describe(errno));
        }

        if (fix is not null) text.Append("; ").Append(fix);
        return new VfioException(text.ToString()) { Operation = operation, Errno = errno, Device = device, Group = group, Fix = fix };
    }

    /// <summary>
    /// The usual remedy when a VFIO/IOMMUFD call fails with <paramref name="errno"/> and the call site knows no better
    /// one (null for 0: a rule checked before any call carries its own fix).
    /// </summary>
    public static string? DefaultFix(int errno) => errno switch
    {
        0 => null,
        Native.Errno.EPERM or Native.Errno.EACCES =>
            "run as root, or give this user the /dev/vfio and /dev/iommu nodes (a udev rule) and enough RLIMIT_MEMLOCK (ulimit -l)",
        Native.Errno.ENOMEM => "raise RLIMIT_MEMLOCK (ulimit -l) or free memory",
        Native.Errno.EBUSY => "another process or container holds it; close that first (fuser /dev/vfio/*)",
        Native.Errno.ENODEV or Native.Errno.ENXIO or Native.Errno.ENOENT => "check that the device is bound to vfio-pci (dpdk-devbind.py --status)",
        Native.Errno.ENOTTY or Native.Errno.EOPNOTSUPP or Native.Errno.ENOSYS => "this kernel does not implement the call; use another --vfio-mode or a newer kernel",
        Native.Errno.EMFILE or Native.Errno.ENFILE => "too many open files: raise the limit (ulimit -n)",
        _ => "check the kernel log (dmesg) for the reason",
    };
}
