using Microsoft.Extensions.Logging;

namespace Eal.Vfio;

internal static partial class VfioLog
{
    [LoggerMessage(EventId = 5001, Level = LogLevel.Warning,
        Message = "VFIO no-IOMMU mode is UNSAFE: {Device} can DMA anywhere in physical memory, with no isolation; IOVAs are physical addresses. Use an IOMMU in production.")]
    public static partial void NoIommuUnsafe(ILogger logger, string device);

    [LoggerMessage(EventId = 5002, Level = LogLevel.Information, Message = "VFIO support initialized: {Mode} mode")]
    public static partial void Initialized(ILogger logger, string mode);

    [LoggerMessage(EventId = 5003, Level = LogLevel.Information, Message = "{Device} assigned to {Container} ({Mode} mode)")]
    public static partial void Assigned(ILogger logger, string device, string container, string mode);

    [LoggerMessage(EventId = 5004, Level = LogLevel.Error, Message = "VFIO: unmapping freed memory 0x{Va:x} (IOVA 0x{Iova:x}, 0x{Length:x} bytes) from {Container} failed: {Error}")]
    public static partial void MemoryUnmapFailed(ILogger logger, ulong va, ulong iova, ulong length, string container, string error);
}
