namespace Eal.Platform;

/// <summary>
/// The OS seam: every interaction of the framework with the kernel goes through this object.
/// The real implementation talks to Linux (<c>/sys</c>, <c>/dev</c>, <c>/proc</c>); the emulated one
/// (<c>Eal.Emulation</c>) writes a directory tree that mirrors them and answers with the same rules.
/// </summary>
public interface IPlatform
{
    /// <summary>A short name for diagnostics: <c>linux</c> or <c>emulated</c>.</summary>
    string Name { get; }

    /// <summary>True when this is the emulated kernel rather than the real one.</summary>
    bool IsEmulated { get; }

    /// <summary>Root of the sysfs tree (<c>/sys</c> on a real machine).</summary>
    string SysfsRoot { get; }

    /// <summary>Root of the device node tree (<c>/dev</c> on a real machine).</summary>
    string DevRoot { get; }

    /// <summary>Root of procfs (<c>/proc</c> on a real machine).</summary>
    string ProcRoot { get; }
}
