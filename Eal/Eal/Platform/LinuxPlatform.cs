namespace Eal.Platform;

/// <summary>The real Linux kernel: <c>/sys</c>, <c>/dev</c>, <c>/proc</c>.</summary>
public sealed class LinuxPlatform : IPlatform
{
    /// <summary>Creates the platform; the roots can be moved for chroot-style testing.</summary>
    public LinuxPlatform(string sysfsRoot = "/sys", string devRoot = "/dev", string procRoot = "/proc")
    {
        SysfsRoot = sysfsRoot;
        DevRoot = devRoot;
        ProcRoot = procRoot;
    }

    /// <inheritdoc />
    public string Name => "linux";

    /// <inheritdoc />
    public bool IsEmulated => false;

    /// <inheritdoc />
    public string SysfsRoot { get; }

    /// <inheritdoc />
    public string DevRoot { get; }

    /// <inheritdoc />
    public string ProcRoot { get; }
}
