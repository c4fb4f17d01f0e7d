namespace Eal.Options;

/// <summary>One EAL lcore: its id, the CPUs its thread is pinned to, and the NUMA node of its first CPU.</summary>
/// <param name="LcoreId">The lcore id (below <see cref="EalSettings.MaxLcore"/>).</param>
/// <param name="Cpus">The CPUs the lcore thread may run on, ascending.</param>
/// <param name="NumaNode">The NUMA node of the first CPU in <paramref name="Cpus"/>.</param>
public sealed record LcoreAssignment(int LcoreId, IReadOnlyList<int> Cpus, int NumaNode);

/// <summary>Where the lcore layout came from.</summary>
public enum LcoreSource
{
    /// <summary>No core option: every online CPU (DPDK uses the thread's affinity instead).</summary>
    AllCpus,
    /// <summary><c>-l</c> with a plain core list.</summary>
    CoreList,
    /// <summary><c>-c</c> hex mask.</summary>
    CoreMask,
    /// <summary><c>-l</c> with the <c>@</c>/<c>()</c> mapping syntax.</summary>
    LcoreMap,
}

/// <summary>Which device list a device option belongs to.</summary>
public enum DeviceOptionKind
{
    /// <summary><c>-a/--allow</c> (<c>RTE_DEVTYPE_ALLOWED</c>).</summary>
    Allowed,
    /// <summary><c>-b/--block</c> (<c>RTE_DEVTYPE_BLOCKED</c>).</summary>
    Blocked,
    /// <summary><c>--vdev</c> (<c>RTE_DEVTYPE_VIRTUAL</c>).</summary>
    Virtual,
}

/// <summary>A device option, kept raw for the devargs parser.</summary>
/// <param name="Kind">Which list it came from.</param>
/// <param name="Devargs">The devargs string as given.</param>
public sealed record DeviceOption(DeviceOptionKind Kind, string Devargs);

/// <summary>A <c>--pagesz-mem</c> limit: at most <paramref name="Limit"/> bytes of pages of <paramref name="PageSize"/> bytes.</summary>
public sealed record PageSizeLimit(ulong PageSize, ulong Limit);

/// <summary><c>--proc-type</c>.</summary>
public enum EalProcessType
{
    /// <summary>Primary process (default).</summary>
    Primary,
    /// <summary>Secondary process attaching to a primary's shared state.</summary>
    Secondary,
    /// <summary>Primary unless a primary already holds the runtime config lock.</summary>
    Auto,
}

/// <summary><c>--vfio-mode</c>: the VFIO backend.</summary>
public enum VfioBackendMode
{
    /// <summary>Pick per device (default).</summary>
    Auto,
    /// <summary>Container/group API (<c>/dev/vfio/vfio</c>, <c>/dev/vfio/N</c>).</summary>
    Group,
    /// <summary>Group API with the unsafe no-IOMMU mode.</summary>
    NoIommu,
    /// <summary>Device cdev with IOMMUFD (<c>/dev/vfio/devices/vfioX</c>, <c>/dev/iommu</c>).</summary>
    Cdev,
}

/// <summary><c>--log-color</c>.</summary>
public enum LogColorMode
{
    /// <summary>No color (default).</summary>
    Never,
    /// <summary>Always color (also bare <c>--log-color</c>).</summary>
    Always,
    /// <summary>Color when the output is a terminal.</summary>
    Auto,
}

/// <summary><c>--log-timestamp</c>.</summary>
public enum LogTimestampFormat
{
    /// <summary>No timestamp (default; also <c>notime</c>).</summary>
    None,
    /// <summary>Monotonic seconds (bare <c>--log-timestamp</c>).</summary>
    Time,
    /// <summary><c>reltime</c>: time since the previous message, or the wall clock when the minute changed.</summary>
    RelTime,
    /// <summary><c>delta</c>: time since the previous message.</summary>
    Delta,
    /// <summary><c>ctime</c>: wall-clock time.</summary>
    CTime,
    /// <summary><c>iso</c>: ISO 8601 wall-clock time.</summary>
    Iso,
}

/// <summary><c>--trace-mode</c>.</summary>
public enum TraceMode
{
    /// <summary>Overwrite the oldest events when the buffer is full (default).</summary>
    Overwrite,
    /// <summary>Drop new events when the buffer is full.</summary>
    Discard,
}
