namespace Eal.Hotplug;

/// <summary>What happened to a device.</summary>
public enum DeviceEventKind
{
    /// <summary>A device was attached and probed at run time.</summary>
    Attached,
    /// <summary>A device was detached and everything it held released.</summary>
    Detached,
}

/// <summary>A hotplug event.</summary>
/// <param name="Kind">Attached or detached.</param>
/// <param name="Bus">The bus name.</param>
/// <param name="DeviceName">The device name.</param>
/// <param name="Driver">The driver that took (or released) the device.</param>
public sealed record DeviceEvent(DeviceEventKind Kind, string Bus, string DeviceName, string? Driver);
