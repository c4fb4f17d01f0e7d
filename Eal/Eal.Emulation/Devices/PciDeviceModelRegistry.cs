namespace Eal.Emulation.Devices;

/// <summary>
/// Which device model serves which PCI function: factories keyed by vendor:device id, with a fallback for the
/// rest. The emulated kernel takes <see cref="Create"/> (or <see cref="AsProvider"/>) as its
/// <c>Func&lt;PciFunctionDescription, IPciDeviceModel?&gt;</c>. A vendor that ships a device model next to its driver
/// registers it here. Each registry is an ordinary object (no process-wide state).
/// </summary>
public sealed class PciDeviceModelRegistry
{
    private readonly Dictionary<(uint Vendor, uint Device), Func<PciFunctionDescription, IPciDeviceModel>> _factories = [];

    /// <summary>Creates a registry with no models and, unless <paramref name="genericFallback"/> is false, <see cref="PciFunctionModel.CreateGeneric"/> for any other function.</summary>
    public PciDeviceModelRegistry(bool genericFallback = true) => GenericFallback = genericFallback;

    /// <summary>Whether functions with no registered model get a behaviour-less <see cref="PciFunctionModel.CreateGeneric"/> model (else <see cref="Create"/> returns null).</summary>
    public bool GenericFallback { get; }

    /// <summary>A registry with the models shipped here: edu (1234:11e8) → <see cref="EduDeviceModel"/>, generic fallback.</summary>
    public static PciDeviceModelRegistry CreateDefault(EduDeviceOptions? eduOptions = null)
    {
        var r = new PciDeviceModelRegistry();
        r.Add(EduDeviceModel.VendorId, EduDeviceModel.DeviceId, d => new EduDeviceModel(d, eduOptions));
        r.Add(E1000eDeviceModel.VendorId, E1000eDeviceModel.DeviceId, d => new E1000eDeviceModel(d));
        return r;
    }

    /// <summary>Registers <paramref name="factory"/> for functions with <paramref name="vendorId"/>:<paramref name="deviceId"/>.</summary>
    /// <exception cref="InvalidOperationException">That id already has a model.</exception>
    public PciDeviceModelRegistry Add(uint vendorId, uint deviceId, Func<PciFunctionDescription, IPciDeviceModel> factory)
    {
        ArgumentNullException.ThrowIfNull(factory);
        if (!_factories.TryAdd((vendorId, deviceId), factory))
            throw new InvalidOperationException($"a device model for {vendorId:x4}:{deviceId:x4} is already registered; register each vendor:device id once");
        return this;
    }

    /// <summary>The model for <paramref name="function"/>: the registered one, else the generic model (or null without fallback).</summary>
    public IPciDeviceModel? Create(PciFunctionDescription function)
    {
        ArgumentNullException.ThrowIfNull(function);
        if (_factories.TryGetValue((function.VendorId, function.DeviceId), out var factory)) return factory(function);
        return GenericFallback ? PciFunctionModel.CreateGeneric(function) : null;
    }

    /// <summary><see cref="Create"/> as the delegate the emulated kernel takes.</summary>
    public Func<PciFunctionDescription, IPciDeviceModel?> AsProvider() => Create;
}
