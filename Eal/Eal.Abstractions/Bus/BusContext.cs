using Eal.Devargs;
using Eal.Platform;
using Microsoft.Extensions.Logging;

namespace Eal.Bus;

/// <summary>What EAL hands a bus when it scans and probes: the OS seam, the devargs, the settings.</summary>
public sealed class BusContext
{
    /// <summary>Creates a context.</summary>
    public BusContext(IPlatform platform, IReadOnlyList<DeviceArguments> devargs, ILoggerFactory loggerFactory)
    {
        Platform = platform;
        Devargs = devargs;
        LoggerFactory = loggerFactory;
    }

    /// <summary>The OS seam (real kernel or emulated).</summary>
    public IPlatform Platform { get; }

    /// <summary>All devargs from <c>-a</c>, <c>-b</c> and <c>--vdev</c>, in the order given.</summary>
    public IReadOnlyList<DeviceArguments> Devargs { get; }

    /// <summary>Logger factory; loggers are named by DPDK log type (<c>bus.pci</c>).</summary>
    public ILoggerFactory LoggerFactory { get; }

    /// <summary><c>--no-pci</c>: the PCI bus must not scan.</summary>
    public bool NoPci { get; init; }

    /// <summary><c>-A/--no-auto-probing</c>: buses without devargs behave as allow-lists.</summary>
    public bool NoAutoProbing { get; init; }

    /// <summary>The IOVA mode EAL selected (set after every bus scanned).</summary>
    public IovaMode IovaMode { get; set; }

    /// <summary>The devargs entries of one bus.</summary>
    public IEnumerable<DeviceArguments> DevargsOf(string busName)
    {
        foreach (var da in Devargs)
            if (da.Bus == busName) yield return da;
    }
}
