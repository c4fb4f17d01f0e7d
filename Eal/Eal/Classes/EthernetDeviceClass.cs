namespace Eal.Classes;

/// <summary>The <c>eth</c> device class, named by <c>class=eth,...</c> devargs layers.</summary>
public sealed class EthernetDeviceClass : IDeviceClass
{
    /// <inheritdoc />
    public string Name => "eth";
}
